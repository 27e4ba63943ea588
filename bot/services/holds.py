"""Soft holds: a suggested prisoner counts as a letter in progress for some days.

Holds add to the prisoner's load like letters do, so people asking at the same time are spread
over different prisoners; a release takes the same weight back.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import case, or_
from sqlmodel import col, delete, insert, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.models import Hold, Prisoner, table_of
from bot.rules import fairness

HOLD_DAYS = 5
NOT_AGAIN_DAYS = 14  # a person is not offered to the same supporter again within this time


PRISONERS = table_of(Prisoner)  # plain SQL (Core) on the hot path: the ORM's bookkeeping is not needed
HOLDS = table_of(Hold)


async def add_load(session: AsyncSession, prisoner_id: int, amount: float) -> None:
    """Change a prisoner's load in the database itself, so concurrent updates never overwrite each other."""
    await session.exec(
        update(PRISONERS).where(PRISONERS.c.id == prisoner_id).values(load_ref=PRISONERS.c.load_ref + amount)
    )


async def place(session: AsyncSession, *, supporter_id: int, prisoner_id: int, now: datetime, today: date) -> None:
    weight = fairness.weight(today)
    await session.exec(
        insert(HOLDS).values(
            supporter_id=supporter_id, prisoner_id=prisoner_id, created_at=now,
            expires_at=now + timedelta(days=HOLD_DAYS), weight=weight,
        )
    )  # fmt: skip
    await add_load(session, prisoner_id, weight)


async def release(session: AsyncSession, hold: Hold, now: datetime) -> None:
    if hold.released_at is None:
        hold.released_at = now
        session.add(hold)
        await add_load(session, hold.prisoner_id, -hold.weight)


async def active(session: AsyncSession, supporter_id: int, now: datetime) -> list[Hold]:
    result = await session.exec(
        select(Hold).where(
            Hold.supporter_id == supporter_id, col(Hold.released_at).is_(None), col(Hold.expires_at) > now
        )
    )
    return list(result.all())


async def release_for(session: AsyncSession, supporter_id: int, prisoner_id: int, now: datetime) -> None:
    for hold in await active(session, supporter_id, now):
        if hold.prisoner_id == prisoner_id:
            await release(session, hold, now)


async def release_all(session: AsyncSession, supporter_id: int, now: datetime) -> None:
    result = await session.exec(select(Hold).where(Hold.supporter_id == supporter_id, col(Hold.released_at).is_(None)))
    for hold in result.all():
        await release(session, hold, now)


async def release_and_list_recent(session: AsyncSession, supporter_id: int, now: datetime) -> set[int]:
    """Release the supporter's open holds and return whom they were offered recently, in one read."""
    since = now - timedelta(days=NOT_AGAIN_DAYS)
    result = await session.exec(
        select(
            HOLDS.c.id, HOLDS.c.prisoner_id, HOLDS.c.created_at,
            case((HOLDS.c.released_at.is_(None), HOLDS.c.weight), else_=None),  # the weight of an open hold
        ).where(HOLDS.c.supporter_id == supporter_id, or_(HOLDS.c.released_at.is_(None), HOLDS.c.created_at > since))
    )  # fmt: skip
    recent = set()
    for hold_id, prisoner_id, created_at, weight in result.all():
        if weight is not None:
            await session.exec(update(HOLDS).where(HOLDS.c.id == hold_id).values(released_at=now))
            await add_load(session, prisoner_id, -weight)
        if created_at > _naive_safe(since, created_at):
            recent.add(prisoner_id)
    return recent


def _naive_safe(moment: datetime, like: datetime) -> datetime:
    """SQLite hands datetimes back without a time zone: compare like with like."""
    return moment.replace(tzinfo=None) if like.tzinfo is None else moment


async def expire(session: AsyncSession, now: datetime) -> int:
    """Release holds whose time ran out and drop rows no longer needed; returns how many expired."""
    result = await session.exec(select(Hold).where(col(Hold.released_at).is_(None), col(Hold.expires_at) <= now))
    expired = list(result.all())
    for hold in expired:
        await release(session, hold, now)
    await session.exec(delete(HOLDS).where(HOLDS.c.created_at < now - timedelta(days=NOT_AGAIN_DAYS)))
    return len(expired)
