"""Letter and postcard texts for each occasion, in Russian and Belarusian, with an English gloss.

The texts are Jinja2 files in `templates/letters/<occasion>/<kind>-<n>.<lang>.j2`; ru and be are the
same letter in two languages and `en` is the gloss an English-speaking writer reads to know what they
sign. Placeholders in brackets are for the writer to fill in; the writer's own gender is unknown, so
words that depend on it show both forms.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot.models import Gender, LetterKind
from bot.rules import fairness, names, occasions
from bot.rules.occasions import Occasion

LETTER_LANGUAGES = ("ru", "be")
FILE = re.compile(r"^(letter|postcard)-(\d+)\.(ru|be|en)\.j2$")
GREETING = {  # (female, male, unknown)
    "ru": ("Дорогая", "Дорогой", "Здравствуйте,"),
    "be": ("Дарагая", "Дарагі", "Добры дзень,"),
    "en": ("Dear", "Dear", "Dear"),  # the gloss reads as an English letter: "Dear Volha,"
}
PLACEHOLDERS = {
    "ru": {"me": "[ваше имя]", "about": "[пара слов о себе: город, занятие, семья или питомцы]",
           "hobby": "[ваше увлечение]"},
    "be": {"me": "[ваша імя]", "about": "[некалькі слоў пра сябе: горад, занятак, сям'я ці гадаванцы]",
           "hobby": "[ваша захапленне]"},
    "en": {"me": "[your name]", "about": "[a few words about yourself: town, work, family or pets]",
           "hobby": "[your hobby]"},
}  # fmt: skip
SOON_DAYS = 30  # an occasion this close is the one a new text is for


def both_forms(masculine: str, feminine: str) -> str:
    """ "подумал(а)" when one form extends the other, else "падумаў (падумала)"."""
    if feminine.startswith(masculine):
        return f"{masculine}({feminine[len(masculine) :]})"
    return f"{masculine} ({feminine})"


@dataclass(frozen=True)
class Text:
    occasion: Occasion
    kind: LetterKind
    variant: int
    language: str
    body: str


class Library:
    def __init__(self, templates_dir: Path) -> None:
        self.root = templates_dir / "letters"
        self.env = Environment(
            loader=FileSystemLoader(self.root), autoescape=False, undefined=StrictUndefined,
            keep_trailing_newline=False,
        )  # fmt: skip  # plain text: the message template escapes it for Telegram
        self.env.globals["g"] = both_forms
        self.variants: dict[tuple[Occasion, LetterKind], int] = {}
        for occasion in Occasion:
            for kind in LetterKind:
                found = {
                    int(m.group(2))
                    for path in (self.root / occasion.value).glob(f"{kind.value}-*.*.j2")
                    if (m := FILE.match(path.name))
                }
                self.variants[(occasion, kind)] = len(found)

    def count(self, occasion: Occasion, kind: LetterKind) -> int:
        return self.variants.get((occasion, kind), 0)

    def render(
        self,
        occasion: Occasion,
        kind: LetterKind,
        variant: int,
        language: str,
        *,
        name: str,
        gender: str | None,
        fill: Mapping[str, Any] | None = None,
    ) -> Text:
        """`fill` replaces placeholders (me, about, hobby) or `g`, for a letter the writer finishes."""
        count = self.count(occasion, kind)
        variant = (variant - 1) % count + 1 if count else 1
        female, male, unknown = GREETING[language]
        dear = female if gender == Gender.FEMALE else male if gender == Gender.MALE else unknown
        template = self.env.get_template(f"{occasion.value}/{kind.value}-{variant}.{language}.j2")
        values = {**PLACEHOLDERS[language], **(fill or {})}
        body = template.render(dear=dear, first_name=names.first_name(name), **values)
        return Text(occasion, kind, variant, language, body.strip())


def offered_occasions(gender: str | None) -> list[Occasion]:
    """The occasions a text can be chosen for: 8 March only for a woman."""
    return [o for o in Occasion if o != Occasion.WOMENS_DAY or gender == Gender.FEMALE]


def default_occasion(
    *, birth_month: int | None, birth_day: int | None, gender: str | None, today: date, written_before: bool
) -> Occasion:
    """The occasion a text is for now: a birthday soon, else a holiday soon, else a first or general letter."""
    birthday = occasions.next_birthday(birth_month, birth_day, today)
    soon = max(SOON_DAYS, fairness.BIRTHDAY_LEAD_DAYS)
    if birthday is not None and (birthday - today).days <= soon:
        return Occasion.BIRTHDAY
    for occasion, _day in occasions.upcoming(today, SOON_DAYS):
        if occasion in offered_occasions(gender):
            return occasion
    return Occasion.GENERAL if written_before else Occasion.FIRST
