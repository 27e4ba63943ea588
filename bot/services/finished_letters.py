"""A letter text finished with the writer's first name and, if they like, a few words about them.

Nothing here is stored: the name comes in with the message that typed it and leaves in the reply. The
phrases are fixed, in templates/letters/about.toml (ru and be for the letter, en for the gloss); which of
them the writer chose travels in the buttons as a short code, one digit per group.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from bot.models import LetterKind
from bot.rules import letter_fill
from bot.rules.occasions import Occasion
from bot.services.letter_texts import Library, both_forms

# One choice at most per group; "writer" is not a phrase but which forms of gendered words to use.
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("writer", ("man", "woman")),
    ("town", ("city", "town", "village")),
    ("work", ("work", "study", "retired")),
    ("family", ("family", "children")),
    ("pets", ("cat", "dog")),
    ("hobby", ("reading", "cooking", "walks", "music")),
)
ABOUT_GROUPS = ("town", "work", "family", "pets")


@dataclass(frozen=True)
class Choices:
    """Per group: 0 for nothing chosen, else the option's number (from 1)."""

    picks: tuple[int, ...] = (0,) * len(GROUPS)

    @classmethod
    def parse(cls, code: str) -> Choices | None:
        """The choices a button's code stands for; None for a code no button carries."""
        if len(code) != len(GROUPS) or not code.isascii() or not code.isdigit():
            return None
        picks = tuple(int(digit) for digit in code)
        if any(pick > len(options) for pick, (_group, options) in zip(picks, GROUPS, strict=True)):
            return None
        return cls(picks)

    @property
    def code(self) -> str:
        return "".join(str(pick) for pick in self.picks)

    def chosen(self, group: str) -> str | None:
        index = [name for name, _options in GROUPS].index(group)
        pick = self.picks[index]
        return GROUPS[index][1][pick - 1] if pick else None

    def toggle(self, group: int, option: int) -> Choices:
        """Choose this option of the group, or take it back if it was chosen."""
        picks = list(self.picks)
        picks[group] = 0 if picks[group] == option else option
        return Choices(tuple(picks))


class Phrases:
    def __init__(self, letters_dir: Path) -> None:
        with (letters_dir / "about.toml").open("rb") as handle:
            self.data = tomllib.load(handle)

    def phrase(self, group: str, option: str, language: str) -> str:
        return str(self.data[group][option][language])

    def word(self, key: Literal["join", "love"], language: str) -> str:
        return str(self.data[key][language])


@functools.cache
def phrases_in(letters_dir: Path) -> Phrases:
    """The phrases beside the letter texts (Library.root), read once."""
    return Phrases(letters_dir)


@dataclass(frozen=True)
class Finished:
    body: str  # in the letter's language, ready to copy or print
    gloss: str  # the same in English, for a writer who reads no Russian or Belarusian
    has_slots: bool  # the text has a place for words about the writer, or gendered words


def finish(
    library: Library,
    phrases: Phrases,
    *,
    occasion: Occasion,
    kind: LetterKind,
    variant: int,
    language: str,
    prisoner_name: str,
    prisoner_name_en: str,
    gender: str | None,
    writer: str,
    choices: Choices,
) -> Finished:
    body, slots = _render(library, phrases, occasion, kind, variant, language, prisoner_name, gender, writer, choices)
    gloss, _ = _render(library, phrases, occasion, kind, variant, "en", prisoner_name_en, gender, writer, choices)
    return Finished(body, gloss, slots)


def _render(
    library: Library,
    phrases: Phrases,
    occasion: Occasion,
    kind: LetterKind,
    variant: int,
    language: str,
    prisoner_name: str,
    gender: str | None,
    writer: str,
    choices: Choices,
) -> tuple[str, bool]:
    who = choices.chosen("writer")

    def forms(masculine: str, feminine: str) -> str:
        return masculine if who == "man" else feminine if who == "woman" else both_forms(masculine, feminine)

    fill = {"me": writer, "about": letter_fill.ABOUT, "hobby": letter_fill.HOBBY, "g": forms}
    raw = library.render(occasion, kind, variant, language, name=prisoner_name, gender=gender, fill=fill).body
    gendered = (
        library.render(
            occasion, kind, variant, language, name=prisoner_name, gender=gender, fill={**fill, "g": lambda m, _f: m}
        ).body
        != library.render(
            occasion, kind, variant, language, name=prisoner_name, gender=gender, fill={**fill, "g": lambda _m, f: f}
        ).body
    )
    has_about, has_hobby = letter_fill.ABOUT in raw, letter_fill.HOBBY in raw
    about = [phrases.phrase(group, option, language) for group in ABOUT_GROUPS if (option := choices.chosen(group))]
    hobby_key = choices.chosen("hobby")
    hobby = phrases.phrase("hobby", hobby_key, language) if hobby_key else None
    if hobby and not has_hobby:
        about.append(phrases.word("love", language).format(hobby))
    text = letter_fill.fill(
        raw, about=letter_fill.join(about, phrases.word("join", language)) or None, hobby=hobby if has_hobby else None
    )
    return text, has_about or has_hobby or gendered
