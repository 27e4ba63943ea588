"""Work queued straight into the database, as the bot's own services queue it: a broadcast to many
supporters, and a day's reminder digests. For the scheduling and replica tests, whose processes run
only the job engine."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, insert
from sqlmodel import col, select

from bot.db import Database
from bot.models import Outbox, Reminder, ReminderKind, Supporter, table_of
from bot.rules import reminders as reminder_rules
from bot.services import broadcasts, reminders

BROADCAST_TEXT = "Letter night: write tonight"


async def add_supporters(database: Database, ids: range, first_user: int, now: datetime) -> None:
    async with database.transaction() as session:
        people = [
            {"id": n, "telegram_id": first_user + n, "is_active": True, "created_at": now, "last_seen_at": now}
            for n in ids
        ]
        await session.exec(insert(table_of(Supporter)), params=people)  # type: ignore[call-overload]


async def queue_broadcast(database: Database, staff_id: int, expected: int, now: datetime) -> int:
    """A broadcast to every supporter, confirmed (its outbox rows queued); its number."""
    async with database.transaction() as session:
        draft = await broadcasts.start_draft(session, staff_id, now)
        broadcasts.set_text(draft, "en", BROADCAST_TEXT)
        queued = await broadcasts.confirm(session, draft, now=now, default_locale="en", paid=False)
        assert queued == expected
        return draft.id or 0


async def queue_reminders(database: Database, ids: range, now: datetime, local: datetime) -> int:
    """A 21 May reminder for each of these supporters, due today, and the day's digests queued (the
    supporters' window must be open at `local`); how many digests today has (a sweep of the bot's may
    have queued them already, for what else is due: then the reminders join them)."""
    today = local.date()
    assert reminder_rules.open_window(local) is not None, "queue reminders inside a window"
    async with database.transaction() as session:
        for n in ids:
            session.add(
                Reminder(
                    supporter_id=n, kind=ReminderKind.SOLIDARITY_DAY.value, subject=0,
                    occurrence=date(today.year + 1, 5, 21), due_on=today, expires_on=today + timedelta(days=5),
                )
            )  # fmt: skip
    async with database.transaction() as session:
        await reminders.queue_digests(session, now, today, local)
        digests = select(func.count()).where(col(Outbox.purpose) == reminders.PURPOSE, col(Outbox.key) == str(today))
        return int((await session.exec(digests)).one())
