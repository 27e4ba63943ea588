"""The bot's own import format: one row per prisoner, parsed and checked with no I/O.

A row comes in as strings (CSV, or JSON values turned into strings) and leaves as the column values
of a `Prisoner`, or as the list of reasons it is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import String, TypeDecorator
from sqlalchemy.types import TypeEngine

from bot.models import Gender, Prisoner, PrisonerStatus, table_of

COLUMNS = (
    "source_id", "name_be", "name_ru", "name_en", "gender", "birth_date", "arrest_date", "status",
    "in_custody", "institution_be", "institution_ru", "address_be", "address_ru", "can_write",
    "letters_blocked", "incommunicado", "expected_release_date", "interests", "bio_be", "bio_ru", "bio_en",
    "source_updated_at",
)  # fmt: skip
REQUIRED = ("source_id", "name_be", "name_ru", "status")
IN_CUSTODY_REQUIRED = ("institution_be", "institution_ru", "address_be", "address_ru")
PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
TRUE, FALSE = {"true", "1", "yes", "y", "t"}, {"false", "0", "no", "n", "f"}
GENDERS = {"male": Gender.MALE, "m": Gender.MALE, "female": Gender.FEMALE, "f": Gender.FEMALE}


def _length(sqltype: TypeEngine[Any]) -> int | None:
    """A String column's length (None for Text); sqlmodel's AutoString wraps the String."""
    while isinstance(sqltype, TypeDecorator):
        sqltype = sqltype.impl_instance
    return sqltype.length if isinstance(sqltype, String) else None


# The longest value each imported column holds, from the model itself: PostgreSQL refuses a longer value
# only at commit (and SQLite stores it), so the import must name the row instead.
LIMITS = {
    column.name: length
    for column in table_of(Prisoner).columns
    if column.name in COLUMNS and (length := _length(column.type)) is not None
}


@dataclass
class RowResult:
    """One row: where it was in the file, its values if good, its problems if not."""

    where: str
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def parse_partial_date(text: str) -> tuple[int, int | None, int | None]:
    """ "1985", "1985-03" or "1985-03-12" to (year, month, day); ValueError if not a real date."""
    match = PARTIAL_DATE.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = (int(part) if part else None for part in match.groups())
    assert year is not None
    if month is not None and not 1 <= month <= 12:
        raise ValueError(f"{text!r} has no month {month}")
    if day is not None:
        try:
            date(year, month or 1, day)
        except ValueError:
            raise ValueError(f"{text!r} is not a real date") from None
    return year, month, day


def format_partial_date(year: int | None, month: int | None, day: int | None) -> str:
    if year is None:
        return ""
    return f"{year:04d}" + (f"-{month:02d}" if month else "") + (f"-{day:02d}" if month and day else "")


def parse_row(raw: dict[str, str], where: str) -> RowResult:
    result = RowResult(where)
    text = {key: (raw.get(key) or "").strip() for key in COLUMNS}
    for key in REQUIRED:
        if not text[key]:
            result.errors.append(f"{key} is required")
    values = result.values
    values["source_id"] = text["source_id"]
    for key in ("name_be", "name_ru", "name_en"):
        values[key] = text[key] or None
    values["name_be"] = values["name_be"] or ""
    values["name_ru"] = values["name_ru"] or ""

    status = text["status"].lower()
    if status and status not in {s.value for s in PrisonerStatus}:
        result.errors.append(f"status {text['status']!r} is not one of active, released, former, deceased")
    values["status"] = status

    gender = text["gender"].lower()
    if gender and gender not in GENDERS:
        result.errors.append(f"gender {text['gender']!r} is not male or female")
    values["gender"] = GENDERS[gender].value if gender in GENDERS else None

    values["birth_year"] = values["birth_month"] = values["birth_day"] = None
    if text["birth_date"]:
        try:
            values["birth_year"], values["birth_month"], values["birth_day"] = parse_partial_date(text["birth_date"])
        except ValueError as exc:
            result.errors.append(f"birth_date: {exc}")
    values["arrest_date"] = None
    if text["arrest_date"]:
        try:
            values["arrest_date"] = format_partial_date(*parse_partial_date(text["arrest_date"]))
        except ValueError as exc:
            result.errors.append(f"arrest_date: {exc}")
    values["expected_release_date"] = None
    if text["expected_release_date"]:
        try:
            values["expected_release_date"] = date.fromisoformat(text["expected_release_date"])
        except ValueError:
            result.errors.append(f"expected_release_date: {text['expected_release_date']!r} is not YYYY-MM-DD")
    values["source_updated_at"] = None
    if text["source_updated_at"]:
        try:
            moment = datetime.fromisoformat(text["source_updated_at"])
            values["source_updated_at"] = (
                moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
            )
        except ValueError:
            result.errors.append(f"source_updated_at: {text['source_updated_at']!r} is not an ISO date-time")

    defaults = {"can_write": True, "letters_blocked": False, "incommunicado": False,
                "in_custody": status == PrisonerStatus.ACTIVE}  # fmt: skip
    for key, default in defaults.items():
        flag = text[key].lower()
        if flag and flag not in TRUE | FALSE:
            result.errors.append(f"{key} {text[key]!r} is not true or false")
        values[key] = default if not flag or flag not in TRUE | FALSE else flag in TRUE

    if values["in_custody"] and status and status != PrisonerStatus.ACTIVE:
        result.errors.append(f"in_custody is true but status is {status}")
    for key in ("institution_be", "institution_ru", "address_be", "address_ru"):
        values[key] = "\n".join(line.strip() for line in text[key].splitlines() if line.strip()) or None
    if values["in_custody"]:
        missing = [key for key in IN_CUSTODY_REQUIRED if not values[key]]
        if missing:
            result.errors.append(f"{', '.join(missing)} required for a person in custody")

    interests = [part.strip() for part in text["interests"].split(";") if part.strip()]
    values["interests"] = ";".join(interests) or None
    for key in ("bio_be", "bio_ru", "bio_en"):
        values[key] = text[key] or None
    # Measured as stored (trimmed), as the database sees it. A column an error already names (a status
    # that is none of the four, say) is not named twice: each error begins with its column.
    named = {error.split(" ", 1)[0].rstrip(":,") for error in result.errors}
    for key, limit in LIMITS.items():
        value = values.get(key)
        if key not in named and isinstance(value, str) and len(value) > limit:
            result.errors.append(f"{key} is longer than {limit} characters")
    return result


def to_row(values: dict[str, Any]) -> dict[str, str]:
    """Column values of a prisoner back to the own format, as strings (CSV) — the inverse of parse_row."""
    row: dict[str, str] = {}
    for key in COLUMNS:
        if key == "birth_date":
            row[key] = format_partial_date(values["birth_year"], values["birth_month"], values["birth_day"])
            continue
        value = values.get(key)
        if isinstance(value, bool):
            row[key] = "true" if value else "false"
        elif isinstance(value, datetime):
            row[key] = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
        elif isinstance(value, date):
            row[key] = value.isoformat()
        else:
            row[key] = "" if value is None else str(value)
    return row
