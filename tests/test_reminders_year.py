"""Thirteen months of reminders, day by day, for 180-odd supporters: 8 March 2026 to 11 April 2027,
across a New Year, with 29 February in a common year, and an Easter reminded once (2026: the two
Easters a week apart) and one reminded twice (2027: five weeks apart).

Each simulated day applies what people did that day (switches, pauses, blocks, /forget, letters, a
release), then runs the sweep at 10:00 in Minsk and the digests of the windows open at 15:00 and
19:00 (one hour inside each window), and after each delivers every pending outbox message as
bot/delivery would (status "sent", then `reminders.finish`). No clock, no sleep: the sweep is given
its moment.

What arrived is compared with a model written here from docs/domain.md, not from bot/rules: each
reminder (kind, subject, occurrence) arrives on the first day of its span (from 21 days before the
date until a letter can no longer arrive) on which the supporter wants it, once; the pace nudge arrives
once per full silent period. The model's dates are spelled out, so a wrong lead time or a wrong year
fails here even if the rules and the sweep agree with each other.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert
from sqlmodel import col, select, update

from bot import jobs
from bot.db import Database
from bot.importing import record
from bot.models import (
    Letter,
    LetterKind,
    Outbox,
    Reminder,
    ReminderKind,
    ReminderWindow,
    Supporter,
    WritingPace,
)
from bot.services import letters, prisoners, reminder_settings, reminders, supporters
from tests.harness import Harness

MINSK = ZoneInfo("Europe/Minsk")
START, END = date(2026, 3, 8), date(2027, 4, 11)
# One sweep an hour inside each window; a supporter's message must be made at their window's hour.
HOUR_OF = {ReminderWindow.MORNING: 10, ReminderWindow.AFTERNOON: 15, ReminderWindow.EVENING: 19}
WINDOWS = list(HOUR_OF)
CREATED_ON = date(2026, 2, 15)  # everyone's first contact
WROTE_ON = date(2026, 2, 25)  # everyone's first letters
LEAD, LAST_CALL, LATEST, WROTE_WITHIN = 21, 10, 7, 365  # docs/domain.md, "Occasions and lead times"

# What people do, and when.
OPT_OUT_ON = date(2026, 4, 20)
PACE_LETTER_ON = date(2026, 8, 3)
BLOCKED_ON, BACK_ON = date(2026, 9, 1), date(2027, 1, 15)
RELEASED_ON = date(2026, 9, 10)
FORGET_ON = date(2026, 10, 1)
ALL_OFF_ON, ALL_ON_AGAIN = date(2026, 11, 20), date(2027, 1, 10)
PAUSED_ON = date(2026, 11, 25)  # for a month: the stored last day is 25 December
JAN5_LETTER_ON = date(2026, 12, 18)  # after the first reminder about 5 January: no last call then

K = ReminderKind
PEOPLE = {  # key: the import row's extra values
    "mar20": {"birth_date": "1979-03-20"},  # 2026: due before the first day; 2027: the letter is too old
    "jul20": {"birth_date": "1975-07-20"},
    "jan1": {"birth_date": "1990-01-01"},
    "jan5": {"birth_date": "1985-01-05"},
    "leap": {"birth_date": "1984-02-29"},
    "month_only": {"birth_date": "1980-07"},
    "release_soon": {"expected_release_date": "2026-10-15"},
    "freed": {"birth_date": "1970-11-20"},  # released on RELEASED_ON: no birthday reminder after that
    "stranger": {"birth_date": "1982-12-24"},  # nobody wrote to them: no birthday reminder
}
EVERYONE = ("mar20", "jul20", "jan1", "jan5", "leap", "month_only", "release_soon", "freed")


@dataclass(frozen=True)
class Cohort:
    name: str
    size: int
    writes_to: tuple[str, ...]
    pace: WritingPace | None = None
    off_from: dict[str, date] = field(default_factory=dict)  # a kind, and the day it was switched off
    quiet: tuple[tuple[date, date], ...] = ()  # days (first, last) on which nothing at all is wanted


def _off(kinds: tuple[ReminderKind, ...], since: date) -> dict[str, date]:
    return {kind.value: since for kind in kinds}


OPTED_OUT = (K.SOLIDARITY_DAY, K.BIRTHDAY_MINE, K.BIRTHDAY_LAST_CALL)
QUIET = (K.WINTER, K.EASTER, K.WOMENS_DAY, K.BIRTHDAYS_SOON, K.RELEASE_SOON, K.RELEASED)
# The weekly "birthdays soon" makes a message a week for everyone who has it on, and each message
# costs the test about a millisecond: it stays on only where it shows something (ordinary supporters,
# those whose reminders are paused or switched off and on, and pace nudges sharing a message).
NO_WEEKLY = _off((K.BIRTHDAYS_SOON,), START)
COHORTS = [
    Cohort("ordinary", 36, EVERYONE),  # the even ones write to jan5 again on JAN5_LETTER_ON
    Cohort("occasions", 12, EVERYONE, pace=WritingPace.OCCASIONS, off_from=NO_WEEKLY),
    # Switch off 21 May and birthdays on OPT_OUT_ON; the last call follows the birthday's switch.
    Cohort("opted_out", 15, EVERYONE, off_from=NO_WEEKLY | _off(OPTED_OUT, OPT_OUT_ON)),
    Cohort("quiet", 12, EVERYONE, off_from=_off(QUIET, START)),
    Cohort("all_off", 12, EVERYONE, quiet=((START, END),)),
    Cohort("toggled", 12, EVERYONE, quiet=((ALL_OFF_ON, ALL_ON_AGAIN - timedelta(days=1)),)),
    Cohort("paused", 15, EVERYONE, quiet=((PAUSED_ON, PAUSED_ON + timedelta(days=30)),)),
    Cohort("blocked", 15, EVERYONE, off_from=NO_WEEKLY, quiet=((BLOCKED_ON, BACK_ON - timedelta(days=1)),)),
    Cohort("forgotten", 12, EVERYONE, off_from=NO_WEEKLY, quiet=((FORGET_ON, END),)),
    Cohort("monthly", 15, ("month_only",), pace=WritingPace.MONTHLY, off_from=NO_WEEKLY),
    Cohort("fortnightly", 15, ("month_only",), pace=WritingPace.FORTNIGHTLY, off_from=NO_WEEKLY),
    # Writes again on PACE_LETTER_ON; keeps the weekly reminder, so pace nudges share its messages.
    Cohort("monthly_writer", 12, ("month_only",), pace=WritingPace.MONTHLY),
]
PERIOD = {WritingPace.MONTHLY: 30, WritingPace.FORTNIGHTLY: 14}


@dataclass(frozen=True)
class Member:
    cohort: Cohort
    index: int
    telegram_id: int
    window: ReminderWindow

    def letters(self) -> list[tuple[str, date]]:
        """(prisoner, day sent and logged) of every letter this supporter logs."""
        found = [(key, WROTE_ON) for key in self.cohort.writes_to]
        if self.cohort.name == "ordinary" and self.index % 2 == 0:
            found.append(("jan5", JAN5_LETTER_ON))
        if self.cohort.name == "monthly_writer":
            found.append(("month_only", PACE_LETTER_ON))
        return found

    def wants(self, kind: str, day: date) -> bool:
        if any(first <= day <= last for first, last in self.cohort.quiet):
            return False
        since = self.cohort.off_from.get(kind)
        return since is None or day < since


# The model: what is due, spelled out as dates.
@dataclass(frozen=True)
class Due:
    kind: str
    subject: str  # a person's key, "" for what everyone shares
    occurrence: date
    due_on: date
    expires_on: date


def _before(kind: ReminderKind, occurrence: date, subject: str = "") -> Due:
    return Due(kind.value, subject, occurrence, occurrence - timedelta(days=LEAD),
               occurrence - timedelta(days=LAST_CALL + 1))  # fmt: skip


SHARED = [
    _before(K.EASTER, date(2026, 4, 5)),  # Western 5 April, Orthodox 12 April: a week apart, one reminder
    _before(K.SOLIDARITY_DAY, date(2026, 5, 21)),
    Due(K.WINTER.value, "", date(2026, 12, 25), date(2026, 12, 1), date(2026, 12, 10)),
    _before(K.WOMENS_DAY, date(2027, 3, 8)),
    _before(K.EASTER, date(2027, 3, 28)),  # Western 28 March ...
    _before(K.EASTER, date(2027, 5, 2)),  # ... and Orthodox 2 May: five weeks apart, two reminders
]
FIRST_MONDAY = date(2026, 3, 2)  # the week START (a Sunday) belongs to
WEEKLY = [
    Due(K.BIRTHDAYS_SOON.value, "", monday, monday, monday + timedelta(days=6))
    for monday in (FIRST_MONDAY + timedelta(weeks=n) for n in range((END - FIRST_MONDAY).days // 7 + 1))
]
BIRTHDAYS = [  # the birthdays inside the simulation; 29 February falls on 28 February in 2027
    ("mar20", date(2026, 3, 20)),
    ("jul20", date(2026, 7, 20)),
    ("jan1", date(2027, 1, 1)),
    ("jan5", date(2027, 1, 5)),
    ("leap", date(2027, 2, 28)),
    ("mar20", date(2027, 3, 20)),
]
PERSONAL = [
    *(_before(K.BIRTHDAY_MINE, on, key) for key, on in BIRTHDAYS),
    *(Due(K.BIRTHDAY_LAST_CALL.value, key, on, on - timedelta(days=LAST_CALL), on - timedelta(days=LATEST))
      for key, on in BIRTHDAYS),
    Due(K.RELEASE_SOON.value, "release_soon", date(2026, 10, 15), date(2026, 8, 31), date(2026, 9, 24)),
    # Good news, once: found while the release is at most a fortnight old (recorded at 09:00 that day).
    Due(K.RELEASED.value, "freed", date(2000, 1, 1), RELEASED_ON, RELEASED_ON + timedelta(days=13)),
]  # fmt: skip
Key = tuple[str, str, date]  # kind, subject, occurrence


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def expected(member: Member) -> dict[Key, date]:
    """Each reminder the member should get, and the day it should arrive."""
    logged = member.letters()
    found: dict[Key, date] = {}
    for due in [*SHARED, *WEEKLY, *(PERSONAL if member.cohort.writes_to == EVERYONE else [])]:
        for day in days(max(due.due_on, START), min(due.expires_on, END)):
            to_them = [on for key, on in logged if key == due.subject and on <= day]
            if due.subject and not any(on >= day - timedelta(days=WROTE_WITHIN) for on in to_them):
                continue
            if due.kind == K.BIRTHDAY_LAST_CALL and any(on >= due.occurrence - timedelta(days=LEAD) for on in to_them):
                continue
            if member.wants(due.kind, day):
                found[(due.kind, due.subject, due.occurrence)] = day
                break
    period = PERIOD.get(member.cohort.pace) if member.cohort.pace is not None else None
    if period is not None:
        for day in days(START, END):
            since = max([CREATED_ON, *(on for _, on in logged if on <= day)])
            periods = (day - since).days // period
            if periods >= 1 and member.wants(K.PACE.value, day):
                found.setdefault((K.PACE.value, "", since + timedelta(days=periods * period)), day)
    return found


# The simulation.
def moment(day: date, hour: int) -> tuple[datetime, date, datetime]:
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


def released(source_id: str) -> dict[str, Any]:
    return person(source_id, **PEOPLE[source_id], status="released", in_custody="false", institution_be="",
                  institution_ru="", address_be="", address_ru="")  # fmt: skip


@dataclass(frozen=True)
class Sent:
    supporter_id: int
    key: str
    created_at: datetime
    items: tuple[tuple[str, int, date], ...]


@dataclass
class World:
    database: Database
    members: dict[int, Member] = field(default_factory=dict)  # by supporter id
    people: dict[str, int] = field(default_factory=dict)  # prisoner key: id
    sent: list[Sent] = field(default_factory=list)

    def of(self, cohort: str) -> list[tuple[int, Member]]:
        return [(sid, m) for sid, m in self.members.items() if m.cohort.name == cohort]

    async def log(self, session: Any, supporter_id: int, key: str, day: date) -> None:
        outcome = await letters.record(
            session, supporter_id=supporter_id, prisoner_id=self.people[key], sent_on=day, kind=LetterKind.LETTER,
            occasion=None, now=moment(day, 9)[0], today=day, daily_cap=10,
        )  # fmt: skip
        assert outcome is letters.Outcome.SAVED


async def set_up(database: Database) -> World:
    world = World(database)
    created = moment(CREATED_ON, 10)[0]
    async with database.transaction() as session:
        everyone = [person(key, **extra) for key, extra in PEOPLE.items()]
        await prisoners.upsert(session, everyone, now=created, actor=None)
        found = await prisoners.by_source_id(session, list(PEOPLE))
        world.people = {key: p.id or 0 for key, p in found.items()}
        telegram_id = 5000
        for cohort in COHORTS:
            for index in range(cohort.size):
                telegram_id += 1
                member = Member(cohort, index, telegram_id, WINDOWS[index % len(WINDOWS)])
                supporter = await supporters.touch(session, telegram_id, created)
                await reminder_settings.set_window(session, supporter, member.window)
                if cohort.pace is not None:
                    await supporters.set_pace(session, supporter, cohort.pace)
                if cohort.name == "all_off":
                    await reminder_settings.set_all(session, supporter, on=False)
                for kind, since in cohort.off_from.items():
                    if since <= START and kind != K.BIRTHDAY_LAST_CALL:
                        await reminder_settings.switch(session, supporter, ReminderKind(kind), on=False)
                world.members[supporter.id or 0] = member
    # The first letters in one statement (letters.record would take seconds here); later ones go
    # through letters.record.
    first = [
        {"supporter_id": sid, "prisoner_id": world.people[key], "sent_on": day, "kind": LetterKind.LETTER.value,
         "reply_received": False, "logged_on": day}
        for sid, member in world.members.items() for key, day in member.letters() if day == WROTE_ON
    ]  # fmt: skip
    async with database.transaction() as session:
        await session.exec(insert(Letter).values(first))
    return world


Action = Callable[[Any, Supporter, int, date], Awaitable[None]]


def events(world: World) -> dict[date, list[tuple[str, Action]]]:
    """What members of a cohort do on a day, before that day's sweeps."""

    async def opt_out(session: Any, supporter: Supporter, sid: int, day: date) -> None:
        for kind in (K.SOLIDARITY_DAY, K.BIRTHDAY_MINE):  # the last call follows the birthday's switch
            await reminder_settings.switch(session, supporter, kind, on=False)

    async def write_again(session: Any, supporter: Supporter, sid: int, day: date) -> None:
        for key, on in world.members[sid].letters():
            if on == day:
                await world.log(session, sid, key, day)

    async def block(session: Any, supporter: Supporter, sid: int, day: date) -> None:
        await supporters.mark_blocked(session, supporter.telegram_id)

    async def come_back(session: Any, supporter: Supporter, sid: int, day: date) -> None:
        await supporters.touch(session, supporter.telegram_id, moment(day, 9)[0])

    async def forget(session: Any, supporter: Supporter, sid: int, day: date) -> None:
        await supporters.forget(session, supporter.telegram_id, moment(day, 9)[0])

    async def all_off(session: Any, supporter: Supporter, sid: int, day: date) -> None:
        await reminder_settings.set_all(session, supporter, on=False)

    async def all_on(session: Any, supporter: Supporter, sid: int, day: date) -> None:
        await reminder_settings.set_all(session, supporter, on=True)

    async def pause(session: Any, supporter: Supporter, sid: int, day: date) -> None:
        await reminder_settings.pause(session, supporter, day, paused=True)

    return {
        OPT_OUT_ON: [("opted_out", opt_out)],
        PACE_LETTER_ON: [("monthly_writer", write_again)],
        BLOCKED_ON: [("blocked", block)],
        FORGET_ON: [("forgotten", forget)],
        ALL_OFF_ON: [("toggled", all_off)],
        PAUSED_ON: [("paused", pause)],
        JAN5_LETTER_ON: [("ordinary", write_again)],
        ALL_ON_AGAIN: [("toggled", all_on)],
        BACK_ON: [("blocked", come_back)],
    }


