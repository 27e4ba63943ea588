"""Shared fixtures: a migrated database on SQLite (always) and PostgreSQL (when reachable, or required)."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

from bot import db
from tests.harness import Harness, start_harness, stop_harness

POSTGRES_URL = os.environ.get("LETTERBOT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE_POSTGRES = os.environ.get("LETTERBOT_REQUIRE_POSTGRES") == "1"


def _with_database(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + name


def _async_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+asyncpg://", 1)


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(POSTGRES_URL, timeout=5)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def _postgres_reachable() -> str | None:
    try:
        asyncio.run(_admin("SELECT 1"))
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """A PostgreSQL database migrated once; each test gets a copy (CREATE DATABASE ... TEMPLATE)."""
    problem = _postgres_reachable()
    if problem is not None:
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL is required (LETTERBOT_REQUIRE_POSTGRES=1) but unreachable: {problem}")
        pytest.skip(f"no PostgreSQL reachable at {POSTGRES_URL}: {problem}")
    name = f"letterbot_tpl_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    db.upgrade(_async_url(_with_database(POSTGRES_URL, name)))
    yield name
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "letterbot.sqlite3"
    db.upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database for one test, on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "letterbot.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    yield from _postgres_copy(request.getfixturevalue("postgres_template"))


@pytest.fixture
def postgres_url(postgres_template: str) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for a test that needs PostgreSQL itself (several processes
    or replicas on one database, advisory locks, the job queue)."""
    yield from _postgres_copy(postgres_template)


def _postgres_copy(template: str) -> Iterator[str]:
    name = f"letterbot_t_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    yield _async_url(_with_database(POSTGRES_URL, name))
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[db.Database]:
    """The database for a service test, its connections closed before the test's event loop ends."""
    database = db.Database(database_url)
    try:
        yield database
    finally:
        await database.dispose()


@pytest.fixture
async def bot(database_url: str) -> AsyncIterator[Harness]:
    """The real bot against the emulated Telegram; any 400 Telegram would send fails the test."""
    harness = await start_harness(database_url, BOT_ADMIN_IDS="900")
    try:
        yield harness
    finally:
        await stop_harness(harness)
    refused = harness.bad_requests()
    assert not refused, f"the bot made requests Telegram would refuse: {refused}"
