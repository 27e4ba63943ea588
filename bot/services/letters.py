"""The letter log: what a supporter says they sent, and the per-prisoner tallies that outlive it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ScalarSelect, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.models import Letter, LetterKind, LetterTally, Prisoner
from bot.rules import fairness
from bot.services import holds

RECENT_DAYS = 30  # "letters logged recently", as the card shows them


async def _tally(session: AsyncSession, prisoner_id: int, day: date, change: int) -> None:
    """Add to the day's count in one statement (INSERT ... ON CONFLICT), safe under concurrency."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(LetterTally).values(prisoner_id=prisoner_id, day=day, letters=max(change, 0))
    statement = statement.on_conflict_do_update(
        index_elements=["prisoner_id", "day"], set_={"letters": LetterTally.letters + change}
    )
    await session.exec(statement)


async def record(
    session: AsyncSession, *, supporter_id: int, prisoner_id: int, sent_on: date, kind: LetterKind,
    occasion: str | None, now: datetime,
) -> Letter:  # fmt: skip
    """Log a letter: it counts for the prisoner from its day on, and releases the supporter's hold."""
    letter = Letter(
        supporter_id=supporter_id, prisoner_id=prisoner_id, sent_on=sent_on, kind=kind.value,
        occasion=occasion, created_at=now,
    )  # fmt: skip
    session.add(letter)
    await _tally(session, prisoner_id, sent_on, +1)
    await holds.add_load(session, prisoner_id, fairness.weight(sent_on))
    await holds.release_for(session, supporter_id, prisoner_id, now)
    await session.flush()
    return letter


@dataclass(frozen=True)
class Entry:
    letter: Letter
    name_be: str
    name_ru: str
    name_en: str | None


async def history(session: AsyncSession, supporter_id: int, limit: int = 10, offset: int = 0) -> list[Entry]:
    """The supporter's letters, newest first, a page at a time."""
    result = await session.exec(
        select(Letter, Prisoner.name_be, Prisoner.name_ru, Prisoner.name_en)
        .join(Prisoner, col(Prisoner.id) == Letter.prisoner_id)
        .where(Letter.supporter_id == supporter_id)
        .order_by(col(Letter.sent_on).desc(), col(Letter.id).desc())
        .offset(offset)
        .limit(limit)
    )
    return [Entry(*row) for row in result.all()]


async def counts(session: AsyncSession, supporter_id: int) -> dict[str, int]:
    result = await session.exec(
        select(Letter.kind, func.count()).where(Letter.supporter_id == supporter_id).group_by(Letter.kind)
    )
    found = {kind: int(count) for kind, count in result.all()}
    return {kind.value: found.get(kind.value, 0) for kind in LetterKind}


async def own(session: AsyncSession, supporter_id: int, letter_id: int) -> Letter | None:
    """The letter if it is this supporter's: a forged id from a button gets None."""
    letter = await session.get(Letter, letter_id)
    return letter if letter is not None and letter.supporter_id == supporter_id else None


async def mark_reply(session: AsyncSession, letter: Letter) -> None:
    letter.reply_received = True
    session.add(letter)


async def delete(session: AsyncSession, letter: Letter) -> None:
    """The entry was a mistake: take it back from the tallies too."""
    await _tally(session, letter.prisoner_id, letter.sent_on, -1)
    await holds.add_load(session, letter.prisoner_id, -fairness.weight(letter.sent_on))
    await session.delete(letter)


def recent_count_of(prisoner_id: Any, today: date, days: int = RECENT_DAYS) -> ScalarSelect[int]:
    """Letters logged to a prisoner in the last `days`, as a scalar subquery (prisoner_id may be a column)."""
    return (
        select(func.coalesce(func.sum(LetterTally.letters), 0))
        .where(LetterTally.prisoner_id == prisoner_id, col(LetterTally.day) > today - timedelta(days=days))
        .scalar_subquery()
    )


async def recent_count(session: AsyncSession, prisoner_id: int, today: date, days: int = RECENT_DAYS) -> int:
    result = await session.exec(select(recent_count_of(prisoner_id, today, days)))
    return int(result.one())


async def written_to(session: AsyncSession, supporter_id: int, prisoner_id: int) -> bool:
    result = await session.exec(
        select(Letter.id).where(Letter.supporter_id == supporter_id, Letter.prisoner_id == prisoner_id).limit(1)
    )
    return result.first() is not None
