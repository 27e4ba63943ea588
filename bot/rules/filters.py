"""A supporter's suggestion filter: what is stored, in one definition, read and written only here.

Stored as `kind` or `kind:value` in a short column: `bday`, `month:3`, `gender:female`, and for a
facility or an interest a short key of its name (a name can be longer than the column, and than the
64 bytes of a button's data).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal, get_args

Kind = Literal["bday", "month", "gender", "fac", "int"]
KINDS: tuple[str, ...] = get_args(Kind)
MONTHS = range(1, 13)
GENDERS = ("female", "male")


@dataclass(frozen=True)
class Filter:
    kind: Kind
    value: str = ""

    def stored(self) -> str:
        return f"{self.kind}:{self.value}" if self.value else self.kind

    @property
    def month(self) -> int | None:
        return int(self.value) if self.kind == "month" else None


def make(kind: str, value: str | None) -> Filter | None:
    """The filter a kind and value stand for, or None if they are not a filter the bot offers."""
    value = value or ""
    if kind == "bday" and not value:
        return Filter("bday")
    if kind == "month" and value.isascii() and value.isdigit() and int(value) in MONTHS:
        return Filter("month", str(int(value)))
    if kind == "gender" and value in GENDERS:
        return Filter("gender", value)
    if kind == "fac" and is_key(value):
        return Filter("fac", value)
    if kind == "int" and is_key(value):
        return Filter("int", value)
    return None


def parse(stored: str | None) -> Filter | None:
    if not stored:
        return None
    kind, _, value = stored.partition(":")
    return make(kind, value)


def key(name: str) -> str:
    """A stable short key of a facility's or an interest's name (migration 0003 freezes a copy)."""
    return hashlib.sha1(name.encode("utf-8"), usedforsecurity=False).hexdigest()[:10]


def is_key(value: str) -> bool:
    return len(value) == 10 and all(char in "0123456789abcdef" for char in value)
