"""The figures of /stats: who is active, letters per week, how widely and how evenly letters reach the
people who can get them, and who has waited longest.

Letters are counted from the daily tallies (LetterTally), not from the letter rows. The tallies name no
supporter, so they stay when letter rows go: after two years, and at /forget, which takes back only the
letters logged in its last 30 days (bot/services/letters.py says why). Counted from the rows, the past
would shrink each time someone left; from the tallies it is the count a card shows ("letters logged in
the last 30 days"). They are also smaller (at most one row per person and day), and they count a letter
on the day it was sent.

Every figure is an aggregate in the database: Python receives a handful of numbers, twelve weekly sums
and a few named people, however many letters there are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, exists, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.models import LetterTally, Prisoner, Supporter, table_of
from bot.services import suggestions

ACTIVE_DAYS = 30  # a supporter seen, or a person written to, this recently counts as active, as reached
WEEKS = 12
QUIET_DAYS = 60
NAMED = 5  # of the people with no letter in QUIET_DAYS, this many are named

PRISONERS = table_of(Prisoner)
TALLIES = table_of(LetterTally)


@dataclass(frozen=True)
class Quiet:
    """A writable person with no letter in QUIET_DAYS, and the day of their last letter (None: none)."""

    source_id: str
    name_be: str
    name_ru: str
    name_en: str | None
    last_letter: date | None


@dataclass(frozen=True)
class Stats:
    active_supporters: int  # seen by the bot in the last ACTIVE_DAYS
    weeks: list[tuple[date, int]]  # the Monday each of the last WEEKS weeks began on, and its letters
    writable: int  # people who can get letters now
    reached: int  # of them, those with at least one letter in the last ACTIVE_DAYS
    gini: float  # of their letters in the last ACTIVE_DAYS: 0 when all got as many, towards 1 when few got all
    quiet: int  # writable people with no letter in the last QUIET_DAYS
    quiet_named: list[Quiet]  # the first NAMED of them: never written to first, then the longest waiting

    @property
    def reached_share(self) -> float:
        return self.reached / self.writable if self.writable else 0.0


def gini(people: int, total: int, ranked: int) -> float:
    """The Gini coefficient from per-person counts sorted ascending x_1 <= ... <= x_n, given n, the sum
    of x_i and the sum of i * x_i: G = 2 * sum(i * x_i) / (n * sum(x_i)) - (n + 1) / n (as in
    benchmarks/fairness.py). The database sums; this only divides. 0 when nobody got a letter."""
    if people == 0 or total == 0:
        return 0.0
    return (2 * ranked) / (people * total) - (people + 1) / people


def week_starts(today: date) -> list[date]:
    """The Mondays of the last WEEKS weeks, the current one (up to today) last."""
    monday = today - timedelta(days=today.weekday())
    return [monday - timedelta(weeks=WEEKS - 1 - n) for n in range(WEEKS)]


def _letters_since(day: date) -> ColumnElement[bool]:
    """Tally rows of letters sent after `day` (a tally taken back to 0 is no letter)."""
    return (TALLIES.c.day > day) & (TALLIES.c.letters > 0)


async def compute(session: AsyncSession, *, now: datetime, today: date) -> Stats:
    writable, reached, total, ranked = await _spread(session, today)
    quiet, named = await _quiet(session, today)
    return Stats(
        active_supporters=await _active_supporters(session, now),
        weeks=await _weeks(session, today),
        writable=writable,
        reached=reached,
        gini=gini(writable, total, ranked),
        quiet=quiet,
        quiet_named=named,
    )


async def _active_supporters(session: AsyncSession, now: datetime) -> int:
    since = now - timedelta(days=ACTIVE_DAYS)
    statement = select(func.count()).select_from(Supporter).where(col(Supporter.last_seen_at) >= since)
    return int((await session.exec(statement)).one())


async def _weeks(session: AsyncSession, today: date) -> list[tuple[date, int]]:
    """Letters per week: the database sums each day (at most 7 * WEEKS rows come back), and the days are
    added up into their weeks here. Faster on SQLite than a CASE per tally row, and the same on both."""
    starts = week_starts(today)
    statement = (
        select(TALLIES.c.day, func.sum(TALLIES.c.letters))
        .where(TALLIES.c.day >= starts[0], TALLIES.c.day < starts[-1] + timedelta(weeks=1))
        .group_by(TALLIES.c.day)
    )
    weeks = dict.fromkeys(starts, 0)
    for day, letters in (await session.exec(statement)).all():
        weeks[day - timedelta(days=day.weekday())] += int(letters)
    return list(weeks.items())


async def _spread(session: AsyncSession, today: date) -> tuple[int, int, int, int]:
    """Among writable people: how many, how many got a letter lately, the letters, and the sum of
    rank * letters with people ranked by their letters (what the Gini needs), in one statement over at
    most one row per person."""
    recent = (
        select(TALLIES.c.prisoner_id, func.sum(TALLIES.c.letters).label("letters"))
        .where(_letters_since(today - timedelta(days=ACTIVE_DAYS)))
        .group_by(TALLIES.c.prisoner_id)
        .subquery()
    )
    per_person = (
        select(func.coalesce(recent.c.letters, 0).label("letters"))
        .select_from(PRISONERS.outerjoin(recent, recent.c.prisoner_id == PRISONERS.c.id))
        .where(suggestions.writable())
        .subquery()
    )
    ranked = select(
        per_person.c.letters, func.row_number().over(order_by=per_person.c.letters).label("rank")
    ).subquery()
    statement = select(
        func.count(),
        func.coalesce(func.sum(case((ranked.c.letters > 0, 1), else_=0)), 0),
        func.coalesce(func.sum(ranked.c.letters), 0),
        func.coalesce(func.sum(ranked.c.rank * ranked.c.letters), 0),
    )
    people, reached, total, weighted = (await session.exec(statement)).one()
    return int(people), int(reached), int(total), int(weighted)


async def _quiet(session: AsyncSession, today: date) -> tuple[int, list[Quiet]]:
    """Writable people with no letter in QUIET_DAYS: how many, and the first NAMED of them."""
    mine = TALLIES.c.prisoner_id == PRISONERS.c.id
    quiet = (suggestions.writable(), ~exists().where(mine, _letters_since(today - timedelta(days=QUIET_DAYS))))
    count = (await session.exec(select(func.count()).select_from(PRISONERS).where(*quiet))).one()
    last = select(func.max(TALLIES.c.day)).where(mine, TALLIES.c.letters > 0).scalar_subquery()
    names = ("source_id", "name_be", "name_ru", "name_en")
    columns: list[ColumnElement[Any]] = [*(PRISONERS.c[name] for name in names), last.label("last_letter")]
    people = select(*columns).where(*quiet).subquery()
    statement = (
        select(*people.c)
        .order_by(people.c.last_letter.asc().nulls_first(), people.c.source_id)  # never written to first
        .limit(NAMED)
    )
    return int(count), [Quiet(*row) for row in (await session.exec(statement)).all()]