async def deliver(world: World, now: datetime) -> None:
    """As bot/delivery would: each pending message sent, and its reminders told so. Read in one query:
    one per message would be a good part of the test's time."""
    async with world.database.transaction() as session:
        pending = await session.exec(
            select(Outbox.id, Outbox.supporter_id, Outbox.key, Outbox.created_at,
                   Reminder.kind, Reminder.subject, Reminder.occurrence)
            .outerjoin(Reminder, (col(Reminder.outbox_id) == Outbox.id) & (col(Reminder.status) == "queued"))
            .where(col(Outbox.purpose) == reminders.PURPOSE, col(Outbox.status) == "pending")
        )  # fmt: skip
        messages: dict[int, tuple[int, str, datetime]] = {}
        held: dict[int, list[tuple[str, int, date]]] = defaultdict(list)
        for outbox_id, supporter_id, key, created_at, kind, subject, occurrence in pending.all():
            messages[outbox_id or 0] = (supporter_id, key, created_at)
            if kind is not None:
                held[outbox_id or 0].append((kind, subject or 0, occurrence))
        if not messages:
            return
        await session.exec(update(Outbox).where(col(Outbox.id).in_(messages)).values(status="sent", finished_at=now))
        for outbox_id, (supporter_id, key, created_at) in messages.items():
            world.sent.append(Sent(supporter_id, key, created_at, tuple(held[outbox_id])))
            await reminders.finish(session, outbox_id, "sent")


