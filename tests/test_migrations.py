"""Migrations: upgrade from empty, downgrade to base, and no drift between models and migrations."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest
from sqlalchemy import inspect

from bot import cli, db
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


def round_trip(url: str) -> None:
    db.upgrade(url)
    assert {"prisoner", "supporter", "rolegrant", "letter", "auditentry", "alembic_version"} <= tables(url)
    db.check(url)  # raises if autogenerate would find differences
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
