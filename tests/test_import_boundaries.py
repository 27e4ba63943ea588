"""What may import what: a migration never imports the bot's live code, so history stays fixed.

A migration that called `bot.rules` would compute something else once a rule changed; the values it
needs are frozen in the migration file instead, and must still come out as they did when it was written.
"""

from __future__ import annotations

import ast
import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot import db
from tests import conftest

VERSIONS = Path(__file__).parent.parent / "migrations" / "versions"


def imported_modules(path: Path) -> list[str]:
    """Every module a file imports, at any depth (imports inside functions count too)."""
    modules: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            modules.append(node.module or "")
    return modules


def test_imported_modules_sees_bot_imports(tmp_path: Path) -> None:
    """The scan below would pass vacuously if it missed imports: check it finds every form."""
    path = tmp_path / "sample.py"
    path.write_text("import bot.rules\nfrom bot import models\n\ndef f():\n    from bot.rules import names\n")
    assert imported_modules(path) == ["bot.rules", "bot", "bot.rules"]


def test_no_migration_imports_from_bot() -> None:
    files = sorted(VERSIONS.glob("*.py"))
    assert files, f"no migrations found in {VERSIONS}"
    offenders = {
        path.name: module
        for path in files
        for module in imported_modules(path)
        if module == "bot" or module.startswith("bot.")
    }
    assert offenders == {}


PRISONER = sa.table(
    "prisoner",
    *(sa.column(name, sa.String) for name in ("source_id", "name_be", "name_ru", "name_en", "status")),
    *(sa.column(name, sa.Boolean) for name in ("in_custody", "can_write", "letters_blocked", "incommunicado")),
    sa.column("id", sa.Integer),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)
SUPPORTER = sa.table(
    "supporter",
    sa.column("id", sa.Integer),
    sa.column("telegram_id", sa.BigInteger),
    sa.column("is_active", sa.Boolean),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("last_seen_at", sa.DateTime(timezone=True)),
)
LETTER = sa.table(
    "letter",
    *(sa.column(name, sa.Integer) for name in ("supporter_id", "prisoner_id")),
    sa.column("sent_on", sa.Date),
    sa.column("kind", sa.String),
    sa.column("reply_received", sa.Boolean),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
NOW = datetime(2024, 3, 2, tzinfo=UTC)


def person(prisoner_id: int, name_be: str, name_ru: str, name_en: str | None) -> dict[str, object]:
    return {
        "id": prisoner_id, "source_id": f"m-{prisoner_id}", "name_be": name_be, "name_ru": name_ru,
        "name_en": name_en, "status": "active", "in_custody": False, "can_write": True,
        "letters_blocked": False, "incommunicado": False, "updated_at": NOW,
    }  # fmt: skip


def letter(prisoner_id: int, sent_on: date) -> dict[str, object]:
    return {"supporter_id": 1, "prisoner_id": prisoner_id, "sent_on": sent_on, "kind": "letter",
            "reply_received": False, "created_at": NOW}  # fmt: skip


async def fill_revision_0001(url: str) -> None:
    engine = db.create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                sa.insert(SUPPORTER),
                [{"id": 1, "telegram_id": 77, "is_active": True, "created_at": NOW, "last_seen_at": NOW}],
            )
            await connection.execute(
                sa.insert(PRISONER),
                [person(1, "Ўладзімір Лабковіч", "Владимир Лобкович", "Śviataslaŭ Łabkovič"),
                 person(2, "Пётр Шчукін", "Пётр Щукин", None)],
            )  # fmt: skip
            # weight(day) is 2 ** (days since 2024-01-01 / 30): exactly 2 on 31 January, 4 on 1 March.
            await connection.execute(
                sa.insert(LETTER),
                [letter(1, date(2024, 1, 31)), letter(1, date(2024, 1, 31)), letter(1, date(2024, 3, 1))],
            )
    finally:
        await engine.dispose()


async def derived_values(url: str) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    engine = db.create_engine(url)
    try:
        async with engine.connect() as connection:
            prisoners = await connection.execute(sa.text("SELECT id, search_key, load_ref FROM prisoner ORDER BY id"))
            tallies = await connection.execute(sa.text("SELECT prisoner_id, day, letters FROM lettertally ORDER BY 2"))
            return [tuple(row) for row in prisoners], [tuple(row) for row in tallies]
    finally:
        await engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no tables yet, on each backend, to migrate step by step."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    request.getfixturevalue("postgres_template")  # skips (or fails) as the other tests do without PostgreSQL
    name = f"letterbot_e_{uuid.uuid4().hex[:10]}"
    asyncio.run(conftest._admin(f'CREATE DATABASE "{name}"'))
    yield conftest._async_url(conftest._with_database(conftest.POSTGRES_URL, name))
    asyncio.run(conftest._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def test_migration_0002_backfills_as_when_it_was_written(empty_database_url: str) -> None:
    url = empty_database_url
    db.upgrade(url, "0001")
    asyncio.run(fill_revision_0001(url))
    db.upgrade(url, "0002")
    prisoners, tallies = asyncio.run(derived_values(url))
    assert prisoners == [
        (1, "уладзімір лабковіч | владимир лобкович | sviataslau łabkovic", pytest.approx(8.0)),
        (2, "петр шчукін | петр щукин", 0.0),
    ]
    assert [(p, str(day)[:10], n) for p, day, n in tallies] == [(1, "2024-01-31", 2), (1, "2024-03-01", 1)]
