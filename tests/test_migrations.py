"""Migrations: upgrade from empty, downgrade to base, and no drift between models and migrations."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import CheckConstraint, inspect

from bot import cli, db, models
from tests import conftest


def tables(url: str) -> set[str]:
    async def read() -> set[str]:
        engine = db.create_engine(url)
        try:
            async with engine.connect() as connection:
                return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))
        finally:
            await engine.dispose()

    return asyncio.run(read())


def length_checks(url: str) -> set[tuple[str, str]]:
    """(table, constraint) of the length CHECKs a migrated database has."""

    async def read() -> set[tuple[str, str]]:
        engine = db.create_engine(url)
        try:
            async with engine.connect() as connection:

                def checks(sync: Any) -> set[tuple[str, str]]:
                    inspector = inspect(sync)
                    return {
                        (table, str(check["name"]))
                        for table in inspector.get_table_names()
                        for check in inspector.get_check_constraints(table)
                        if str(check["name"]).endswith("_length")
                    }

                return await connection.run_sync(checks)
        finally:
            await engine.dispose()

    return asyncio.run(read())


def model_length_checks() -> set[tuple[str, str]]:
    return {
        (table.name, str(check.name))
        for table in models.metadata.tables.values()
        for check in table.constraints
        if isinstance(check, CheckConstraint) and str(check.name).endswith("_length")
    }


def round_trip(url: str) -> None:
    db.upgrade(url)
    assert {"prisoner", "supporter", "rolegrant", "letter", "auditentry", "alembic_version"} <= tables(url)
    db.check(url)  # raises if autogenerate would find differences
    # alembic check does not compare CHECK constraints: every bounded column's must be in the migrations.
    assert length_checks(url) == model_length_checks() != set()
    db.downgrade(url)
    assert tables(url) <= {"alembic_version"}
    db.upgrade(url)


def test_sqlite_upgrade_check_downgrade(tmp_path: Path) -> None:
    round_trip(f"sqlite+aiosqlite:///{tmp_path / 'fresh.sqlite3'}")


@pytest.mark.postgres
def test_postgres_upgrade_check_downgrade(postgres_template: str) -> None:
    name = f"letterbot_m_{uuid.uuid4().hex[:10]}"
    asyncio.run(conftest._admin(f'CREATE DATABASE "{name}"'))
    try:
        round_trip(conftest._async_url(conftest._with_database(conftest.POSTGRES_URL, name)))
    finally:
        asyncio.run(conftest._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def test_cli_db_upgrade_on_an_empty_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "nested" / "bot.sqlite3"
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["db", "upgrade"]) == 0
    assert path.exists()
    assert cli.main(["db", "check"]) == 0
    assert path.stat().st_size > 0
