"""The import format's rules, row by row, without a database."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.importing import record, viasna
from bot.models import Prisoner, table_of

CUSTODY = {"institution_be": "ПК №4", "institution_ru": "ИК №4", "address_be": "адрас", "address_ru": "адрес"}


def row(**values: str) -> dict[str, str]:
    return {
        "source_id": "x-1",
        "name_be": "Алесь",
        "name_ru": "Алесь",
        "status": "active",
        **CUSTODY,
        **values,
    }


def test_minimal_row_gets_defaults() -> None:
    parsed = record.parse_row(row(), "line 2")
    assert parsed.errors == []
    assert parsed.values["can_write"] is True
    assert parsed.values["letters_blocked"] is False
    assert parsed.values["in_custody"] is True
    assert parsed.values["birth_year"] is None


@pytest.mark.parametrize(
    ("text", "parts"),
    [("1985", (1985, None, None)), ("1985-03", (1985, 3, None)), ("1984-02-29", (1984, 2, 29))],
)
def test_partial_birth_dates(text: str, parts: tuple[int, int | None, int | None]) -> None:
    parsed = record.parse_row(row(birth_date=text), "line 2")
    assert (parsed.values["birth_year"], parsed.values["birth_month"], parsed.values["birth_day"]) == parts
    assert record.to_row(parsed.values)["birth_date"] == text


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"name_be": ""}, "name_be is required"),
        ({"status": "jailed"}, "status 'jailed' is not one of"),
        ({"birth_date": "1985-13"}, "has no month 13"),
        ({"birth_date": "2023-02-29"}, "'2023-02-29' is not a real date"),
        ({"birth_date": "85"}, "is not YYYY, YYYY-MM or YYYY-MM-DD"),
        ({"can_write": "perhaps"}, "can_write 'perhaps' is not true or false"),
        ({"address_ru": ""}, "address_ru required for a person in custody"),
        ({"status": "released", "in_custody": "true"}, "in_custody is true but status is released"),
        ({"gender": "x"}, "gender 'x' is not male or female"),
        ({"expected_release_date": "2030"}, "expected_release_date: '2030' is not YYYY-MM-DD"),
    ],
)
def test_bad_rows_say_why(values: dict[str, str], message: str) -> None:
    parsed = record.parse_row(row(**values), "line 7")
    assert any(message in error for error in parsed.errors), parsed.errors


def test_limits_are_read_from_the_model() -> None:
    columns = table_of(Prisoner).c
    assert {"source_id", "name_be", "name_ru", "name_en", "gender", "institution_be", "institution_ru"} <= set(
        record.LIMITS
    )
    assert {key: getattr(columns[key].type, "length", None) for key in record.LIMITS} == record.LIMITS
    assert not {"address_be", "address_ru", "interests", "bio_be", "bio_ru", "bio_en"} & set(record.LIMITS)


@pytest.mark.parametrize("key", ["source_id", "name_be", "name_ru", "name_en", "institution_be", "institution_ru"])
def test_a_field_longer_than_its_column_is_named(key: str) -> None:
    limit = record.LIMITS[key]
    assert record.parse_row(row(**{key: f"  {'я' * limit}  "}), "line 2").errors == []  # measured trimmed
    too_long = record.parse_row(row(**{key: "я" * (limit + 1)}), "line 2")
    assert too_long.errors == [f"{key} is longer than {limit} characters"]


def test_a_bad_value_is_named_once_not_also_for_its_length() -> None:
    parsed = record.parse_row(row(status="released" * 3), "line 2")
    assert parsed.errors == ["status 'releasedreleasedreleased' is not one of active, released, former, deceased"]


def test_text_fields_have_no_length_limit() -> None:
    long_text = {"address_ru": "адрес, 1\n" * 3000, "bio_ru": "б" * 100_000, "interests": ";".join(["книги"] * 5000)}
    assert record.parse_row(row(**long_text), "line 2").errors == []


def test_released_person_needs_no_address() -> None:
    parsed = record.parse_row({"source_id": "r", "name_be": "А", "name_ru": "А", "status": "released"}, "line 3")
    assert parsed.errors == []
    assert parsed.values["in_custody"] is False


def test_round_trip_of_every_column() -> None:
    values = row(
        name_en="Ales",
        gender="male",
        birth_date="1980-05",
        arrest_date="2021-01-02",
        can_write="false",
        letters_blocked="true",
        incommunicado="true",
        expected_release_date="2030-01-31",
        interests="books; chess",
        bio_be="б",
        bio_ru="р",
        bio_en="e",
        source_updated_at="2026-01-02T03:04:05",
    )
    parsed = record.parse_row(values, "line 2")
    assert parsed.errors == []
    assert parsed.values["expected_release_date"] == date(2030, 1, 31)
    assert parsed.values["source_updated_at"] == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    again = record.parse_row(record.to_row(parsed.values), "line 2")
    assert again.values == parsed.values


def test_viasna_language_detection() -> None:
    assert viasna.detect_language([{"name": "Марыя Калеснікава", "prison": "ПК №4"}]) == "be"
    assert viasna.detect_language([{"name": "Мария Колесникова", "prison": "ИК №4"}]) == "ru"
    assert viasna.detect_language([{"name": "Maria Kalesnikava", "prison": "Penal colony No. 4"}]) == "en"


def _person(**languages: dict[str, str]) -> viasna.Joined:
    joined = viasna.Joined()
    for language, fields in languages.items():
        joined.by_language[language] = viasna.ViasnaRow(f"{language}.csv: line 2", fields)
    return joined


def test_viasna_prison_splits_into_facility_and_address() -> None:
    base = {"id": "7", "status": "active", "died": "FALSE", "birthday": "1985-03", "release_date": "FALSE"}
    person = _person(
        ru={**base, "name": "Иван", "prison": "ИК №2\nул. Ленина, 1\n213000, г. Бобруйск"},
        be={**base, "name": "Іван", "prison": "ПК №2\nвул. Леніна, 1\n213000, г. Бабруйск"},
        en={**base, "name": "Ivan", "prison": "Penal colony No. 2\nLenina st, 1"},
    )
    own, reason = viasna.to_own_row(person, None)
    assert reason is None and own is not None
    assert own["institution_ru"] == "ИК №2"
    assert own["address_be"] == "вул. Леніна, 1\n213000, г. Бабруйск"
    assert own["name_en"] == "Ivan"
    assert "Lenina" not in own["address_ru"] + own["address_be"]  # Latin addresses are never used
    assert record.parse_row(own, "x").errors == []


@pytest.mark.parametrize(
    ("prison", "status", "died", "expected_status", "in_custody"),
    [
        ("освобождён", "former", "FALSE", "former", "false"),
        ("на свободе до суда", "active", "FALSE", "active", "false"),
        ("ИК №1\nадрес", "active", "2024-01-01", "deceased", "false"),
    ],
)
def test_viasna_special_prison_values(
    prison: str, status: str, died: str, expected_status: str, in_custody: str
) -> None:
    fields = {"id": "8", "name": "Имя", "status": status, "prison": prison, "died": died}
    own, _ = viasna.to_own_row(_person(ru=fields, be={**fields, "name": "Імя"}), None)
    assert own is not None
    assert (own["status"], own["in_custody"]) == (expected_status, in_custody)


def test_viasna_np_is_skipped_with_reason() -> None:
    own, reason = viasna.to_own_row(_person(ru={"id": "9", "name": "Имя", "status": "np", "prison": "x"}), None)
    assert own is None and reason is not None and "np" in reason
