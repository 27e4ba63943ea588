"""/stats: the figures on a small known dataset, on SQLite and PostgreSQL (the Gini of a known
distribution, weekly buckets at week boundaries in BOT_TIMEZONE, the share of writable people reached,
the people waiting longest), and end to end: a coordinator gets the figures and a chart the emulated
Bot API took as a photo; a supporter is refused."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot import LOCALES_DIR, TEMPLATES_DIR
from bot.db import Database
from bot.handlers import menu
from bot.i18n import I18n
from bot.models import LetterKind, LetterTally, Prisoner, PrisonerStatus, Role, Supporter
from bot.services import letters, roles, stats, supporters
from tests.harness import FakeClock, Harness, seed_demo

MINSK = ZoneInfo("Europe/Minsk")
NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)  # a Sunday
TODAY = NOW.date()
WEEK = date(2026, 2, 23)  # the Monday of TODAY's week


def person(source_id: str, **changes: Any) -> Prisoner:
    values: dict[str, Any] = {
        "source_id": source_id, "name_be": f"Асоба {source_id}", "name_ru": f"Персона {source_id}",
        "name_en": f"Person {source_id}", "status": PrisonerStatus.ACTIVE.value, "updated_at": NOW,
    }  # fmt: skip
    return Prisoner(**(values | changes))


async def add_people(database: Database, *people: Prisoner) -> dict[str, int]:
    async with database.transaction() as session:
        for one in people:
            session.add(one)
        await session.flush()
        return {one.source_id: one.id or 0 for one in people}


async def add_tallies(database: Database, ids: dict[str, int], tallies: list[tuple[str, date, int]]) -> None:
    async with database.transaction() as session:
        for source_id, day, count in tallies:
            session.add(LetterTally(prisoner_id=ids[source_id], day=day, letters=count))


async def figures(database: Database, now: datetime = NOW, today: date = TODAY) -> stats.Stats:
    async with database.transaction() as session:
        return await stats.compute(session, now=now, today=today)


def test_the_gini_of_known_distributions() -> None:
    def of(counts: list[int]) -> float:  # the formula, fed as the database feeds it
        ordered = sorted(counts)
        return stats.gini(len(ordered), sum(ordered), sum((i + 1) * x for i, x in enumerate(ordered)))

    assert of([3, 3, 3, 3]) == 0.0
    assert of([0, 0, 0, 4]) == pytest.approx(0.75)  # one of four got all: (n - 1) / n
    assert of([0, 0, 0, 2, 4]) == pytest.approx(2 / 3)
    assert of([1, 2, 3, 4, 5]) == pytest.approx(4 / 15)
    assert of([0, 0]) == 0.0 and of([]) == 0.0


async def test_the_figures_of_a_known_dataset(database: Database) -> None:
    ids = await add_people(
        database,
        *(person(f"w{n}") for n in range(1, 6)),
        person("released", status=PrisonerStatus.RELEASED.value, in_custody=False),
        person("blocked", can_write=False),
    )
    await add_tallies(
        database, ids,
        [
            ("w1", TODAY, 3), ("w1", TODAY - timedelta(days=10), 1),
            ("w1", TODAY - timedelta(days=5), 0),  # logged, then deleted: no letter
            ("w2", TODAY - timedelta(days=29), 2),  # the oldest day of the last 30
            ("w3", TODAY - timedelta(days=30), 1),  # not within 30 days, within 60
            ("w4", TODAY - timedelta(days=60), 1),  # not within 60 days
            ("w4", TODAY - timedelta(days=400), 1),
            ("released", TODAY, 5),  # not writable now: no part of the writable figures, but of the weeks
            ("blocked", TODAY - timedelta(days=1), 1),
        ],
    )  # fmt: skip
    got = await figures(database)
    # Writable: w1-w5. In 30 days: w1 4, w2 2, the rest 0, so sorted 0, 0, 0, 2, 4.
    assert (got.writable, got.reached) == (5, 2)
    assert got.reached_share == pytest.approx(0.4)
    assert got.gini == pytest.approx(2 / 3)
    # No letter in 60 days: w5 (never, named first) and w4 (last on TODAY - 60).
    assert got.quiet == 2
    assert [(q.source_id, q.last_letter) for q in got.quiet_named] == [
        ("w5", None), ("w4", TODAY - timedelta(days=60))
    ]  # fmt: skip
    assert got.quiet_named[0].name_ru == "Персона w5"
    # The weeks: all letters, whoever got them, by the day they were sent.
    assert len(got.weeks) == stats.WEEKS and got.weeks[-1][0] == WEEK
    weeks = dict(got.weeks)
    assert weeks[WEEK] == 3 + 5 + 1  # today w1 and the released person, 28 February the blocked one; 24th: 0
    assert weeks[WEEK - timedelta(weeks=1)] == 1  # w1 on 19 February
    assert weeks[date(2026, 1, 26)] == 2 + 1  # 30 and 31 January
    assert weeks[date(2025, 12, 29)] == 1  # 31 December
    assert sum(weeks.values()) == 14  # the letter 400 days ago is older than the twelve weeks


async def test_weeks_begin_on_monday_in_the_bots_time_zone(database: Database) -> None:
    ids = await add_people(database, person("w1"))
    first_monday = WEEK - timedelta(weeks=stats.WEEKS - 1)
    await add_tallies(
        database, ids,
        [("w1", first_monday - timedelta(days=1), 1), ("w1", first_monday, 2), ("w1", WEEK - timedelta(days=1), 4),
         ("w1", WEEK, 8), ("w1", WEEK + timedelta(days=7), 16)],
    )  # fmt: skip
    clock = FakeClock(start=datetime(2026, 3, 1, 20, 59, tzinfo=UTC))  # 23:59 on Sunday in Minsk

    def today() -> date:
        return clock.utc().astimezone(MINSK).date()

    sunday = await figures(database, clock.utc(), today())
    assert sunday.weeks[0] == (first_monday, 2)  # the Sunday before the first week is not in it
    assert sunday.weeks[-2:] == [(WEEK - timedelta(weeks=1), 4), (WEEK, 8)]
    clock.advance(60)  # midnight in Minsk, still 1 March in UTC: a new week has begun
    monday = await figures(database, clock.utc(), today())
    assert monday.weeks[-1] == (WEEK + timedelta(days=7), 16) and monday.weeks[-2] == (WEEK, 8)
    assert monday.weeks[0] == (first_monday + timedelta(weeks=1), 0)


async def test_active_supporters_are_those_seen_in_30_days(database: Database) -> None:
    async with database.transaction() as session:
        for telegram_id, seen in enumerate(
            [NOW, NOW - timedelta(days=30), NOW - timedelta(days=30, seconds=1), NOW - timedelta(days=200)], start=1
        ):
            session.add(Supporter(telegram_id=telegram_id, created_at=seen, last_seen_at=seen))
    assert (await figures(database)).active_supporters == 2


async def test_forget_leaves_the_past_counted(database: Database) -> None:
    """Why the figures come from the tallies: a supporter's /forget deletes their letter rows, and the
    figures keep every letter but those logged in its last 30 days (which /forget takes back)."""
    ids = await add_people(database, person("w1"), person("w2"))
    async with database.transaction() as session:
        supporter = await supporters.touch(session, 42, NOW)
        for prisoner, sent_on in (("w1", TODAY - timedelta(days=45)), ("w2", TODAY - timedelta(days=2))):
            logged = sent_on  # logged the day it was sent
            outcome = await letters.record(
                session, supporter_id=supporter.id or 0, prisoner_id=ids[prisoner], sent_on=sent_on,
                kind=LetterKind.LETTER, occasion=None, now=NOW, today=logged, daily_cap=10,
            )  # fmt: skip
            assert outcome is letters.Outcome.SAVED
    before = await figures(database)
    assert sum(n for _, n in before.weeks) == 2 and before.reached == 1 and before.quiet == 0
    async with database.transaction() as session:
        await supporters.forget(session, 42, NOW)
        assert (await session.exec(select(LetterTally))).all()  # the counts outlive the rows
    after = await figures(database)
    assert sum(n for _, n in after.weeks) == 1  # the letter logged 45 days ago stays counted
    assert (after.reached, after.quiet) == (0, 1)  # the one logged 2 days ago was taken back


def test_days_and_weeks_agree_with_their_number_in_every_language() -> None:
    """Each period is a plural of its own: 21 days and 21 weeks take the singular in be and ru, 22 the
    "few" form; the figures beside them stay plain numbers."""
    i18n = I18n(LOCALES_DIR, TEMPLATES_DIR, "en")
    figures = {"active_supporters": 5, "writable": 3, "reached": 1, "quiet": 2, "weeks": []}

    def page(locale: str, days: int, weeks: int) -> str:
        shown = {"share": "1 %", "gini": "0", "quiet": []}
        stats_text = i18n.render(
            locale, "stats", figures=figures, active_days=days, weeks=weeks, quiet_days=days, **shown
        )
        audit = {"rows": [], "first": False, "last": True, "days": days}
        refused = i18n.render(locale, "audit", **audit, refused=[("grant", 2)], refused_total=2)
        return stats_text + i18n.render(locale, "audit", **audit, refused=[], refused_total=0) + refused

    ru, be, en = page("ru", 21, 21), page("be", 22, 22), page("en", 1, 1)
    assert "Пользовались ботом за последний 21 день: 5" in ru and "за последнюю 21 неделю" in ru
    assert "Не получали писем за последний 21 день: 2" in ru and "За последний 21 день никому не отказывали." in ru
    assert "Отклонено попыток без нужной роли за последний 21 день: 2" in ru
    assert "Карысталіся ботам за апошнія 22 дні: 5" in be and "за апошнія 22 тыдні" in be
    assert "з іх атрымалі ліст за апошнія 22 дні" in be and "За апошнія 22 дні нікому не адмаўлялі." in be
    assert "Supporters active in the last 1 day: 5" in en and "the last 1 week (" in en
    assert "Nothing was refused in the last 1 day." in en
    # The menu says what /stats shows: no campaign figures there.
    assert "campaign" not in menu.STAFF_DESCRIPTIONS["stats"]
    assert "кто дольше всех ждёт" in i18n.translator("ru")._(menu.STAFF_DESCRIPTIONS["stats"])


# End to end.
ADMIN = 900  # BOT_ADMIN_IDS in the bot fixture
COORDINATOR = 911


async def test_a_coordinator_gets_the_figures_and_a_chart_a_supporter_is_refused(bot: Harness) -> None:
    await seed_demo(bot)
    deps = bot.application.bot_data["deps"]
    async with deps.db.transaction() as session:
        await roles.grant(session, telegram_id=COORDINATOR, role=Role.COORDINATOR, by=None, now=bot.clock.utc())
        expected = await stats.compute(session, now=bot.clock.utc(), today=deps.today())
    assert expected.writable > 2 and expected.quiet == expected.writable  # the demo people, no letter yet

    coordinator = bot.person(COORDINATOR, "C")
    await coordinator.send("/stats")
    text, chart = coordinator.messages()[-2:]
    assert "Supporters active in the last 30 days: 1" in text["text"]  # the coordinator
    assert f"People who can get letters: {expected.writable}" in text["text"]
    assert f"People with no letter in the last 60 days: {expected.quiet}" in text["text"]
    assert expected.quiet_named[0].source_id in text["text"]
    stored = bot.telegram.state.files[chart["photo"][-1]["file_id"]]
    assert stored.content.startswith(b"\x89PNG\r\n\x1a\n")  # matplotlib's PNG, which sendPhoto accepted
    assert chart["photo"][-1]["width"] == 800

    admin = bot.person(ADMIN, "A", language_code="ru")
    await admin.send("/stats")
    text, chart = admin.messages()[-2:]
    assert "Пользовались ботом за последние 30 дней: 2" in text["text"], text["text"]  # ru plural
    assert "photo" in chart

    supporter = bot.person(7001, "S")
    await supporter.send("/stats")
    assert supporter.messages()[-1]["text"] == "This is only for coordinators and admins of the bot."
    assert not any("photo" in message for message in supporter.messages())
