"""A supporter's suggestion filters: what is stored, in one definition, read and written only here.

Filters combine (a facility and women, a month of birth and an interest): one of each slot, stored
together in a short column as `kind` or `kind:value` parts joined by ';', e.g.
`month:3;gender:female;fac:0123456789`. A facility or an interest is a short key of its name (a name
can be longer than the column, and than the 64 bytes of a button's data). "Birthdays soon" and a month
of birth share a slot: both say when the birthday is.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, get_args

Kind = Literal["bday", "month", "gender", "fac", "int"]
KINDS: tuple[str, ...] = get_args(Kind)
MONTHS = range(1, 13)
GENDERS = ("female", "male")
SEPARATOR = ";"
STORED_MAX = 80  # Supporter.suggest_filter's length: every combination fits (tests/test_filters.py)


@dataclass(frozen=True)
class Filter:
    kind: Kind
    value: str = ""

    def stored(self) -> str:
        return f"{self.kind}:{self.value}" if self.value else self.kind

    @property
    def month(self) -> int | None:
        return int(self.value) if self.kind == "month" else None

    @property
    def slot(self) -> str:
        """Filters of one slot exclude each other; one of each combines."""
        return "birth" if self.kind in ("bday", "month") else self.kind


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


def ordered(chosen: Iterable[Filter]) -> tuple[Filter, ...]:
    """One filter per slot (the last one given wins), in a fixed order."""
    by_slot = {one.slot: one for one in chosen}
    return tuple(sorted(by_slot.values(), key=lambda one: KINDS.index(one.kind)))


def parse(stored: str | None) -> tuple[Filter, ...]:
    """The filters a stored value holds; a part that is not a filter the bot offers is left out."""
    found = []
    for part in (stored or "").split(SEPARATOR):
        kind, _, value = part.partition(":")
        one = make(kind, value)
        if one is not None:
            found.append(one)
    return ordered(found)


def store(chosen: Iterable[Filter]) -> str | None:
    """The value to store for these filters; None for none."""
    return SEPARATOR.join(one.stored() for one in ordered(chosen)) or None


def adding(current: Iterable[Filter], added: Filter) -> tuple[Filter, ...]:
    """The filters with one more: it replaces the one of its slot (a month replaces birthdays soon)."""
    return ordered([*current, added])


def without(current: Iterable[Filter], kind: str) -> tuple[Filter, ...]:
    return tuple(one for one in ordered(current) if one.kind != kind)


def key(name: str) -> str:
    """A stable short key of a facility's or an interest's name (migration 0003 freezes a copy)."""
    return hashlib.sha1(name.encode("utf-8"), usedforsecurity=False).hexdigest()[:10]


def is_key(value: str) -> bool:
    return len(value) == 10 and all(char in "0123456789abcdef" for char in value)


_NUMBER = re.compile(r"([0-9]+)")


def natural(name: str) -> tuple[str | int, ...]:
    """A sort key that orders numbers by value: "ИК №2" before "ИК №15"."""
    parts = _NUMBER.split(name.casefold())
    return tuple(int(part) if index % 2 else part for index, part in enumerate(parts))
