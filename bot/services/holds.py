"""Soft holds: a suggested prisoner counts as a letter in progress for some days.

An open hold counts like a letter written today when suggestions are ranked (see
suggestions.suggest), so people asking at the same time are spread over different prisoners. Holds
are released when the letter is marked sent, another person is asked for, or they expire; released
rows stay a while so the same person is not offered to the same supporter again soon.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, func
from sqlmodel import delete, insert, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import privacy
from bot.models import Hold, Prisoner, table_of

HOLD_DAYS = 5
NOT_AGAIN_DAYS = privacy.HOLD_KEEP_DAYS  # a person is not offered to the same supporter again within this time
PRISONERS = table_of(Prisoner)  # plain SQL (Core) on the hot path: the ORM's bookkeeping is not needed
HOLDS = table_of(Hold)


async def add_load(session: AsyncSession, prisoner_id: int, amount: float) -> None:
    """Change a prisoner's letter load in the database itself, so concurrent changes never collide."""
    await session.exec(
        update(PRISONERS).where(PRISONERS.c.id == prisoner_id).values(load_ref=PRISONERS.c.load_ref + amount)
    )


async def place(
    session: AsyncSession, *, supporter_id: int, prisoner_id: int, now: datetime, campaign_id: int | None = None
) -> None:
    await session.exec(
        insert(HOLDS).values(
            supporter_id=supporter_id,
            prisoner_id=prisoner_id,
            created_at=now,
            expires_at=now + timedelta(days=HOLD_DAYS),
            campaign_id=campaign_id,
        )
    )


def _open(now: datetime) -> ColumnElement[bool]:
    return HOLDS.c.released_at.is_(None) & (HOLDS.c.expires_at > now)


async def release_all(session: AsyncSession, supporter_id: int, now: datetime) -> None:
    await session.exec(
        update(HOLDS).where(HOLDS.c.supporter_id == supporter_id, HOLDS.c.released_at.is_(None)).values(released_at=now)
    )


async def release_for(session: AsyncSession, supporter_id: int, prisoner_id: int, now: datetime) -> None:
    await session.exec(
        update(HOLDS)
        .where(HOLDS.c.supporter_id == supporter_id, HOLDS.c.prisoner_id == prisoner_id, HOLDS.c.released_at.is_(None))
        .values(released_at=now)
    )


def open_counts(now: datetime) -> Select[tuple[int, int]]:
    """Open holds per prisoner: a small aggregate that ranking joins to."""
    return select(HOLDS.c.prisoner_id, func.count()).where(_open(now)).group_by(HOLDS.c.prisoner_id)


async def is_open(session: AsyncSession, supporter_id: int, prisoner_id: int, now: datetime) -> bool:
    found = await session.exec(
        select(HOLDS.c.id)
        .where(HOLDS.c.supporter_id == supporter_id, HOLDS.c.prisoner_id == prisoner_id, _open(now))
        .limit(1)
    )
    return found.first() is not None


def offered_lately(supporter_id: int, now: datetime) -> Select[tuple[int, datetime]]:
    """Whom this supporter was offered in the last NOT_AGAIN_DAYS, with the latest time (`latest`)."""
    since = now - timedelta(days=NOT_AGAIN_DAYS)
    return (
        select(HOLDS.c.prisoner_id, func.max(HOLDS.c.created_at).label("latest"))
        .where(HOLDS.c.supporter_id == supporter_id, HOLDS.c.created_at > since)
        .group_by(HOLDS.c.prisoner_id)
    )


def recently_offered(supporter_id: int, now: datetime) -> Select[tuple[int]]:
    """Whom this supporter was offered in the last NOT_AGAIN_DAYS, as a subquery."""
    since = now - timedelta(days=NOT_AGAIN_DAYS)
    return select(HOLDS.c.prisoner_id).where(HOLDS.c.supporter_id == supporter_id, HOLDS.c.created_at > since)


async def expire(session: AsyncSession, now: datetime) -> int:
    """Close holds whose time ran out and drop rows no longer needed; returns how many expired."""
    result = await session.exec(
        update(HOLDS).where(HOLDS.c.released_at.is_(None), HOLDS.c.expires_at <= now).values(released_at=now)
    )
    await session.exec(delete(HOLDS).where(HOLDS.c.created_at < now - timedelta(days=NOT_AGAIN_DAYS)))
    return int(result.rowcount)
