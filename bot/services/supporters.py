"""Supporters: created on first contact, holding only what docs/domain.md allows; /forget removes them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import col, delete, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Locale
from bot.models import (
    Hold,
    Letter,
    Outbox,
    PendingImport,
    PendingImportFile,
    PrisonerEdit,
    Reminder,
    RoleGrant,
    Supporter,
    WritingPace,
)
from bot.services import broadcasts, holds, letters, upsert


async def find(session: AsyncSession, telegram_id: int) -> Supporter | None:
    result = await session.exec(select(Supporter).where(Supporter.telegram_id == telegram_id))
    return result.first()


SEEN_PRECISION = timedelta(hours=1)  # "last seen" to the hour: coarse on purpose, and no write per message


async def touch(session: AsyncSession, telegram_id: int, now: datetime) -> Supporter:
    """The supporter for this Telegram user, created on first contact; marks them seen and active."""
    supporter = await find(session, telegram_id)
    if supporter is None:
        # Two replicas may see a new user's first updates at once: the one that loses the race inserts
        # nothing and reads the row the other made.
        hour = to_the_hour(now)
        await session.exec(
            upsert.insert_ignoring(session, Supporter, ["telegram_id"]).values(
                telegram_id=telegram_id, created_at=hour, last_seen_at=hour, is_active=True
            )
        )
        supporter = await find(session, telegram_id)
        assert supporter is not None
    elif not supporter.is_active or _aware(supporter.last_seen_at) < now - SEEN_PRECISION:
        supporter.last_seen_at = to_the_hour(now)
        supporter.is_active = True
        session.add(supporter)
    return supporter


def to_the_hour(moment: datetime) -> datetime:
    """When a person wrote is kept to the hour only (see /privacy): coarse on purpose."""
    return moment.replace(minute=0, second=0, microsecond=0)


def _aware(moment: datetime) -> datetime:
    """SQLite hands datetimes back without their zone; they are stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


async def set_locale(session: AsyncSession, supporter: Supporter, locale: Locale) -> None:
    supporter.locale = locale
    session.add(supporter)


async def set_filter(session: AsyncSession, supporter: Supporter, value: str | None) -> None:
    supporter.suggest_filter = value
    session.add(supporter)


async def set_letter_language(session: AsyncSession, supporter: Supporter, language: str) -> None:
    supporter.letter_language = language
    session.add(supporter)


async def set_pace(session: AsyncSession, supporter: Supporter, pace: WritingPace) -> None:
    supporter.writing_pace = pace.value
    session.add(supporter)


async def set_pending(session: AsyncSession, supporter: Supporter, pending: str | None) -> None:
    supporter.pending_input = pending
    session.add(supporter)


async def mark_blocked(session: AsyncSession, telegram_id: int) -> None:
    """Telegram said the user blocked the bot: stop writing to them until they come back."""
    await session.exec(update(Supporter).where(col(Supporter.telegram_id) == telegram_id).values(is_active=False))


async def forget(session: AsyncSession, telegram_id: int, now: datetime) -> None:
    """Remove every row of this user: letters, holds, reminders and outbox rows explicitly (and by ON
    DELETE CASCADE).

    Per-prisoner tallies stay: they hold counts, not people. Letters logged in the last
    letters.TAKEN_BACK_DAYS are taken back from them first, or /forget would let one account log the
    same letters again and again and sink those people in everyone's suggestions.

    A coordinator or admin loses their roles and their unconfirmed imports and edits, but what they did
    with those powers stays accountable: the audit log, the broadcasts and campaigns they made and the
    roles they gave keep their id (README, "Roles and the audit log"). A supporter's id is in none of these.
    """
    supporter = await find(session, telegram_id)
    if supporter is not None:
        await holds.release_all(session, supporter.id or 0, now)
        await letters.take_back_recent(session, supporter.id or 0, now.date())
        await broadcasts.forget(session, supporter_id=supporter.id, telegram_id=telegram_id, now=now)
        for model in (Letter, Hold, Reminder, Outbox):
            await session.exec(delete(model).where(col(model.supporter_id) == supporter.id))
    else:
        await broadcasts.forget(session, supporter_id=None, telegram_id=telegram_id, now=now)
    await session.exec(delete(Supporter).where(col(Supporter.telegram_id) == telegram_id))
    await session.exec(delete(RoleGrant).where(col(RoleGrant.telegram_id) == telegram_id))
    mine = select(PendingImport.id).where(col(PendingImport.admin_telegram_id) == telegram_id)
    await session.exec(delete(PendingImportFile).where(col(PendingImportFile.import_id).in_(mine)))
    await session.exec(delete(PendingImport).where(col(PendingImport.admin_telegram_id) == telegram_id))
    await session.exec(delete(PrisonerEdit).where(col(PrisonerEdit.admin_telegram_id) == telegram_id))
