"""What matters most in an import, person by person: who is new, released, arrested again, moved to
another facility, dead (or, by a correction, not dead after all), or has a new address. The counts say
how much changes; this says to whom, so that an admin reading the dry run sees the changes people who
write letters will feel.

A pure comparison of the checked rows with the current ones (column values of a `Prisoner`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.rules.names import name_for

KINDS = ("released", "rearrested", "transferred", "died", "corrected", "new", "address")  # as a report orders them
LABELS = {  # for the command line; the chat says them in the admin's language
    "released": "released",
    "rearrested": "arrested again",
    "transferred": "transferred to another facility",
    "died": "died",
    "corrected": "status corrected (no longer listed as dead)",
    "new": "new people",
    "address": "new address",
}


@dataclass(frozen=True)
class Person:
    source_id: str
    name_be: str
    name_ru: str
    name_en: str | None = None

    def name(self, locale: str) -> str:
        return name_for(locale, self.name_be, self.name_ru, self.name_en)


@dataclass
class Changes:
    new: list[Person] = field(default_factory=list)
    released: list[Person] = field(default_factory=list)
    rearrested: list[Person] = field(default_factory=list)
    transferred: list[Person] = field(default_factory=list)
    died: list[Person] = field(default_factory=list)
    corrected: list[Person] = field(default_factory=list)
    address: list[Person] = field(default_factory=list)

    def by_kind(self) -> list[tuple[str, list[Person]]]:
        return [(kind, getattr(self, kind)) for kind in KINDS]


def classify(records: list[dict[str, Any]], current: dict[str, dict[str, Any]]) -> Changes:
    """Each record against the current row with its source id (none: a new person). A person is named
    once, under the change that matters most: a death over a release, a transfer over its new address.
    Someone listed as dead who is not any more is a correction of the list (a death is not undone), named
    as such whatever else changed, so that the admin checks it."""
    found = Changes()
    for values in records:
        person = Person(values["source_id"], values["name_be"], values["name_ru"], values.get("name_en"))
        old = current.get(values["source_id"])
        if old is None:
            found.new.append(person)
        elif values["status"] == "deceased" and old["status"] != "deceased":
            found.died.append(person)
        elif old["status"] == "deceased" and values["status"] != "deceased":
            found.corrected.append(person)
        elif (old["in_custody"] and not values["in_custody"]) or (
            values["status"] == "released" and old["status"] != "released"
        ):
            found.released.append(person)
        elif not old["in_custody"] and values["in_custody"]:
            found.rearrested.append(person)  # common: many are jailed again after their release
        elif old["in_custody"] and values["in_custody"]:
            if _differs(old, values, "institution_be", "institution_ru"):
                found.transferred.append(person)
            elif _differs(old, values, "address_be", "address_ru"):
                found.address.append(person)
    return found


def _differs(old: dict[str, Any], new: dict[str, Any], *keys: str) -> bool:
    return any((old.get(key) or "") != (new.get(key) or "") for key in keys)
