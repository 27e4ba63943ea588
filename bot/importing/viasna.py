"""The Viasna list export (prisoners.spring96.org) turned into rows of the own format.

Each export is in one language (be, ru or en); exports of the same people are joined by `id`. Latin
addresses from the en export are never used: they are useless on an envelope.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

HEADERS = (
    "id", "url", "name", "status", "gender", "photo", "description", "birthday", "arrested", "articles",
    "prison", "declaration", "decision", "penalty", "judge", "councel", "penalty_start_date",
    "release_date", "verdict_date", "appeal_date", "fake_terrorist_list", "died", "clusters",
)  # fmt: skip
NEEDED = {"id", "name", "status", "prison"}
# First lines of `prison` that mean the person is not in a facility now, in the export's language.
NOT_IN_CUSTODY = (
    "освобожд", "вызвал", "released", "на свобод", "на волі", "at liberty", "неизвест", "невядом", "unknown",
    "домашн", "хатні", "house arrest", "home",
)  # fmt: skip
GENDERS = {
    "male": "male", "m": "male", "мужчина": "male", "мужчына": "male", "муж": "male",
    "female": "female", "f": "female", "женщина": "female", "жанчына": "female", "жен": "female",
}  # fmt: skip


@dataclass
class ViasnaRow:
    where: str
    fields: dict[str, str]


@dataclass
class Joined:
    """The rows of one person from each language's export."""

    by_language: dict[str, ViasnaRow] = field(default_factory=dict)

    @property
    def where(self) -> str:
        return ", ".join(row.where for row in self.by_language.values())


def is_viasna(header: list[str]) -> bool:
    return set(header) >= NEEDED and "source_id" not in header


def detect_language(rows: list[dict[str, str]]) -> str:
    """be, ru or en, from the letters only one of the languages uses."""
    letters: Counter[str] = Counter()
    for row in rows[:200]:
        letters.update((row.get("name", "") + " " + row.get("prison", "")).lower())
    be = letters["і"] + letters["ў"]
    ru = letters["и"] + letters["щ"] + letters["ъ"]
    latin = sum(count for char, count in letters.items() if "a" <= char <= "z")
    cyrillic = sum(count for char, count in letters.items() if "а" <= char <= "я" or char in "іўё")
    if latin > cyrillic:
        return "en"
    return "be" if be >= ru else "ru"


def clean(value: str | None) -> str:
    value = (value or "").strip()
    return "" if value.upper() == "FALSE" else value


def to_own_row(person: Joined, existing: dict[str, str] | None) -> tuple[dict[str, str] | None, str | None]:
    """The own-format row for one person, or (None, reason) when the person is skipped.

    Fields a language's export would give but that was not imported are kept from `existing`.
    """
    any_row = next(iter(person.by_language.values())).fields
    status = clean(any_row.get("status")).lower()
    if status == "np":
        return None, "not recognised as a political prisoner (status np)"
    row: dict[str, str] = dict(existing or {})
    row["source_id"] = clean(any_row.get("id"))
    row["status"] = "deceased" if clean(any_row.get("died")) else {"active": "active"}.get(status, "former")
    gender = GENDERS.get(clean(any_row.get("gender")).lower())
    if gender:
        row["gender"] = gender
    for source, target in (("birthday", "birth_date"), ("arrested", "arrest_date")):
        value = clean(any_row.get(source))[:10]
        if value:
            row[target] = value
    release = clean(any_row.get("release_date"))[:10]
    row["expected_release_date"] = release if len(release) == 10 else ""
    in_custody = row["status"] == "active"
    for language, viasna in person.by_language.items():
        fields = viasna.fields
        row[f"name_{language}"] = clean(fields.get("name"))
        description = clean(fields.get("description"))
        if description:
            row[f"bio_{language}"] = description
        lines = [line.strip() for line in clean(fields.get("prison")).splitlines() if line.strip()]
        if not lines or any(marker in lines[0].lower() for marker in NOT_IN_CUSTODY):
            in_custody = False
        if language in ("be", "ru") and lines:
            row[f"institution_{language}"] = lines[0]
            row[f"address_{language}"] = "\n".join(lines[1:])
    row["in_custody"] = "true" if in_custody else "false"
    if not in_custody:
        for key in ("institution_be", "institution_ru", "address_be", "address_ru"):
            row[key] = ""
    elif not (row.get("address_be") and row.get("address_ru")):
        if row.get("address_be") or row.get("address_ru"):
            missing = "be" if not row.get("address_be") else "ru"
            return None, f"in custody but no {missing} address: import the {missing} export too"
        return None, "in custody but `prison` has no postal address"
    return row, None
