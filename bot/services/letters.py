"""The letter log: what a supporter says they sent, and the per-prisoner tallies that outlive it."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ScalarSelect, func
from sqlmodel import col, select
from sqlmodel import delete as delete_rows
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import privacy
from bot.models import Letter, LetterKind, LetterTally, Prisoner
from bot.rules import fairness
from bot.services import campaigns, holds, upsert

RECENT_DAYS = 30  # "letters logged recently", as the card shows them
PER_PERSON_A_DAY = 2  # letters to one person one supporter can log in a day (a letter and a postcard)
TAKEN_BACK_DAYS = 30  # /forget takes back from the counts the letters logged this recently


async def _tally(session: AsyncSession, prisoner_id: int, day: date, change: int) -> None:
    """Add to the day's count in one statement (INSERT ... ON CONFLICT), safe under concurrency."""
    statement = upsert.insert(session, LetterTally).values(prisoner_id=prisoner_id, day=day, letters=max(change, 0))
    statement = statement.on_conflict_do_update(
        index_elements=["prisoner_id", "day"], set_={"letters": LetterTally.letters + change}
    )
    await session.exec(statement)


class Outcome(enum.Enum):
    SAVED = "saved"
    ALREADY = "already"  # the same letter (supporter, prisoner, day, kind) was logged before
    CAPPED = "capped"  # the supporter logged as many letters today as a person plausibly sends


async def record(
    session: AsyncSession, *, supporter_id: int, prisoner_id: int, sent_on: date, kind: LetterKind,
    occasion: str | None, now: datetime, today: date, daily_cap: int,
) -> Outcome:  # fmt: skip
    """Log a letter once: it counts for the prisoner from its day on, and releases the supporter's hold.

    A repeat (a double tap, a forged press) changes nothing, and neither does a press past the daily
    cap: a tally moves only with a row inserted here, so no account can sink a person in the ranking.
    """
    if await _exists(session, supporter_id, prisoner_id, sent_on, kind):
        return Outcome.ALREADY
    if (
        await logged_on(session, supporter_id, today) >= daily_cap
        or await logged_on(session, supporter_id, today, prisoner_id=prisoner_id) >= PER_PERSON_A_DAY
    ):
        return Outcome.CAPPED
    statement = (
        upsert.insert_ignoring(session, Letter, ["supporter_id", "prisoner_id", "sent_on", "kind"])
        .values(supporter_id=supporter_id, prisoner_id=prisoner_id, sent_on=sent_on, kind=kind.value,
                occasion=occasion, reply_received=False, logged_on=today)
        .returning(Letter.id)
    )  # fmt: skip
    if (await session.exec(statement)).first() is None:  # another process logged it a moment ago
        return Outcome.ALREADY
    await _tally(session, prisoner_id, sent_on, +1)
    await campaigns.count_letter(session, supporter_id=supporter_id, prisoner_id=prisoner_id, day=sent_on, now=now)
    await holds.add_load(session, prisoner_id, fairness.weight(sent_on))
    await holds.release_for(session, supporter_id, prisoner_id, now)
    return Outcome.SAVED


async def _exists(session: AsyncSession, supporter_id: int, prisoner_id: int, sent_on: date, kind: LetterKind) -> bool:
    result = await session.exec(
        select(Letter.id).where(
            Letter.supporter_id == supporter_id, Letter.prisoner_id == prisoner_id, Letter.sent_on == sent_on,
            Letter.kind == kind.value,
        )
    )  # fmt: skip
    return result.first() is not None


async def logged_on(session: AsyncSession, supporter_id: int, day: date, *, prisoner_id: int | None = None) -> int:
    """How many letters the supporter logged on this day (whatever days they were sent), to anyone or
    to one person."""
    statement = (
        select(func.count()).select_from(Letter).where(Letter.supporter_id == supporter_id, Letter.logged_on == day)
    )
    if prisoner_id is not None:
        statement = statement.where(Letter.prisoner_id == prisoner_id)
    return int((await session.exec(statement)).one())


async def take_back_recent(session: AsyncSession, supporter_id: int, today: date) -> None:
    """Take the supporter's recently logged letters back from the counts (see supporters.forget)."""
    result = await session.exec(
        select(Letter).where(
            Letter.supporter_id == supporter_id, col(Letter.logged_on) >= today - timedelta(days=TAKEN_BACK_DAYS)
        )
    )
    for letter in result.all():
        await delete(session, letter)


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


async def expire(session: AsyncSession, today: date) -> int:
    """Delete letter rows older than the privacy notice promises (bot/privacy.py); the per-prisoner
    tallies, which name no supporter, keep counting them. Returns how many were deleted."""
    oldest = today - timedelta(days=privacy.LETTER_KEEP_DAYS)
    result = await session.exec(delete_rows(Letter).where(col(Letter.sent_on) < oldest))
    return int(result.rowcount)


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