async def simulate(world: World) -> None:
    happening = events(world)
    for day in days(START, END):
        for cohort, action in happening.get(day, []):
            async with world.database.transaction() as session:
                for sid, member in world.of(cohort):
                    found = await supporters.find(session, member.telegram_id)
                    assert found is not None
                    await action(session, found, sid, day)
        if day == RELEASED_ON:
            async with world.database.transaction() as session:
                await prisoners.upsert(session, [released("freed")], now=moment(day, 9)[0], actor=None)
        # The whole sweep at the first hour; later in the day only its last step, the digests of the
        # window then open. Nothing changes between the hours here, so the full sweep would only
        # find its rows there already, which the following days show as well (each reminder is
        # offered to the sweep every day of its span); it costs ~35 ms a run, whatever the number
        # of supporters, and three a day would take the test past a minute.
        first, *later = HOUR_OF.values()
        made = (await reminders.sweep(world.database, *moment(day, first))).digests
        if made:
            await deliver(world, moment(day, first)[0])
        for hour in later:
            async with world.database.transaction() as session:
                made = await reminders.queue_digests(session, *moment(day, hour))
            if made:  # everything made before was delivered: nothing else is pending
                await deliver(world, moment(day, hour)[0])


def _aware(moment_: datetime) -> datetime:
    """SQLite hands datetimes back without their zone; they are stored in UTC."""
    return moment_ if moment_.tzinfo is not None else moment_.replace(tzinfo=UTC)


