"""Alembic environment: async engines on SQLite and PostgreSQL, batch mode for SQLite."""

import asyncio
from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection

from bot import models
from bot.config import load_settings
from bot.db import create_engine

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = models.metadata
MIGRATION_LOCK = 0x1E77E2B07  # any constant; PostgreSQL advisory locks are named by a number


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Leave procrastinate's tables (migration 0008, not in the models) out of `alembic check`."""
    return not (type_ == "table" and (name or "").startswith("procrastinate_"))


def database_url() -> str:
    return config.get_main_option("sqlalchemy.url") or load_settings().database_url


def run_migrations_offline() -> None:
    context.configure(
        url=database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def do_run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Replicas starting together each run `letterbot run`, which migrates: one at a time, the
            # others then find nothing left to do. Held until this transaction ends.
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        context.run_migrations()


async def run_async_migrations() -> None:
    engine = create_engine(database_url(), foreign_keys=False)  # see create_engine: batch mode rebuilds tables
    async with engine.connect() as connection:
        await connection.run_sync(do_run_migrations)
    await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_async_migrations())
