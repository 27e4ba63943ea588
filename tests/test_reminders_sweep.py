"""The reminder sweep against a real database: what is due is written once, for the right people, and
gathered into one message a day in the supporter's window."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import col, select

from bot.db import Database
from bot.importing import record
from bot.models import Letter, LetterKind, Outbox, Prisoner, Reminder, Supporter
from bot.services import letters, prisoners, reminders, supporters

MINSK = ZoneInfo("Europe/Minsk")


def moment(day: date, hour: int = 19) -> tuple[datetime, date, datetime]:
    """(now in UTC, today, local time) at `hour` o'clock in Minsk on `day`."""
    local = datetime(day.year, day.month, day.day, hour, tzinfo=MINSK)
    return local.astimezone(UTC), day, local


def person(source_id: str, **extra: str) -> dict[str, Any]:
    row = {"source_id": source_id, "name_be": f"Асоба {source_id}", "name_ru": f"Персона {source_id}",
           "status": "active", "institution_be": "ПК №1", "institution_ru": "ИК №1",
           "address_be": "вул. Кірава, 1\n230023, г. Гродна", "address_ru": "ул. Кирова, 1\n230023, г. Гродно",
           **extra}  # fmt: skip
    result = record.parse_row(row, source_id)
    assert not result.errors, result.errors
    return result.values


async def setup(database: Database, people: list[dict[str, Any]], supporters_at: datetime) -> dict[str, int]:
    async with database.transaction() as session:
        await prisoners.upsert(session, people, now=supporters_at, actor=None)
        found = await prisoners.by_source_id(session, [p["source_id"] for p in people])
        return {source_id: p.id or 0 for source_id, p in found.items()}


async def supporter(database: Database, telegram_id: int, at: datetime, **settings: Any) -> int:
    async with database.transaction() as session:
        found = await supporters.touch(session, telegram_id, at)
        for key, value in settings.items():
            setattr(found, key, value)
        session.add(found)
        return found.id or 0


async def log(database: Database, supporter_id: int, prisoner_id: int, sent_on: date) -> None:
    async with database.transaction() as session:
        outcome = await letters.record(
            session, supporter_id=supporter_id, prisoner_id=prisoner_id, sent_on=sent_on, kind=LetterKind.LETTER,
            occasion=None, now=datetime.combine(sent_on, datetime.min.time(), UTC), today=sent_on, daily_cap=10,
        )  # fmt: skip
        assert outcome is letters.Outcome.SAVED


async def rows(database: Database) -> list[tuple[int, str, int, date, str]]:
    async with database.transaction() as session:
        found = await session.exec(
            select(
                Reminder.supporter_id, Reminder.kind, Reminder.subject, Reminder.occurrence, Reminder.status
            ).order_by(col(Reminder.supporter_id), col(Reminder.kind), col(Reminder.occurrence))
        )
        return [(s, k, p, o if isinstance(o, date) else date.fromisoformat(str(o)), st) for s, k, p, o, st in found]


async def test_21_may_is_due_21_days_before_once_and_not_for_those_who_said_no(database: Database) -> None:
    start = moment(date(2026, 4, 1))[0]
    everyone = await supporter(database, 1, start)
    await supporter(database, 2, start, reminders_off="may21")
    await supporter(database, 3, start, reminders_on=False)
    await supporter(database, 4, start, reminders_paused_until=date(2026, 5, 15))
    await supporter(database, 5, start, is_active=False)
    assert await rows(database) == []
    for hour in (10, 19, 19):  # outside the window, then twice within it
        stats = await reminders.sweep(database, *moment(date(2026, 4, 30), hour))
    assert stats.made == {} or "may21" not in stats.made  # the second run makes nothing new
    found = [(s, k, o) for s, k, _, o, _ in await rows(database) if k == "may21"]
    assert found == [(everyone, "may21", date(2026, 5, 21))]


async def test_birthdays_of_people_i_wrote_to_and_the_last_call(database: Database) -> None:
    start = moment(date(2026, 1, 1))[0]
    ids = await setup(database, [person("a", birth_date="1980-06-30"), person("b", birth_date="1980-06"),
                                 person("c", birth_date="1980-06-30")], start)  # fmt: skip
    wrote_id, silent_id = [await supporter(database, n, start) for n in (10, 11)]
    await supporter(database, 12, start)  # wrote to no one
    for who in (wrote_id, silent_id):
        for source_id in ("a", "b"):
            await log(database, who, ids[source_id], date(2026, 1, 10))
    await reminders.sweep(database, *moment(date(2026, 6, 9)))  # 21 days before 30 June
    birthday = {(s, p) for s, k, p, _, _ in await rows(database) if k == "bday_mine"}
    assert birthday == {(wrote_id, ids["a"]), (silent_id, ids["a"])}  # not "b" (month only), not "c" (not written)
    await log(database, wrote_id, ids["a"], date(2026, 6, 12))  # wrote after the reminder
    await reminders.sweep(database, *moment(date(2026, 6, 20)))  # 10 days before
    last = {(s, p) for s, k, p, _, _ in await rows(database) if k == "bday_last"}
    assert last == {(silent_id, ids["a"])}


