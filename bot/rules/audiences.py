"""Whom a broadcast goes to, as stored in `Broadcast.audience`: one definition, read and written here.

`all` (every active supporter), `lang:be|ru|en` (by interface language; a supporter who never chose
one counts as the bot's default), `wrote:<prisoner id>` (those who logged a letter to that person),
`pace:monthly|fortnightly|occasions` (the pace they chose).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from bot.config import LOCALES
from bot.models import WritingPace

Kind = Literal["all", "lang", "wrote", "pace"]
KINDS: tuple[str, ...] = get_args(Kind)
PACES = tuple(pace.value for pace in WritingPace)


@dataclass(frozen=True)
class Audience:
    kind: Kind
    value: str = ""

    def stored(self) -> str:
        return f"{self.kind}:{self.value}" if self.value else self.kind

    @property
    def prisoner_id(self) -> int | None:
        return int(self.value) if self.kind == "wrote" else None


EVERYONE = Audience("all")


def make(kind: str, value: str | None) -> Audience | None:
    """The audience a kind and value stand for, or None if it is not one the bot offers."""
    value = value or ""
    if kind == "all" and not value:
        return EVERYONE
    if kind == "lang" and value in LOCALES:
        return Audience("lang", value)
    if kind == "pace" and value in PACES:
        return Audience("pace", value)
    if kind == "wrote" and value.isascii() and value.isdigit() and 0 < int(value) < 2**31:
        return Audience("wrote", str(int(value)))
    return None


def parse(stored: str | None) -> Audience:
    if not stored:
        return EVERYONE
    kind, _, value = stored.partition(":")
    return make(kind, value) or EVERYONE
