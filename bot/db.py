"""The database: an async engine, one transaction per unit of work, and migrations."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import MIGRATIONS_DIR, PROJECT_ROOT, models


def _sqlite_file(url: str) -> Path | None:
    prefix = "sqlite+aiosqlite:///"
    if url.startswith(prefix) and ":memory:" not in url:
        return Path(url.removeprefix(prefix))
    return None


POOL_SIZE, MAX_OVERFLOW = 8, 4  # PostgreSQL only; the bot takes BOT_DB_POOL_SIZE and BOT_DB_MAX_OVERFLOW


def application_name(role: str = "letterbot") -> str:
    """How this process's connections show in pg_stat_activity (and so who holds a lock): host and pid."""
    return f"{role} {socket.gethostname()} {os.getpid()}"[:63]  # PostgreSQL keeps 63 bytes


def create_engine(
    url: str, *, foreign_keys: bool = True, pool_size: int = POOL_SIZE, max_overflow: int = MAX_OVERFLOW
) -> AsyncEngine:
    """The engine for a database URL. `foreign_keys=False` is for migrations only: SQLite rebuilds a table
    to change it (drop, then create), and with foreign keys on, dropping a table would cascade-delete the
    rows that refer to it (letters, holds, tallies). The pool's size counts against PostgreSQL's
    max_connections once per replica (the README's "Scheduled work" has the sum)."""
    sqlite_file = _sqlite_file(url)
    if sqlite_file is not None:
        sqlite_file.parent.mkdir(parents=True, exist_ok=True)
    # hide_parameters: an error's text would otherwise carry the statement's values (Telegram ids among
    # them) into the logs; the statement itself names only tables and columns.
    if not url.startswith("sqlite"):
        return create_async_engine(
            url, pool_pre_ping=True, pool_size=pool_size, max_overflow=max_overflow, hide_parameters=True,
            connect_args={"server_settings": {"application_name": application_name()}},
        )  # fmt: skip
    engine = create_async_engine(url, hide_parameters=True)
    event.listen(engine.sync_engine, "connect", _sqlite_connect if foreign_keys else _sqlite_connect_for_migrations)
    event.listen(engine.sync_engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    # SQLite leaves foreign keys off unless asked; /forget relies on ON DELETE CASCADE. WAL lets readers
    # work while one writer writes; the driver's own transaction handling is switched off so that
    # _sqlite_begin can take the write lock at the start (below).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL: a power cut loses at most the last commits
    cursor.close()


def _sqlite_connect_for_migrations(dbapi_connection: DBAPIConnection, record: ConnectionPoolEntry) -> None:
    _sqlite_connect(dbapi_connection, record)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=OFF")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    # Updates run concurrently; a deferred transaction that reads and then writes can fail at once
    # with "database is locked". BEGIN IMMEDIATE makes writers queue on busy_timeout instead.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """Owns the engine; hands out one session per update or job, committed on success."""

    def __init__(self, url: str, *, pool_size: int = POOL_SIZE, max_overflow: int = MAX_OVERFLOW) -> None:
        self.url = url
        self.engine = create_engine(url, pool_size=pool_size, max_overflow=max_overflow)
        self._sessions = async_sessionmaker(self.engine, class_=AsyncSession, expire_on_commit=False)
        # SQLite has one writer at a time. Queueing this process's transactions here hands the
        # database over at once, where SQLite's own busy handler would poll with growing sleeps.
        self._one_writer = asyncio.Lock() if url.startswith("sqlite") else None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        async with contextlib.AsyncExitStack() as stack:
            if self._one_writer is not None:
                await stack.enter_async_context(self._one_writer)
            session = await stack.enter_async_context(self._sessions())
            await stack.enter_async_context(session.begin())
            yield session

    async def analyze(self, *tables: str) -> None:
        """Refresh the query planner's statistics after a bulk change such as an import.

        PostgreSQL's autovacuum would do it a minute or so later; until then the planner guesses the
        table is tiny and may choose a plan that is a hundred times slower (seen: /suggest ranking 43 ms
        instead of 1.4 ms on 2,000 prisoners before ANALYZE).
        """
        known = models.Prisoner.metadata.tables
        async with self.transaction() as session:
            for table in tables:
                if table not in known:
                    raise ValueError(f"unknown table {table!r}")
                await session.exec(text(f"ANALYZE {table}"))  # type: ignore[call-overload]

    async def dispose(self) -> None:
        await self.engine.dispose()


def alembic_config(url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["configure_logger"] = False  # the caller owns logging
    # ConfigParser treats % as interpolation: escape it in passwords.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Apply migrations. Alembic's env runs its own event loop: call this outside a running loop."""
    sqlite_file = _sqlite_file(url)
    if sqlite_file is not None:
        sqlite_file.parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)


def check(url: str) -> None:
    """Raise if the models and the migrations disagree (alembic check)."""
    command.check(alembic_config(url))


__all__ = ["Database", "Engine", "check", "downgrade", "upgrade"]