def received(world: World) -> dict[int, dict[Key, list[date]]]:
    """Per supporter: each reminder delivered, and the days it arrived on."""
    subject_of = {pid: key for key, pid in world.people.items()} | {0: ""}
    found: dict[int, dict[Key, list[date]]] = defaultdict(lambda: defaultdict(list))
    for sent in world.sent:
        for kind, subject, occurrence in sent.items:
            found[sent.supporter_id][(kind, subject_of[subject], occurrence)].append(date.fromisoformat(sent.key))
    return found


def report(differences: list[str]) -> str:
    return f"{len(differences)} differences from the model, the first ones:\n" + "\n".join(differences[:40])


# PostgreSQL as well: the sweep's SQL (INSERT ... SELECT ... ON CONFLICT, the dialects' date and time
# handling) is what differs between the two, and a year of it is where the differences would show.
async def test_a_year_of_reminders(database: Database) -> None:
    world = await set_up(database)
    await simulate(world)
    got = received(world)
    assert len(world.sent) > 5_000  # the simulation did deliver (about 9,000 messages)

    # At most one message per supporter per day, each made at the hour of the supporter's window on
    # the day it is for (Minsk time).
    per_day = Counter((sent.supporter_id, sent.key) for sent in world.sent)
    assert [pair for pair, count in per_day.items() if count > 1] == []
    outside = []
    for sent in world.sent:
        local = _aware(sent.created_at).astimezone(MINSK)
        window = world.members[sent.supporter_id].window
        if (local.date().isoformat(), local.hour) != (sent.key, HOUR_OF[window]):
            outside.append(f"supporter {sent.supporter_id} ({window}): message of {sent.key} made at {local}")
    assert outside == [], report(outside)
    assert all(sent.items for sent in world.sent)  # no empty message

    # Each (supporter, kind, subject, occurrence) delivered at most once.
    twice = [f"{sid}: {key} on {on}" for sid, mine in got.items() for key, on in mine.items() if len(on) > 1]
    assert twice == [], report(twice)

    # Everything as the model says: what arrives, and on which day.
    differences = []
    for sid, member in world.members.items():
        mine = {key: on[0] for key, on in got.get(sid, {}).items()}
        wanted = expected(member)
        for key in sorted(set(mine) | set(wanted)):
            if mine.get(key) != wanted.get(key):
                differences.append(f"{member.cohort.name}#{member.index} ({member.window}) {key}: "
                                   f"arrived {mine.get(key)}, expected {wanted.get(key)}")  # fmt: skip
    assert differences == [], report(differences)

    # The same, spelled out for the cases the brief names (the model above already holds them).
    def arrived(cohort: str, index: int, kind: ReminderKind) -> list[tuple[str, date, date]]:
        sid = next(sid for sid, m in world.of(cohort) if m.index == index)
        mine = got.get(sid, {})
        return sorted((subject, occurrence, on[0]) for (k, subject, occurrence), on in mine.items() if k == kind)

    ordinary = 1  # an odd one: writes no second letter to jan5
    assert arrived("ordinary", ordinary, K.WINTER) == [("", date(2026, 12, 25), date(2026, 12, 1))]
    assert arrived("ordinary", ordinary, K.EASTER) == [
        ("", date(2026, 4, 5), date(2026, 3, 15)),
        ("", date(2027, 3, 28), date(2027, 3, 7)),
        ("", date(2027, 5, 2), date(2027, 4, 11)),
    ]
    assert arrived("ordinary", ordinary, K.SOLIDARITY_DAY) == [("", date(2026, 5, 21), date(2026, 4, 30))]
    assert arrived("ordinary", ordinary, K.WOMENS_DAY) == [("", date(2027, 3, 8), date(2027, 2, 15))]
    # Across New Year: 21 days before 1 and 5 January, in December; 29 February kept on 28 February
    # 2027; 20 March 2026 on the first day swept, late but still worth it, and not in 2027 (the only
    # letter is more than a year old by then); nothing for a birth month without a day, for a released
    # person, or for a stranger, to anyone.
    assert arrived("ordinary", ordinary, K.BIRTHDAY_MINE) == [
        ("jan1", date(2027, 1, 1), date(2026, 12, 11)),
        ("jan5", date(2027, 1, 5), date(2026, 12, 15)),
        ("jul20", date(2026, 7, 20), date(2026, 6, 29)),
        ("leap", date(2027, 2, 28), date(2027, 2, 7)),
        ("mar20", date(2026, 3, 20), START),
    ]
    birthdays = {K.BIRTHDAY_MINE.value, K.BIRTHDAY_LAST_CALL.value}
    about = {subject for mine in got.values() for kind, subject, _ in mine if kind in birthdays}
    assert about == {"mar20", "jul20", "jan1", "jan5", "leap"}
    assert ("jan5", date(2027, 1, 5), date(2026, 12, 26)) in arrived("ordinary", ordinary, K.BIRTHDAY_LAST_CALL)
    assert "jan5" not in {s for s, _, _ in arrived("ordinary", 0, K.BIRTHDAY_LAST_CALL)}  # wrote on 18 December
    assert arrived("ordinary", ordinary, K.RELEASED) == [("freed", date(2000, 1, 1), RELEASED_ON)]
    assert arrived("ordinary", ordinary, K.PACE) == arrived("occasions", 0, K.PACE) == []
    # Paused from 25 November to 25 December: no winter reminder, the last call of 26 December arrives.
    assert arrived("paused", 0, K.WINTER) == []
    assert ("jan5", date(2027, 1, 5), date(2026, 12, 26)) in arrived("paused", 0, K.BIRTHDAY_LAST_CALL)
    assert ("", date(2026, 12, 21), date(2026, 12, 26)) in arrived("paused", 0, K.BIRTHDAYS_SOON)
    # All off from 20 November to 9 January: no winter reminder; the week of 4 January on the 10th.
    assert arrived("toggled", 0, K.WINTER) == []
    assert ("", date(2027, 1, 4), ALL_ON_AGAIN) in arrived("toggled", 0, K.BIRTHDAYS_SOON)
    # Blocked from 1 September to 14 January: the release soon of 31 August, no release news of 10
    # September; back for 29 February's birthday.
    assert arrived("blocked", 0, K.RELEASE_SOON) == [("release_soon", date(2026, 10, 15), date(2026, 8, 31))]
    assert arrived("blocked", 0, K.RELEASED) == []
    assert ("leap", date(2027, 2, 28), date(2027, 2, 7)) in arrived("blocked", 0, K.BIRTHDAY_MINE)
    # Pace: one nudge per silent period of 30 (14) days since the last letter, 25 February.
    monthly = [occurrence for _, occurrence, _ in arrived("monthly", 0, K.PACE)]
    assert monthly == [WROTE_ON + timedelta(days=30 * n) for n in range(1, (END - WROTE_ON).days // 30 + 1)]
    fortnightly = [occurrence for _, occurrence, _ in arrived("fortnightly", 0, K.PACE)]
    assert fortnightly == [WROTE_ON + timedelta(days=14 * n) for n in range(1, (END - WROTE_ON).days // 14 + 1)]
    writer = [occurrence for _, occurrence, _ in arrived("monthly_writer", 0, K.PACE)]
    assert date(2026, 7, 25) in writer and date(2026, 8, 24) not in writer and date(2026, 9, 2) in writer

    # Nothing for the blocked while blocked, the forgotten after /forget (and nothing of theirs kept).
    forgotten = {sid for sid, _ in world.of("forgotten")}
    assert [s for s in world.sent if s.supporter_id in forgotten and s.key >= FORGET_ON.isoformat()] == []
    blocked = {sid for sid, _ in world.of("blocked")}
    assert [s for s in world.sent if s.supporter_id in blocked and BLOCKED_ON.isoformat() <= s.key
            < BACK_ON.isoformat()] == []  # fmt: skip
    assert [s for s in world.sent if world.members[s.supporter_id].cohort.name == "all_off"] == []
    async with database.transaction() as session:
        for model in (Reminder, Outbox, Letter):
            left = select(func.count()).select_from(model).where(col(model.supporter_id).in_(forgotten))
            assert (await session.exec(left)).one() == 0, model
        assert (await session.exec(select(func.count()).where(col(Reminder.status) == "queued"))).one() == 0


# Two gaps found while writing the simulation (a last call sent though a letter was logged since it was
# made; no news of a release as the Viasna list records it), fixed meanwhile in the working tree
# (reminders.overtaken, checked by reminder_digest.render; _released taking "former"): kept as tests.
def _deps(bot: Harness) -> Any:
    return bot.application.bot_data["deps"]


async def _tick_at(bot: Harness, day: date, hour: int) -> None:
    """The scheduled reminder job, run once at `hour` o'clock in Minsk."""
    target = datetime(day.year, day.month, day.day, hour, tzinfo=MINSK).astimezone(UTC)
    bot.clock.advance((target - bot.clock.utc()).total_seconds())
    await jobs.run_reminders(_deps(bot), bot.application.bot, jobs.pacer_for(_deps(bot)))


async def test_no_last_call_for_a_letter_logged_after_it_was_made(bot: Harness) -> None:
    reader = bot.person(9301, "Ala", language_code="en")
    await reader.send("/start")
    async with _deps(bot).db.transaction() as session:
        await prisoners.upsert(session, [person("bday", birth_date="1985-03-22")], now=bot.clock.utc(), actor=None)
        pid = (await prisoners.by_source_id(session, ["bday"]))["bday"].id or 0
        sid = (await supporters.touch(session, reader.id, bot.clock.utc())).id or 0
    async with _deps(bot).db.transaction() as session:
        await World(_deps(bot).db, people={"bday": pid}).log(session, sid, "bday", date(2026, 2, 1))
    last_call_day = date(2026, 3, 12)  # 10 days before 22 March
    await _tick_at(bot, last_call_day, 1)  # the night's sweep makes the last call; no window is open
    async with _deps(bot).db.transaction() as session:
        made = (await session.exec(select(Reminder.kind).where(col(Reminder.supporter_id) == sid))).all()
    assert K.BIRTHDAY_LAST_CALL.value in made
    async with _deps(bot).db.transaction() as session:  # at noon the reader posts a letter and logs it
        await World(_deps(bot).db, people={"bday": pid}).log(session, sid, "bday", last_call_day)
    await _tick_at(bot, last_call_day, 19)
    # The weekly "birthdays soon" is left out (nobody's birthday is 21-28 days away): nothing is left.
    assert [m["text"] for m in reader.messages() if m["text"].startswith("🔔")] == []


async def test_release_news_when_the_viasna_import_marks_someone_former(database: Database) -> None:
    start = moment(date(2026, 5, 1), 9)[0]
    async with database.transaction() as session:
        await prisoners.upsert(session, [person("v1")], now=start, actor=None)
        world = World(database, people={"v1": (await prisoners.by_source_id(session, ["v1"]))["v1"].id or 0})
        sid = (await supporters.touch(session, 7001, start)).id or 0
        await world.log(session, sid, "v1", date(2026, 5, 1))
    # What the Viasna import writes when the list moves someone to the former political prisoners.
    former = person("v1", status="former", in_custody="false", institution_be="", institution_ru="",
                    address_be="", address_ru="")  # fmt: skip
    async with database.transaction() as session:
        await prisoners.upsert(session, [former], now=moment(date(2026, 6, 1), 9)[0], actor=None)
    await reminders.sweep(database, *moment(date(2026, 6, 1), 19))
    async with database.transaction() as session:
        made = (await session.exec(select(Reminder.kind).where(col(Reminder.supporter_id) == sid))).all()
    assert K.RELEASED.value in made
