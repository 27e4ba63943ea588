"""`letterbot prisoners import/export` on a real database (SQLite, and PostgreSQL when available)."""

from __future__ import annotations

import asyncio
import csv
import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import select

from bot import cli, db
from bot.models import AuditEntry, Prisoner, table_of
from tests.harness import analyzed_rows

DATA = Path(__file__).parent / "data"


@pytest.fixture
def env(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    return database_url


def snapshot(url: str) -> list[tuple[object, ...]]:
    async def read() -> list[tuple[object, ...]]:
        database = db.Database(url)
        try:
            async with database.transaction() as session:
                rows = (await session.exec(select(Prisoner).order_by(Prisoner.source_id))).all()
                return [tuple(sorted(p.model_dump().items())) for p in rows]
        finally:
            await database.dispose()

    return asyncio.run(read())


def planner_rows(url: str) -> float:
    async def read() -> float:
        database = db.Database(url)
        try:
            return await analyzed_rows(database, "prisoner")
        finally:
            await database.dispose()

    return asyncio.run(read())


def count_audit(url: str) -> int:
    async def read() -> int:
        database = db.Database(url)
        try:
            async with database.transaction() as session:
                return (await session.exec(select(func.count()).select_from(AuditEntry))).one()
        finally:
            await database.dispose()

    return asyncio.run(read())


def test_good_file_twice_is_unchanged_the_second_time(env: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["prisoners", "import", str(DATA / "prisoners_good.csv")]) == 0
    assert "new 3, updated 0, unchanged 0, skipped 0" in capsys.readouterr().out
    assert planner_rows(env) > 0  # the import refreshed the planner's statistics
    first = snapshot(env)
    assert cli.main(["prisoners", "import", str(DATA / "prisoners_good.csv")]) == 0
    assert "new 0, updated 0, unchanged 3, skipped 0" in capsys.readouterr().out
    assert snapshot(env) == first
    assert count_audit(env) == 2


def test_malformed_file_names_each_bad_line_and_writes_nothing(env: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["prisoners", "import", str(DATA / "prisoners_good.csv")]) == 0
    before = snapshot(env)
    capsys.readouterr()
    assert cli.main(["prisoners", "import", str(DATA / "prisoners_bad.csv")]) == 1
    out = capsys.readouterr().out
    for line in (3, 4, 5, 6):
        assert f"prisoners_bad.csv: line {line}:" in out
    assert "line 2:" not in out  # the good row is not blamed
    assert "nothing was written" in out
    assert snapshot(env) == before


def test_dry_run_writes_nothing(env: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["prisoners", "import", "--dry-run", str(DATA / "prisoners_good.csv")]) == 0
    assert "would be new 3" in capsys.readouterr().out
    assert snapshot(env) == []


def test_export_then_import_changes_nothing(env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["prisoners", "import", str(DATA / "prisoners_good.csv")]) == 0
    assert cli.main(["prisoners", "import", str(DATA / "viasna_ru.csv"), str(DATA / "viasna_be.csv")]) == 0
    before = snapshot(env)
    for name in ("export.csv", "export.json"):
        assert cli.main(["prisoners", "export", str(tmp_path / name)]) == 0
        capsys.readouterr()
        assert cli.main(["prisoners", "import", str(tmp_path / name)]) == 0
        assert "new 0, updated 0, unchanged 6, skipped 0" in capsys.readouterr().out
    assert snapshot(env) == before
    exported = json.loads((tmp_path / "export.json").read_text(encoding="utf-8"))
    kalesnikava = next(item for item in exported if item["source_id"] == "demo-1")
    assert kalesnikava["letters_blocked"] is True
    assert kalesnikava["interests"] == "music;flute"


def test_viasna_ru_and_be_are_joined_by_id(env: str, capsys: pytest.CaptureFixture[str]) -> None:
    files = [str(DATA / "viasna_ru.csv"), str(DATA / "viasna_be.csv")]
    assert cli.main(["prisoners", "import", *files]) == 0
    out = capsys.readouterr().out
    assert "Viasna export (ru)" in out and "Viasna export (be)" in out
    assert "new 3, updated 0, unchanged 0, skipped 1" in out
    assert "status np" in out
    rows = {dict(row)["source_id"]: row for row in snapshot(env)}
    assert set(rows) == {"101", "102", "104"}
    # A single-language export later updates only its own language and keeps the other.
    shutil.copy(DATA / "viasna_ru.csv", "ru_only.csv")
    assert cli.main(["prisoners", "import", "ru_only.csv"]) == 0
    assert "unchanged 3" in capsys.readouterr().out


def test_single_language_viasna_for_new_people_is_an_error(env: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["prisoners", "import", str(DATA / "viasna_ru.csv")]) == 1
    out = capsys.readouterr().out
    assert "name_be is required" in out
    assert snapshot(env) == []


def test_unknown_columns_are_named(env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "typo.csv"
    path.write_text("source_id,name_be,name_ru,status,adress_ru\n", encoding="utf-8")
    assert cli.main(["prisoners", "import", str(path)]) == 1
    assert "unknown columns adress_ru" in capsys.readouterr().out


def test_roles_grant_and_revoke(env: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["roles", "grant", "5550001", "coordinator"]) == 0
    assert cli.main(["roles", "grant", "5550001", "coordinator"]) == 0
    assert cli.main(["roles", "revoke", "5550001", "coordinator"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "coordinator granted",
        "nothing to do: coordinator was already granted",
        "coordinator revoked",
    ]
    assert count_audit(env) == 2


# Imported columns the model bounds (VARCHAR(n)); their lengths are read from the model, as the import does.
BOUNDED = ("source_id", "name_be", "name_ru", "name_en", "gender", "arrest_date", "status",
           "institution_be", "institution_ru")  # fmt: skip
FREE_TEXT = ("source_id", "name_be", "name_ru", "name_en", "institution_be", "institution_ru")


def limit(column: str) -> int:
    length = getattr(table_of(Prisoner).c[column].type, "length", None)  # AutoString passes it on from String
    assert isinstance(length, int), f"{column} has no length in the model"
    return length


def in_custody_row(number: int) -> dict[str, str]:
    return {
        "source_id": f"long-{number}", "name_be": "Алесь", "name_ru": "Алесь", "name_en": "Ales",
        "gender": "male", "arrest_date": "2021-01-02", "status": "active", "institution_be": "ПК №1",
        "institution_ru": "ИК №1", "address_be": "адрас, 1", "address_ru": "адрес, 1",
    }  # fmt: skip


def too_long(column: str) -> str:
    """A value one character longer than the column holds (Cyrillic: characters are not bytes)."""
    valid_prefix = {"gender": "female", "arrest_date": "2021-01-02", "status": "released"}.get(column, "")
    return valid_prefix + "я" * (limit(column) + 1 - len(valid_prefix))


def write_rows(path: Path, rows: list[dict[str, str]]) -> None:
    if path.suffix == ".json":
        path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
        return
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.mark.parametrize(("name", "place"), [("long.csv", "line {}"), ("long.json", "item {}")])
def test_overlong_fields_are_row_errors_and_nothing_is_written(
    env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, place: str
) -> None:
    assert cli.main(["prisoners", "import", str(DATA / "prisoners_good.csv")]) == 0
    before = snapshot(env)
    rows = [{**in_custody_row(number), column: too_long(column)} for number, column in enumerate(BOUNDED)]
    write_rows(tmp_path / name, rows)
    capsys.readouterr()
    assert cli.main(["prisoners", "import", str(tmp_path / name)]) == 1
    errors = [line for line in capsys.readouterr().out.splitlines() if line.startswith("error ")]
    assert len(errors) == len(BOUNDED)  # one per row: a row is named once, for its one bad field
    first = 2 if name.endswith(".csv") else 1  # a CSV's line 1 is its header
    for number, (column, error) in enumerate(zip(BOUNDED, errors, strict=True)):
        assert error.startswith(f"error {name}: {place.format(first + number)}: {column}"), error
        if column in FREE_TEXT:
            assert error.endswith(f"{column} is longer than {limit(column)} characters"), error
    assert snapshot(env) == before


def test_fields_as_long_as_their_columns_are_imported(env: str, tmp_path: Path) -> None:
    row = {**in_custody_row(1), **{column: "я" * limit(column) for column in FREE_TEXT}}
    row["address_ru"] = "адрес " * 2000  # Text columns have no limit
    write_rows(tmp_path / "full.csv", [row])
    assert cli.main(["prisoners", "import", str(tmp_path / "full.csv")]) == 0
    (stored,) = [dict(values) for values in snapshot(env)]
    assert {column: stored[column] for column in FREE_TEXT} == {column: row[column] for column in FREE_TEXT}
