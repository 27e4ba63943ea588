"""Reminders end to end: the real bot, the emulated Bot API over HTTP, an injected clock. A reminder
arrives in the chosen window, in the supporter's language, its buttons work, and /reminders changes
what arrives."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import select

from bot import jobs
from bot.importing import record
from bot.models import Outbox, Reminder, Supporter
from bot.services import letters, prisoners, supporters
from tests.harness import Harness, Person, buttons

BIRTHDAY = date(2026, 3, 22)  # 21 days after the harness's first day, 1 March 2026


def deps(bot: Harness) -> Any:
    return bot.application.bot_data["deps"]


async def tick(bot: Harness) -> None:
    """One round of the scheduled reminder job, as APScheduler would run it."""
    await jobs.run_reminders(deps(bot), bot.application.bot, jobs.pacer_for(deps(bot)))


def to_minsk_hour(bot: Harness, day: date, hour: int) -> None:
    target = datetime(day.year, day.month, day.day, hour - 3, 0, tzinfo=UTC)  # Minsk is UTC+3
    bot.clock.advance((target - bot.clock.utc()).total_seconds())


async def someone_i_wrote_to(bot: Harness, person: Person, gender: str = "female") -> int:
    row = record.parse_row(
        {"source_id": "r1", "name_be": "Вольга Коваль", "name_ru": "Ольга Коваль", "name_en": "Volha Koval",
         "gender": gender, "birth_date": f"1985-{BIRTHDAY.month:02d}-{BIRTHDAY.day:02d}", "status": "active",
         "institution_be": "ПК №4", "institution_ru": "ИК №4", "address_be": "вул. Антошкіна, 3\n246035, г. Гомель",
         "address_ru": "ул. Антошкина, 3\n246035, г. Гомель"}, "line 2",
    )  # fmt: skip
    async with deps(bot).db.transaction() as session:
        await prisoners.upsert(session, [row.values], now=bot.clock.utc(), actor=None)
        pid = (await prisoners.by_source_id(session, ["r1"]))["r1"].id or 0
        supporter = await supporters.touch(session, person.id, bot.clock.utc())
        await letters.record(
            session, supporter_id=supporter.id or 0, prisoner_id=pid, sent_on=date(2026, 2, 1),
            kind=letters.LetterKind.LETTER, occasion=None, now=bot.clock.utc(), today=date(2026, 2, 1), daily_cap=10,
        )  # fmt: skip
    return pid


def reminders_in(person: Person) -> list[dict[str, Any]]:
    return [m for m in person.messages() if m["text"].startswith("🔔")]


async def test_a_birthday_reminder_arrives_in_the_evening_and_its_buttons_work(bot: Harness) -> None:
    person = bot.person(9101, "Ala", language_code="en")
    await person.send("/start")
    await someone_i_wrote_to(bot, person)
    to_minsk_hour(bot, date(2026, 3, 1), 12)
    await tick(bot)
    assert reminders_in(person) == []  # due today, but the window is the evening
    to_minsk_hour(bot, date(2026, 3, 1), 19)
    await tick(bot)
    await tick(bot)  # a second round sends nothing twice
    sent = reminders_in(person)
    assert len(sent) == 1
    text = sent[0]["text"]
    assert text.splitlines()[0] == "🔔 A gentle reminder"  # the lock screen names no one
    assert "Volha Koval has her birthday on 22 March" in text and "by 4 March" in text
    await person.press("✉️ Volha Koval", sent[0])
    card = person.last()
    assert card["message_id"] != sent[0]["message_id"]  # a new message: the reminder stays
    assert "Volha Koval" in card["text"] and "Address for the envelope" in card["text"]
    answer = await person.press("⏰ Remind me tomorrow", sent[0])
    assert answer is not None and answer["text"] == "I will remind you tomorrow."
    to_minsk_hour(bot, date(2026, 3, 2), 19)
    await tick(bot)
    assert len(reminders_in(person)) == 2
    answer = await person.press("🔕", reminders_in(person)[-1])
    assert answer is not None and "No more reminders like this" in answer["text"]
    async with deps(bot).db.transaction() as session:
        stored = (await session.exec(select(Supporter.reminders_off).where(Supporter.telegram_id == person.id))).one()
    assert stored == "bday_mine"
    to_minsk_hour(bot, date(2026, 3, 12), 19)  # the last call would be due now, but the kind is off
    await tick(bot)
    assert len(reminders_in(person)) == 2


@pytest.mark.parametrize(
    ("code", "first_line", "line"),
    [
        ("ru", "🔔 Небольшое напоминание", "Ольга Коваль: день рождения 22 марта"),
        ("be", "🔔 Невялікі напамін", "Вольга Коваль: дзень нараджэння 22 сакавіка"),
    ],
)
async def test_a_reminder_speaks_the_supporters_language(bot: Harness, code: str, first_line: str, line: str) -> None:
    person = bot.person(9102, "Alena", language_code=code)
    await person.send("/start")
    await someone_i_wrote_to(bot, person, gender="male")
    to_minsk_hour(bot, date(2026, 3, 1), 19)
    await tick(bot)
    (sent,) = reminders_in(person)
    assert sent["text"].splitlines()[0] == first_line
    assert line in sent["text"]


async def test_reminders_settings_change_what_arrives(bot: Harness) -> None:
    person = bot.person(9103, "Ala", language_code="en")
    await person.send("/start")
    await someone_i_wrote_to(bot, person)
    screen = await person.send("/reminders")
    assert "Reminders are on" in screen["text"] and "Minsk" in screen["text"]
    await person.press("Morning, 9-12")
    assert "✓ Morning, 9-12" in buttons(person.last())
    to_minsk_hour(bot, date(2026, 3, 1), 19)
    await tick(bot)
    assert reminders_in(person) == []  # not in the evening any more
    await person.press("Pause for a month")
    assert "paused until" in person.last()["text"]
    to_minsk_hour(bot, date(2026, 3, 2), 10)
    await tick(bot)
    assert reminders_in(person) == []  # paused
    await person.press("Resume")
    to_minsk_hour(bot, date(2026, 3, 3), 10)
    await tick(bot)
    assert len(reminders_in(person)) == 1
    await person.press("Turn all off")
    settings = next(m for m in person.messages() if m["message_id"] == screen["message_id"])
    assert "All reminders are off." in settings["text"]
    to_minsk_hour(bot, date(2026, 3, 4), 10)
    await tick(bot)
    assert len(reminders_in(person)) == 1


async def test_nothing_reaches_a_user_who_blocked_the_bot_or_forgot(bot: Harness) -> None:
    blocked = bot.person(9104, "Ala", language_code="en")
    forgot = bot.person(9105, "Ola", language_code="en")
    for person in (blocked, forgot):
        await person.send("/start")
        await someone_i_wrote_to(bot, person)
    await bot.telegram.wait_processed(await bot.telegram.block(blocked.id))
    await forgot.send("/forget")
    await forgot.press("Yes, delete everything")
    to_minsk_hour(bot, date(2026, 3, 1), 19)
    await tick(bot)
    assert reminders_in(blocked) == [] and reminders_in(forgot) == []
    async with deps(bot).db.transaction() as session:
        assert (await session.exec(select(func.count()).select_from(Outbox))).one() == 0
        kinds = (await session.exec(select(Reminder.kind))).all()
    assert kinds == []


async def test_a_user_who_blocked_the_bot_meanwhile_is_marked_inactive(bot: Harness) -> None:
    person = bot.person(9106, "Ala", language_code="en")
    await person.send("/start")
    await someone_i_wrote_to(bot, person)
    bot.telegram.chat(person.id).blocked = True  # blocked, and the bot has not heard of it yet
    to_minsk_hour(bot, date(2026, 3, 1), 19)
    await tick(bot)
    async with deps(bot).db.transaction() as session:
        active = (await session.exec(select(Supporter.is_active).where(Supporter.telegram_id == person.id))).one()
        statuses = (await session.exec(select(Outbox.status))).all()
    assert active is False and statuses == ["blocked"]
    bot.telegram.state.calls = [c for c in bot.telegram.state.calls if c.error_code != 403]


async def test_a_reminder_sent_late_never_asks_to_post_by_a_day_gone(bot: Harness) -> None:
    person = bot.person(9107, "Ala", language_code="en")
    await person.send("/start")
    await someone_i_wrote_to(bot, person)
    await person.send("/reminders")
    await person.press("Pause for a month")
    await person.press("Resume")  # the next day: the reminder due on 1 March goes out on 6 March
    to_minsk_hour(bot, date(2026, 3, 6), 19)
    await tick(bot)
    (sent,) = reminders_in(person)
    assert "has her birthday on 22 March" in sent["text"] and "by 6 March" in sent["text"]


async def test_the_settings_button_under_a_reminder_leaves_the_reminder(bot: Harness) -> None:
    person = bot.person(9108, "Ala", language_code="en")
    await person.send("/start")
    await someone_i_wrote_to(bot, person)
    to_minsk_hour(bot, date(2026, 3, 1), 19)
    await tick(bot)
    (sent,) = reminders_in(person)
    text = sent["text"]
    await person.press("⚙️ Reminders", sent)
    assert "Tap a kind of reminder" in person.last()["text"]
    assert next(m for m in person.messages() if m["message_id"] == sent["message_id"])["text"] == text


async def test_remind_me_tomorrow_only_for_ones_own_recent_message(bot: Harness) -> None:
    person, other = bot.person(9109, "Ala", language_code="en"), bot.person(9110, "Ola", language_code="en")
    for who in (person, other):
        await who.send("/start")
        await someone_i_wrote_to(bot, who)
    to_minsk_hour(bot, date(2026, 3, 1), 19)
    await tick(bot)
    (mine,) = reminders_in(person)
    (theirs,) = reminders_in(other)
    their_later = next(b["callback_data"] for row in theirs["reply_markup"]["inline_keyboard"] for b in row
                       if b["text"].startswith("⏰"))  # fmt: skip
    forged = await person.press_data(mine["message_id"], their_later)
    assert forged is not None and forged["text"] == "This button is no longer valid."
    to_minsk_hour(bot, date(2026, 3, 25), 10)  # weeks later, the birthday has passed
    late = await person.press("⏰ Remind me tomorrow", mine)
    assert late is not None and late["text"] == "This button is no longer valid."
    to_minsk_hour(bot, date(2026, 3, 26), 19)
    await tick(bot)
    assert len(reminders_in(person)) == 1  # nothing came back


async def test_a_message_left_unsent_by_a_stop_waits_for_its_window(bot: Harness) -> None:
    person = bot.person(9111, "Ala", language_code="en")
    await person.send("/start")
    await someone_i_wrote_to(bot, person)
    to_minsk_hour(bot, date(2026, 3, 1), 20)
    await jobs.run_reminders(deps(bot), bot.application.bot, jobs.pacer_for(deps(bot)), send=False)  # then a stop
    to_minsk_hour(bot, date(2026, 3, 2), 3)  # started again at night
    await tick(bot)
    assert reminders_in(person) == []  # not at three in the morning
    to_minsk_hour(bot, date(2026, 3, 2), 19)
    await tick(bot)
    await tick(bot)
    assert len(reminders_in(person)) == 1  # in the evening, once
