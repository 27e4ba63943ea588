"""INSERT ... ON CONFLICT in the database's own dialect: the one way rows that must exist once are written,
so that two processes doing the same thing at the same moment cannot both insert."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession


def insert(session: AsyncSession, model: type[SQLModel]) -> Any:
    """An INSERT that knows ON CONFLICT (PostgreSQL's and SQLite's builders share that interface)."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


def insert_ignoring(session: AsyncSession, model: type[SQLModel], key: list[str]) -> Any:
    """INSERT ... ON CONFLICT (key) DO NOTHING: a row that exists already is left as it is."""
    return insert(session, model).on_conflict_do_nothing(index_elements=key)
