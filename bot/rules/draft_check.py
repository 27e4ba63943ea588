"""The draft check: words and topics that get a letter withheld, Latin text, abbreviations, length.

The words are data, one reviewed list per language (bot/rules/censor/, read by bot/rules/word_lists.py).
The draft is only read here: it is never stored or logged. What may be kept of it between the parts of
a long draft (Telegram splits a text over 4096 characters into several messages) is `Earlier`: which
list entries were found, whether Latin words or abbreviations were, the length and the number of parts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from bot.rules import word_lists

TOPICS = word_lists.TOPICS
LATIN_WORD = re.compile(r"\b[^\W\d_]*[A-Za-z][^\W\d_]*\b")
ABBREVIATION = re.compile(r"(?<!\w)[А-ЯЁІЎ]{2,6}(?!\w)")
# Short capitalised words that are ordinary on envelopes and in letters, not ciphers.
ALLOWED_ABBREVIATIONS = {"ИК", "ПК", "СИЗО", "СІЗА", "РБ"}
LONG_LETTER = 2500  # characters: about two handwritten pages; longer letters wait longer with the censor
_BE_ONLY = re.compile(r"[іўІЎ]")
_RU_ONLY = re.compile(r"[иъщИЪЩ]")
_LATIN_MARK, _ABBREVIATION_MARK = "!latin", "!abbreviations"


@dataclass(frozen=True)
class Earlier:
    """What is kept of the parts of a draft already checked: never a word of the draft itself."""

    entries: frozenset[str] = frozenset()  # keys of the list entries found (word_lists.Entry.key)
    latin: bool = False
    abbreviations: bool = False
    length: int = 0
    parts: int = 0

    def marks(self) -> list[str]:
        """The flags and entries as one list of keys, for a database column (the flags first: if the list
        is cut to fit, entries go, flags stay)."""
        return [_LATIN_MARK] * self.latin + [_ABBREVIATION_MARK] * self.abbreviations + sorted(self.entries)

    @classmethod
    def from_marks(cls, marks: Iterable[str], length: int, parts: int) -> Earlier:
        known = set(marks)
        return cls(
            entries=frozenset(known & word_lists.by_key().keys()),  # an entry since removed is forgotten
            latin=_LATIN_MARK in known,
            abbreviations=_ABBREVIATION_MARK in known,
            length=length,
            parts=parts,
        )


@dataclass
class Report:
    topics: dict[str, list[str]] = field(default_factory=dict)  # topic -> the words found
    entries: set[str] = field(default_factory=set)  # keys of the list entries found, in all parts
    latin_words: list[str] = field(default_factory=list)
    abbreviations: list[str] = field(default_factory=list)
    length: int = 0  # characters, in all parts
    parts: int = 1
    earlier_latin: bool = False  # in a part checked before: its words are not kept
    earlier_abbreviations: bool = False

    @property
    def too_long(self) -> bool:
        return self.length > LONG_LETTER

    @property
    def clean(self) -> bool:
        return not (
            self.topics or self.latin_words or self.abbreviations or self.earlier_latin or self.earlier_abbreviations
            or self.too_long
        )  # fmt: skip

    def kept(self) -> Earlier:
        return Earlier(
            entries=frozenset(self.entries),
            latin=bool(self.latin_words) or self.earlier_latin,
            abbreviations=bool(self.abbreviations) or self.earlier_abbreviations,
            length=self.length,
            parts=self.parts,
        )


def draft_language(draft: str) -> str | None:
    """ "be" or "ru" when the letters only one of them has say so clearly; None when unsure."""
    be, ru = len(_BE_ONLY.findall(draft)), len(_RU_ONLY.findall(draft))
    if be > 2 * ru:
        return "be"
    if ru > 2 * be:
        return "ru"
    return None


@lru_cache(maxsize=512)
def _excused(addressee: tuple[str, ...]) -> frozenset[str]:
    """Entries that match the addressee's own name: writing to Мария Колесникова, her name is no risk."""
    names = {word for name in addressee for word in re.findall(r"[^\W\d_][\w'-]+", name)}
    return frozenset(
        entry.key
        for entry in word_lists.entries()
        if len(entry.source.split()) == 1 and any(entry.matches(name) for name in names)
    )


def check(draft: str, *, addressee: Iterable[str] = (), earlier: Earlier | None = None) -> Report:
    """Check one draft, or the next part of one (`earlier`: what was found in the parts before)."""
    earlier = earlier or Earlier()
    report = Report(length=earlier.length + len(draft.strip()), parts=earlier.parts + 1)
    excused = _excused(tuple(addressee))
    for entry, words in word_lists.matcher(draft_language(draft)).find(draft):
        if entry.key not in excused:
            report.topics.setdefault(entry.topic, []).append(words)
            report.entries.add(entry.key)
    known = word_lists.by_key()
    for key in sorted(earlier.entries - report.entries):
        entry = known[key]
        report.topics.setdefault(entry.topic, []).append(entry.label)
        report.entries.add(key)
    report.topics = {topic: _unique(report.topics[topic]) for topic in TOPICS if topic in report.topics}
    already = {word.lower() for words in report.topics.values() for phrase in words for word in phrase.split()}
    report.latin_words = [w for w in _unique(LATIN_WORD.findall(draft)) if w.lower() not in already]
    report.abbreviations = [
        word for word in _unique(ABBREVIATION.findall(draft))
        if word not in ALLOWED_ABBREVIATIONS and word.lower() not in already
    ]  # fmt: skip
    report.earlier_latin, report.earlier_abbreviations = earlier.latin, earlier.abbreviations
    return report


def _unique(words: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for word in words:
        seen.setdefault(" ".join(word.lower().split()), word)
    return list(seen.values())
