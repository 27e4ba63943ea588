"""The Viasna list export (prisoners.spring96.org) turned into rows of the own format.

Each export is in one language (be, ru or en); exports of the same people are joined by `id`. The en
export gives Latin names only: its addresses are useless on an envelope, and whether a person is in
custody is read from the ru and be exports alone.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

HEADERS = (
    "id", "url", "name", "status", "gender", "photo", "description", "birthday", "arrested", "articles",
    "prison", "declaration", "decision", "penalty", "judge", "councel", "penalty_start_date",
    "release_date", "verdict_date", "appeal_date", "fake_terrorist_list", "died", "clusters",
)  # fmt: skip
NEEDED = {"id", "name", "status", "prison"}
STATUSES = ("active", "former", "np")  # and empty ("FALSE")
CUSTODY_LANGUAGES = ("ru", "be")
# Words and phrases on the first line of `prison` (ru or be; ё read as е, runs of spaces as one) meaning
# the person is not in a facility. Whole words only, every form spelt out: a bare stem once made "home"
# match "Homel" (Gomel), and a stem at a word's start could still match a place name.
NOT_IN_CUSTODY_WORDS = (
    "освобожден", "освобождена", "освобождено", "освобождены",  # released
    "вызвалены", "вызвалена", "вызваленая", "вызваленае", "вызваленыя", "вызвалілі",
    "на свободе", "на свободу", "на волі", "на волю",  # at liberty, e.g. before the sentence
    "неизвестно", "неизвестна", "неизвестен", "неизвестное",  # unknown
    "невядома", "невядомы", "невядомае", "невядомая",
    "домашний", "домашнего", "домашнем", "домашним", "домашняя", "домашней", "домашнюю",  # at home
    "хатні", "хатняга", "хатнім", "хатняя", "хатняй", "хатнюю",
)  # fmt: skip
NOT_IN_CUSTODY = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, NOT_IN_CUSTODY_WORDS)) + r")(?!\w)")
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


def is_not_recognised(person: Joined) -> bool:
    """Status np in every export that gives a status: the person is skipped, never imported."""
    statuses = {clean(row.fields.get("status")).lower() for row in person.by_language.values()} - {""}
    return statuses == {"np"}


def problems(person: Joined) -> list[tuple[str, str]]:
    """(where, reason) for each row whose status or gender is none the import knows.

    An unknown value is an error, not a guess: guessing `former` once dropped people from suggestions.
    """
    found: list[tuple[str, str]] = []
    for row in person.by_language.values():
        status, gender = clean(row.fields.get("status")), clean(row.fields.get("gender"))
        if status and status.lower() not in STATUSES:
            found.append((row.where, f"status {status!r} is not one of {', '.join(STATUSES)}"))
        if gender and gender.lower() not in GENDERS:
            found.append((row.where, f"gender {gender!r} is not male or female"))
    return found


def in_facility(prison: str) -> bool:
    """Whether a ru or be `prison` value names a facility, not a special value such as "released"."""
    lines = [" ".join(line.split()) for line in prison.splitlines() if line.strip()]
    return bool(lines) and NOT_IN_CUSTODY.search(lines[0].lower().replace("ё", "е")) is None


def to_own_row(person: Joined, existing: dict[str, str] | None) -> tuple[dict[str, str] | None, str | None]:
    """The own-format row for one person, or (None, reason) when the person is skipped.

    Fields a language's export would give but that was not imported are kept from `existing`; call
    `problems` first, as an unknown status or gender is taken here as empty.
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
    for language, viasna in person.by_language.items():
        row[f"name_{language}"] = clean(viasna.fields.get("name"))
        description = clean(viasna.fields.get("description"))
        if description:
            row[f"bio_{language}"] = description
    prisons = {
        language: clean(viasna.fields.get("prison"))
        for language, viasna in person.by_language.items()
        if language in CUSTODY_LANGUAGES
    }
    for language, prison in prisons.items():
        lines = [line.strip() for line in prison.splitlines() if line.strip()]
        if lines:
            row[f"institution_{language}"] = lines[0]
            row[f"address_{language}"] = "\n".join(lines[1:])
    if row["status"] != "active":
        in_custody = False
    elif prisons:
        in_custody = all(in_facility(prison) for prison in prisons.values())
    else:  # an en export alone says nothing of custody: keep what the ru and be exports said before
        in_custody = row.get("in_custody") == "true"
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
