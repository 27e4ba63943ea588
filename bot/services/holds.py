"""Soft holds: a suggested prisoner counts as a letter in progress for some days.

Holds add to the prisoner's load like letters do, so people asking at the same time are spread
over different prisoners; a release takes the same weight back.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import col, delete, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.models import Hold, Prisoner
from bot.rules import fairness

HOLD_DAYS = 5
NOT_AGAIN_DAYS = 14  # a person is not offered to the same supporter again within this time


async def add_load(session: AsyncSession, prisoner_id: int, amount: float) -> None:
    """Change a prisoner's load in the database itself, so concurrent updates never overwrite each other."""
    await session.exec(
        update(Prisoner).where(col(Prisoner.id) == prisoner_id).values(load_ref=Prisoner.load_ref + amount)
    )


async def place(session: AsyncSession, *, supporter_id: int, prisoner_id: int, now: datetime, today: date) -> Hold:
    hold = Hold(
        supporter_id=supporter_id, prisoner_id=prisoner_id, created_at=now,
        expires_at=now + timedelta(days=HOLD_DAYS), weight=fairness.weight(today),
    )  # fmt: skip
    session.add(hold)
    await add_load(session, prisoner_id, hold.weight)
    await session.flush()
    return hold


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


async def recently_offered(session: AsyncSession, supporter_id: int, now: datetime) -> set[int]:
    result = await session.exec(
        select(Hold.prisoner_id).where(
            Hold.supporter_id == supporter_id, col(Hold.created_at) > now - timedelta(days=NOT_AGAIN_DAYS)
        )
    )
    return set(result.all())


async def expire(session: AsyncSession, now: datetime) -> int:
    """Release holds whose time ran out and drop rows no longer needed; returns how many expired."""
    result = await session.exec(select(Hold).where(col(Hold.released_at).is_(None), col(Hold.expires_at) <= now))
    expired = list(result.all())
    for hold in expired:
        await release(session, hold, now)
    await session.exec(delete(Hold).where(col(Hold.created_at) < now - timedelta(days=NOT_AGAIN_DAYS)))
    return len(expired)
