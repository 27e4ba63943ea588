"""Services against a real database: holds, letters and tallies, expiry, and /forget's aggregates."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from bot.db import Database
from bot.models import Hold, LetterKind, LetterTally, Prisoner
from bot.rules import fairness
from bot.sandbox import demo
from bot.services import holds, letters, prisoners, suggestions, supporters
from tests.harness import analyzed_rows

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
TODAY = NOW.date()


async def seed(database: Database) -> None:
    async with database.transaction() as session:
        await prisoners.upsert(session, demo.people(TODAY), now=NOW, actor=None)


async def load_of(database: Database, prisoner_id: int) -> float:
    async with database.transaction() as session:
        prisoner = await session.get(Prisoner, prisoner_id)
        assert prisoner is not None
        return fairness.recent_letters(prisoner.load_ref, TODAY)


async def open_holds(database: Database, prisoner_id: int) -> int:
    async with database.transaction() as session:
        rows = (await session.exec(select(Hold).where(Hold.prisoner_id == prisoner_id))).all()
    return sum(1 for hold in rows if hold.released_at is None)


async def test_a_hold_counts_until_it_expires(database: Database) -> None:
    await seed(database)
    async with database.transaction() as session:
        supporter = await supporters.touch(session, 77, NOW)
        pick = await suggestions.suggest(session, supporter=supporter, now=NOW, today=TODAY, rng=random.Random(1))
    assert pick is not None
    pid = pick.prisoner.id or 0
    assert await open_holds(database, pid) == 1
    async with database.transaction() as session:
        assert await holds.expire(session, NOW + timedelta(days=holds.HOLD_DAYS - 1)) == 0
        assert await holds.expire(session, NOW + timedelta(days=holds.HOLD_DAYS, seconds=1)) == 1
    assert await open_holds(database, pid) == 0
    async with database.transaction() as session:
        assert (await session.exec(select(func.count()).select_from(Hold))).one() == 1  # kept: "not again soon"
        await holds.expire(session, NOW + timedelta(days=holds.NOT_AGAIN_DAYS + 1))
        assert (await session.exec(select(func.count()).select_from(Hold))).one() == 0


async def test_a_letter_replaces_the_hold_and_deleting_it_takes_it_back(database: Database) -> None:
    await seed(database)
    async with database.transaction() as session:
        supporter = await supporters.touch(session, 78, NOW)
        pick = await suggestions.suggest(session, supporter=supporter, now=NOW, today=TODAY, rng=random.Random(2))
        assert pick is not None
        pid = pick.prisoner.id or 0
        outcome = await letters.record(
            session, supporter_id=supporter.id or 0, prisoner_id=pid, sent_on=TODAY, kind=LetterKind.POSTCARD,
            occasion=None, now=NOW, today=TODAY, daily_cap=10,
        )  # fmt: skip
        assert outcome is letters.Outcome.SAVED
        letter = (await letters.history(session, supporter.id or 0))[0].letter
    assert await load_of(database, pid) == 1.0  # the letter counts
    assert await open_holds(database, pid) == 0  # and the hold is released
    async with database.transaction() as session:
        assert await letters.recent_count(session, pid, TODAY) == 1
        card = await suggestions.card(session, pid, TODAY)
        assert card is not None and card.prisoner.id == pid and card.recent == 1
        assert await letters.recent_count(session, pid, TODAY + timedelta(days=letters.RECENT_DAYS)) == 0
        assert await letters.own(session, 999, letter.id or 0) is None  # someone else's id
        await letters.delete(session, letter)
    assert abs(await load_of(database, pid)) < 1e-9
    async with database.transaction() as session:
        assert await letters.recent_count(session, pid, TODAY) == 0


async def test_an_open_hold_ranks_like_a_letter(database: Database) -> None:
    await seed(database)
    picks: list[tuple[int | None, bool]] = []
    for telegram_id in range(90, 100):
        async with database.transaction() as session:
            supporter = await supporters.touch(session, telegram_id, NOW)
            pick = await suggestions.suggest(
                session, supporter=supporter, now=NOW, today=TODAY, rng=random.Random(telegram_id)
            )
            assert pick is not None
            picks.append((pick.prisoner.id, pick.birthday is not None))
    # Ten people asking at once are spread: someone with a birthday soon may be held twice (the boost is
    # worth one letter), anyone else once.
    plain = [pid for pid, birthday in picks if not birthday]
    assert len(plain) == len(set(plain))
    assert max(picks.count(item) for item in picks) <= 2


async def test_forget_keeps_the_prisoners_counts(database: Database) -> None:
    await seed(database)
    async with database.transaction() as session:
        supporter = await supporters.touch(session, 79, NOW)
        pid = (await session.exec(select(Prisoner.id).limit(1))).one() or 0
        for days in (0, 3, 40, 50):  # logged on the day each was sent
            sent_on = TODAY - timedelta(days=days)
            await letters.record(
                session, supporter_id=supporter.id or 0, prisoner_id=pid, sent_on=sent_on,
                kind=LetterKind.LETTER, occasion="birthday", now=NOW, today=sent_on, daily_cap=10,
            )  # fmt: skip
    before = await load_of(database, pid)
    async with database.transaction() as session:
        await supporters.forget(session, 79, NOW)
    async with database.transaction() as session:
        # Letters logged more than TAKEN_BACK_DAYS ago still count; the recent ones are taken back, so that
        # /forget cannot be used to log the same letters again and again.
        assert await letters.recent_count(session, pid, TODAY) == 0
        assert (await session.exec(select(func.sum(LetterTally.letters)))).one() == 2
    expected = before - sum(fairness.weight(TODAY - timedelta(days=d)) for d in (0, 3)) / fairness.weight(TODAY)
    assert await load_of(database, pid) == pytest.approx(expected)


async def test_suggestions_spread_and_skip_the_recently_offered(database: Database) -> None:
    await seed(database)
    seen: list[int] = []
    async with database.transaction() as session:
        supporter = await supporters.touch(session, 80, NOW)
    for step in range(5):
        async with database.transaction() as session:
            supporter = await supporters.touch(session, 80, NOW)
            pick = await suggestions.suggest(
                session, supporter=supporter, now=NOW + timedelta(minutes=step), today=TODAY, rng=random.Random(step)
            )
            assert pick is not None
            seen.append(pick.prisoner.id or 0)
    assert len(set(seen)) == 5  # "another" never offers the same person again soon
    async with database.transaction() as session:
        open_holds = (await session.exec(select(Hold).where(Hold.released_at == None))).all()  # noqa: E711
    assert len(open_holds) == 1


async def test_birthday_soon_comes_first(database: Database) -> None:
    await seed(database)
    async with database.transaction() as session:
        supporter = await supporters.touch(session, 81, NOW)
        pick = await suggestions.suggest(session, supporter=supporter, now=NOW, today=TODAY, rng=random.Random(3))
    assert pick is not None and pick.birthday is not None
    assert (pick.birthday - TODAY).days <= fairness.BIRTHDAY_LEAD_DAYS
    assert isinstance(pick.birthday, date)


async def test_analyze_gives_the_planner_statistics(database: Database) -> None:
    await seed(database)
    assert await analyzed_rows(database, "prisoner") <= 0
    await database.analyze("prisoner")
    assert await analyzed_rows(database, "prisoner") > 0
    with pytest.raises(ValueError, match="unknown table"):
        await database.analyze("prisoner; DROP TABLE letter")
