"""Reminders: the sweep that finds what is due and writes it once, and the day's digest.

A periodic sweep (bot/jobs.py, and `letterbot reminders due`) asks bot/rules/reminders.py what is due
today and writes one `reminder` row per (supporter, kind, subject, occurrence) with INSERT ... SELECT
... ON CONFLICT DO NOTHING, so a sweep run twice, a restart or a second process never makes a second
one. In the supporter's window of the day, the due rows are gathered into one outbox message a day
(unique per supporter and day), which bot/delivery sends; the text is rendered then, never stored.
Each step is its own short transaction, so people using the bot never wait long behind a sweep.

A reminder's status: pending (waiting for its day and window), queued (in a digest), then what
delivery recorded (sent, uncertain, failed, blocked, dropped), or expired (its days passed unsent).
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, literal, or_, true
from sqlalchemy import select as rows_of
from sqlmodel import col, delete, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import privacy
from bot.db import Database
from bot.models import (
    Letter,
    Outbox,
    Prisoner,
    PrisonerStatus,
    Reminder,
    ReminderKind,
    Supporter,
    WritingPace,
    table_of,
)
from bot.rules import reminders as rules
from bot.services import suggestions, upsert

PURPOSE = "reminders"
REMINDERS = table_of(Reminder)
PENDING, QUEUED, SHOWN, EXPIRED = "pending", "queued", "shown", "expired"
COLUMNS = ["supporter_id", "kind", "subject", "occurrence", "due_on", "expires_on", "status"]
BATCH = 1000


@dataclass
class SweepStats:
    made: dict[str, int] = field(default_factory=dict)  # new reminder rows by kind
    expired: int = 0
    digests: int = 0  # outbox messages queued now

    def add(self, kind: ReminderKind, count: int) -> None:
        if count:
            self.made[kind.value] = self.made.get(kind.value, 0) + count


def wants(kind: ReminderKind | ColumnElement[str], today: date) -> ColumnElement[bool]:
    """The supporter gets reminders of this kind today: active, reminders on, not paused, the kind on.
    `kind` may be a column (a reminder's own kind); the last call follows the birthday's switch."""
    last_call, birthday = ReminderKind.BIRTHDAY_LAST_CALL.value, ReminderKind.BIRTHDAY_MINE.value
    switch: ColumnElement[str] = (
        literal(birthday if kind == last_call else kind.value)
        if isinstance(kind, ReminderKind)
        else case((kind == last_call, birthday), else_=kind)
    )
    listed = "," + func.coalesce(col(Supporter.reminders_off), "") + ","
    return and_(
        col(Supporter.is_active).is_(True),
        col(Supporter.reminders_on).is_(True),
        or_(col(Supporter.reminders_paused_until).is_(None), col(Supporter.reminders_paused_until) < today),
        listed.not_like("%," + switch + ",%"),
    )


async def _insert(session: AsyncSession, rows: Any) -> int:
    """INSERT ... SELECT (or VALUES) of reminder rows; those that exist already are left alone."""
    statement = upsert.insert_ignoring(session, Reminder, ["supporter_id", "kind", "subject", "occurrence"])
    if isinstance(rows, list):
        if not rows:
            return 0
        # One statement executed for many rows (compiled once), counting what was inserted: a VALUES
        # list of a thousand rows was compiled afresh each time (4 s a sweep for 100,000 supporters).
        connection = await session.connection()
        return len((await connection.execute(statement.returning(REMINDERS.c.id), rows)).all())
    else:
        # where(true()): SQLite reads "SELECT ... FROM t ON CONFLICT" as a join without it.
        result = await session.exec(statement.from_select(COLUMNS, rows.where(true())))
    return max(int(result.rowcount), 0)


def _values(due: rules.Due) -> list[Any]:
    return [literal(due.kind.value), literal(due.subject), literal(due.occurrence), literal(due.due_on),
            literal(due.expires_on), literal(PENDING)]  # fmt: skip


def _wrote_within(today: date) -> ColumnElement[bool]:
    return col(Letter.sent_on) >= today - timedelta(days=rules.WROTE_WITHIN_DAYS)


async def sweep(
    database: Database, now: datetime, today: date, local: datetime, *, make: bool = True, expire: bool = True
) -> SweepStats:
    """Everything due today (`make`: the scheduled job does it once a day), expiry and pruning
    (`expire`: only on the real clock), then the digests of supporters whose window is open at `local`."""
    stats = SweepStats()
    steps = (_calendar, _weekly, _birthdays, _last_calls, _releases_soon, _released, _pace) if make else ()
    for step in steps:
        async with database.transaction() as session:
            await step(session, today, now, stats)
    if expire:
        async with database.transaction() as session:
            stats.expired = await _expire(session, today)
    async with database.transaction() as session:
        stats.digests = await queue_digests(session, now, today, local)
    return stats


async def _calendar(session: AsyncSession, today: date, now: datetime, stats: SweepStats) -> None:
    for due in rules.calendar(today):
        rows = rows_of(col(Supporter.id), *_values(due)).where(wants(due.kind, today))
        stats.add(due.kind, await _insert(session, rows))


async def _weekly(session: AsyncSession, today: date, now: datetime, stats: SweepStats) -> None:
    due = rules.weekly(today)
    rows = rows_of(col(Supporter.id), *_values(due)).where(wants(due.kind, today))
    stats.add(due.kind, await _insert(session, rows))


def _wrote_to_born_on(month: int, day: int, today: date, kind: ReminderKind) -> Any:
    """(supporter, prisoner) pairs: the supporter wrote to this writable person lately, born on that day."""
    return (
        rows_of(col(Letter.supporter_id), col(Prisoner.id))
        .join(Prisoner, col(Prisoner.id) == col(Letter.prisoner_id))
        .join(Supporter, col(Supporter.id) == col(Letter.supporter_id))
        .where(
            _wrote_within(today),
            suggestions.writable(),
            col(Prisoner.birth_month) == month,
            col(Prisoner.birth_day) == day,
            wants(kind, today),
        )
        .distinct()
    )


async def _birthdays(session: AsyncSession, today: date, now: datetime, stats: SweepStats) -> None:
    for month, day, on in rules.birthday_dates(today, rules.LAST_CALL_DAYS + 1, rules.LEAD_DAYS):
        due = rules.birthday(0, month, day, today)
        if due is None or due.occurrence != on:
            continue
        pairs = _wrote_to_born_on(month, day, today, due.kind).subquery()
        rows = rows_of(pairs.c.supporter_id, literal(due.kind.value), pairs.c.id, *_values(due)[2:])
        stats.add(due.kind, await _insert(session, rows))


async def _last_calls(session: AsyncSession, today: date, now: datetime, stats: SweepStats) -> None:
    for month, day, on in rules.birthday_dates(today, rules.LATEST_DAYS, rules.LAST_CALL_DAYS):
        due = rules.last_call(0, month, day, today)
        if due is None or due.occurrence != on:
            continue
        pairs = _wrote_to_born_on(month, day, today, due.kind).subquery()
        since = on - timedelta(days=rules.LEAD_DAYS)
        written = exists().where(
            col(Letter.supporter_id) == pairs.c.supporter_id, col(Letter.prisoner_id) == pairs.c.id,
            col(Letter.logged_on) >= since,
        )  # fmt: skip
        rows = rows_of(pairs.c.supporter_id, literal(due.kind.value), pairs.c.id, *_values(due)[2:]).where(~written)
        stats.add(due.kind, await _insert(session, rows))


async def _per_prisoner(
    session: AsyncSession, today: date, stats: SweepStats, found: Iterable[tuple[int, rules.Due]]
) -> None:
    """Reminders about one person, to everyone who wrote to them lately."""
    for prisoner_id, due in found:
        rows = (
            rows_of(col(Letter.supporter_id), *_values(due))
            .join(Supporter, col(Supporter.id) == col(Letter.supporter_id))
            .where(col(Letter.prisoner_id) == prisoner_id, _wrote_within(today), wants(due.kind, today))
            .distinct()
        )
        stats.add(due.kind, await _insert(session, rows))


async def _releases_soon(session: AsyncSession, today: date, now: datetime, stats: SweepStats) -> None:
    nearest, farthest = rules.RELEASE_SOON_DAYS
    result = await session.exec(
        select(col(Prisoner.id), col(Prisoner.expected_release_date)).where(
            suggestions.writable(),
            col(Prisoner.expected_release_date) >= today + timedelta(days=nearest),
            col(Prisoner.expected_release_date) <= today + timedelta(days=farthest),
        )
    )
    found = [(pid or 0, rules.release_soon(pid or 0, expected, today)) for pid, expected in result.all()]
    await _per_prisoner(session, today, stats, [(pid, due) for pid, due in found if due is not None])


async def _released(session: AsyncSession, today: date, now: datetime, stats: SweepStats) -> None:
    # "former" is how the Viasna list marks someone released; "released" is the bot's own word for it.
    freed = [PrisonerStatus.RELEASED.value, PrisonerStatus.FORMER.value]
    result = await session.exec(
        select(Prisoner.id).where(
            col(Prisoner.status).in_(freed),
            col(Prisoner.in_custody).is_(False),
            col(Prisoner.updated_at) >= now - timedelta(days=rules.RELEASED_NEWS_DAYS),
        )
    )
    await _per_prisoner(session, today, stats, [(pid or 0, rules.released(pid or 0, today)) for pid in result.all()])


async def _pace(session: AsyncSession, today: date, now: datetime, stats: SweepStats) -> None:
    last_letter = (
        select(col(Letter.supporter_id), func.max(col(Letter.sent_on)).label("last"))
        .group_by(col(Letter.supporter_id))
        .subquery()
    )
    result = await session.exec(
        select(Supporter.id, Supporter.writing_pace, Supporter.created_at, last_letter.c.last)
        .outerjoin(last_letter, last_letter.c.supporter_id == col(Supporter.id))
        .where(
            col(Supporter.writing_pace).in_([WritingPace.MONTHLY.value, WritingPace.FORTNIGHTLY.value]),
            wants(ReminderKind.PACE, today),
        )
    )
    rows = []
    for supporter_id, chosen, created_at, last in result.all():
        since = max(created_at.date(), _as_date(last)) if last is not None else created_at.date()
        due = rules.pace(chosen, since, today)
        if due is not None:
            rows.append(dict(zip(COLUMNS, [supporter_id, due.kind.value, 0, due.occurrence, due.due_on,
                                            due.expires_on, PENDING], strict=True)))  # fmt: skip
    for start in range(0, len(rows), BATCH):
        stats.add(ReminderKind.PACE, await _insert(session, rows[start : start + BATCH]))


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


async def _expire(session: AsyncSession, today: date) -> int:
    """Reminders whose days passed unsent; and rows kept no longer than /privacy says."""
    result = await session.exec(
        update(REMINDERS).where(REMINDERS.c.status == PENDING, REMINDERS.c.expires_on < today).values(status=EXPIRED)
    )
    await prune(session, today)
    return max(int(result.rowcount), 0)


async def prune(session: AsyncSession, today: date) -> None:
    keep_since = today - timedelta(days=privacy.REMINDER_KEEP_DAYS)
    news_since = today - timedelta(days=privacy.RELEASE_NEWS_KEEP_DAYS)
    await session.exec(
        delete(Reminder).where(
            or_(
                and_(col(Reminder.kind) != ReminderKind.RELEASED.value, col(Reminder.expires_on) < keep_since),
                col(Reminder.expires_on) < news_since,
            )
        )
    )


def _due_today(today: date) -> ColumnElement[bool]:
    return and_(col(Reminder.status) == PENDING, col(Reminder.due_on) <= today, col(Reminder.expires_on) >= today)


async def queue_digests(session: AsyncSession, now: datetime, today: date, local: datetime) -> int:
    """One outbox message per supporter and day, for those whose window is open now and who have
    something due; a supporter whose message today went out already gets the rest tomorrow."""
    window = rules.open_window(local)
    if window is None:
        return 0
    key = today.isoformat()
    eligible = (
        rows_of(col(Reminder.supporter_id), literal(PURPOSE), literal(key), literal(PENDING), literal(0), literal(now))
        .join(Supporter, col(Supporter.id) == col(Reminder.supporter_id))
        .where(_due_today(today), col(Supporter.reminder_window) == window.value, wants(REMINDERS.c.kind, today))
        .distinct()
    )
    statement = upsert.insert_ignoring(session, Outbox, ["supporter_id", "purpose", "key"]).from_select(
        ["supporter_id", "purpose", "key", "status", "attempts", "created_at"], eligible.where(true())
    )
    made = max(int((await session.exec(statement)).rowcount), 0)
    digest = (
        select(col(Outbox.id))
        .where(
            col(Outbox.supporter_id) == col(Reminder.supporter_id),
            col(Outbox.purpose) == PURPOSE,
            col(Outbox.key) == key,
            col(Outbox.status) == PENDING,
        )
        .scalar_subquery()
    )
    enabled = exists().where(col(Supporter.id) == col(Reminder.supporter_id), wants(REMINDERS.c.kind, today))
    await session.exec(
        # The table, not the model: the ORM would add RETURNING and pull every id into Python.
        update(REMINDERS).where(_due_today(today), digest.is_not(None), enabled).values(status=QUEUED, outbox_id=digest)
    )
    return made


async def queued(session: AsyncSession, outbox_id: int) -> list[Reminder]:
    result = await session.exec(
        select(Reminder).where(col(Reminder.outbox_id) == outbox_id, col(Reminder.status) == QUEUED)
    )
    return list(result.all())


async def overtaken(session: AsyncSession, reminder: Reminder) -> bool:
    """A letter logged since made this reminder needless: the last call answered (it is sent only if no
    letter to that person was logged since the first reminder), the pace kept. Checked again when the
    digest is sent, since the sweep may have run hours before."""
    kind = ReminderKind(reminder.kind)
    since = {
        ReminderKind.BIRTHDAY_LAST_CALL: reminder.occurrence - timedelta(days=rules.LEAD_DAYS),
        ReminderKind.PACE: reminder.occurrence,
    }.get(kind)
    if since is None:
        return False
    condition = [col(Letter.supporter_id) == reminder.supporter_id, col(Letter.logged_on) >= since]
    if kind != ReminderKind.PACE:
        condition.append(col(Letter.prisoner_id) == reminder.subject)
    return (await session.exec(select(Letter.id).where(*condition).limit(1))).first() is not None


async def shown(session: AsyncSession, reminder: Reminder) -> None:
    """In the message being sent: what delivery records is its outcome (see finish)."""
    reminder.status = SHOWN
    session.add(reminder)


async def defer(session: AsyncSession, reminder: Reminder) -> None:
    """Not in today's message (it is full): pending again, for the next day's."""
    reminder.status, reminder.outbox_id = PENDING, None
    session.add(reminder)


async def drop(session: AsyncSession, reminder: Reminder) -> None:
    """A reminder that no longer holds when its digest is made: it is not sent."""
    reminder.status, reminder.outbox_id = "dropped", None
    session.add(reminder)


async def finish(session: AsyncSession, outbox_id: int, status: str) -> None:
    """What delivery recorded for the message becomes the status of each reminder shown in it. When the
    message was rendered, one attached after that (by another process's sweep) was not in it: it waits
    for the next day. Without a render (the user blocked the bot), the outcome is every reminder's."""
    mine = REMINDERS.c.outbox_id == outbox_id
    shown = await session.exec(update(REMINDERS).where(mine, REMINDERS.c.status == SHOWN).values(status=status))
    if shown.rowcount:
        await session.exec(
            update(REMINDERS).where(mine, REMINDERS.c.status == QUEUED).values(status=PENDING, outbox_id=None)
        )
    else:
        await session.exec(update(REMINDERS).where(mine, REMINDERS.c.status == QUEUED).values(status=status))


async def later(session: AsyncSession, supporter_id: int, outbox_id: int, tomorrow: date) -> int:
    """ "Remind me tomorrow", pressed under the supporter's own message of today or yesterday: its
    reminders come again in tomorrow's window, a day past their last day at most (an older message, or
    an occasion whose time has gone, is not brought back). Returns how many will come."""
    digest = await session.get(Outbox, outbox_id)
    recent = {(tomorrow - timedelta(days=days)).isoformat() for days in (1, 2)}
    if digest is None or digest.supporter_id != supporter_id or digest.key not in recent:
        return 0
    mine = await session.exec(select(Reminder).where(col(Reminder.outbox_id) == outbox_id))
    count = 0
    for reminder in mine.all():
        reminder.outbox_id = None
        if tomorrow > reminder.expires_on + timedelta(days=1):
            reminder.status = EXPIRED
        else:
            reminder.status, reminder.due_on, reminder.expires_on = (
                PENDING,
                tomorrow,
                max(reminder.expires_on, tomorrow),
            )
            count += 1
        session.add(reminder)
    return count


async def set_switches(session: AsyncSession, supporter: Supporter, off: set[ReminderKind]) -> None:
    supporter.reminders_off = rules.store_switched_off(off)
    session.add(supporter)


async def birthdays_soon(session: AsyncSession, today: date, supporter_id: int, limit: int = 3) -> list[Prisoner]:
    """Up to three writable people whose birthday is 21-28 days away, chosen as /suggest chooses: among
    the fewest recent letters, at random per supporter and week, so that not everyone gets the same three."""
    earliest, latest = rules.BIRTHDAYS_SOON_DAYS
    pairs = [(month, day) for month, day, _ in rules.birthday_dates(today, earliest, latest)]
    codes = [month * 100 + day for month, day in pairs]
    result = await session.exec(
        select(Prisoner)
        .where(suggestions.writable(), (col(Prisoner.birth_month) * 100 + col(Prisoner.birth_day)).in_(codes))
        .order_by(col(Prisoner.load_ref), col(Prisoner.id))
        .limit(suggestions.CANDIDATES)
    )
    candidates = list(result.all())
    pool = candidates[: max(limit, len(candidates) // 3)]  # the least written to third, at least `limit`
    chosen = random.Random(supporter_id * 10_000 + today.toordinal() // 7).sample(pool, min(limit, len(pool)))
    return sorted(chosen, key=lambda prisoner: (prisoner.load_ref, prisoner.id or 0))


async def due_counts(session: AsyncSession, today: date) -> dict[str, int]:
    """Reminders that may be sent today, by kind: what `letterbot reminders due` prints."""
    result = await session.exec(
        select(Reminder.kind, func.count())
        .where(_due_today(today) | (col(Reminder.status) == QUEUED))
        .group_by(col(Reminder.kind))
    )
    return {kind: int(count) for kind, count in result.all()}