async def test_29_february_is_remembered_on_28_february_in_a_common_year(database: Database) -> None:
    start = moment(date(2026, 1, 1))[0]
    ids = await setup(database, [person("leap", birth_date="1984-02-29")], start)
    who = await supporter(database, 20, start)
    await log(database, who, ids["leap"], date(2026, 1, 5))
    await reminders.sweep(database, *moment(date(2026, 2, 7)))  # 21 days before 28 February 2027? no: 2026
    assert [(k, o) for _, k, _, o, _ in await rows(database) if k == "bday_mine"] == [("bday_mine", date(2026, 2, 28))]


async def test_one_message_a_day_gathers_what_is_due(database: Database) -> None:
    start = moment(date(2026, 3, 1))[0]
    ids = await setup(database, [person("a", birth_date="1980-05-21")], start)
    who = await supporter(database, 30, start, writing_pace="monthly")
    await log(database, who, ids["a"], date(2026, 3, 20))
    stats = await reminders.sweep(database, *moment(date(2026, 4, 30), 19))
    assert stats.digests == 1
    async with database.transaction() as session:
        digests = (await session.exec(select(Outbox))).all()
        assert [(o.supporter_id, o.purpose, o.key) for o in digests] == [(who, "reminders", "2026-04-30")]
        queued = await reminders.queued(session, digests[0].id or 0)
    assert sorted(r.kind for r in queued) == ["bday_mine", "bday_soon", "may21", "pace"]
    again = await reminders.sweep(database, *moment(date(2026, 4, 30), 20))
    assert again.digests == 0
    async with database.transaction() as session:
        await reminders.finish(session, digests[0].id or 0, "sent")
        digests[0].status = "sent"
        session.add(digests[0])
    # Something new due later the same day waits for tomorrow: one message a day.
    async with database.transaction() as session:
        session.add(Reminder(supporter_id=who, kind="released", subject=ids["a"], occurrence=date(2000, 1, 1),
                             due_on=date(2026, 4, 30), expires_on=date(2026, 5, 10)))  # fmt: skip
    assert (await reminders.sweep(database, *moment(date(2026, 4, 30), 20))).digests == 0
    assert (await reminders.sweep(database, *moment(date(2026, 5, 1), 19))).digests == 1


async def test_a_window_other_than_the_supporters_sends_nothing(database: Database) -> None:
    start = moment(date(2026, 4, 1))[0]
    await supporter(database, 40, start, reminder_window="morning")
    assert (await reminders.sweep(database, *moment(date(2026, 4, 30), 19))).digests == 0
    assert (await reminders.sweep(database, *moment(date(2026, 5, 1), 10))).digests == 1


async def test_release_soon_and_released(database: Database) -> None:
    start = moment(date(2026, 1, 1))[0]
    ids = await setup(database, [person("soon", expected_release_date="2026-07-01"), person("out")], start)
    who = await supporter(database, 50, start)
    for source_id in ids:
        await log(database, who, ids[source_id], date(2026, 1, 5))
    await reminders.sweep(database, *moment(date(2026, 5, 20)))  # 42 days before the release
    released_row = person("out", status="released", in_custody="false", institution_be="", institution_ru="",
                          address_be="", address_ru="")  # fmt: skip
    now = moment(date(2026, 5, 21))[0]
    async with database.transaction() as session:
        await prisoners.upsert(session, [released_row], now=now, actor=None)
    for day in (21, 22):
        await reminders.sweep(database, *moment(date(2026, 5, day)))
    kinds = [(k, p) for _, k, p, _, _ in await rows(database) if k in ("release_soon", "released")]
    assert sorted(kinds) == [("release_soon", ids["soon"]), ("released", ids["out"])]


async def test_pace_nudges_once_per_silent_period(database: Database) -> None:
    start = moment(date(2026, 1, 1))[0]
    monthly = await supporter(database, 60, start, writing_pace="monthly")
    await supporter(database, 61, start, writing_pace="occasions")
    for day in range(1, 70):
        await reminders.sweep(database, *moment(date(2026, 1, 1) + timedelta(days=day), 10))
    pace = [(s, o) for s, k, _, o, _ in await rows(database) if k == "pace"]
    assert pace == [(monthly, date(2026, 1, 31)), (monthly, date(2026, 3, 2))]


async def test_expired_reminders_are_not_sent(database: Database) -> None:
    start = moment(date(2026, 4, 1))[0]
    who = await supporter(database, 70, start, reminder_window="morning")
    await reminders.sweep(database, *moment(date(2026, 4, 30), 19))  # due, but outside the window
    await reminders.sweep(database, *moment(date(2026, 5, 11), 19))  # 21 May minus 10: no longer worth it
    statuses = {k: st for s, k, _, _, st in await rows(database) if s == who}
    assert statuses["may21"] == "expired"
    async with database.transaction() as session:
        assert (await session.exec(select(func.count()).select_from(Outbox))).one() == 0


async def test_forget_removes_the_reminders(database: Database) -> None:
    start = moment(date(2026, 4, 1))[0]
    await supporter(database, 80, start)
    await reminders.sweep(database, *moment(date(2026, 4, 30), 19))
    async with database.transaction() as session:
        await supporters.forget(session, 80, start)
    async with database.transaction() as session:
        for model in (Reminder, Outbox, Supporter, Letter, Prisoner):
            assert (await session.exec(select(func.count()).select_from(model))).one() == 0, model
