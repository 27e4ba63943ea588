"""When reminders are due: pure date rules, no I/O (docs/domain.md, "Occasions and lead times").

Every reminder is a `Due`: what it is about (kind and subject), the occasion's own date, and the days
it may be sent in — from `due_on` (the lead time for international post before the date) to
`expires_on` (after which a letter would no longer arrive in time, so the reminder is not sent). The
sweep asks these rules for today and writes what they return under a unique key; a sweep that missed
days (a restart, downtime) still finds what is due while it is worth sending.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.models import ReminderKind, ReminderWindow, WritingPace
from bot.rules import occasions
from bot.rules.occasions import Occasion

LEAD_DAYS = 21  # international post: remind this many days before the date
LAST_CALL_DAYS = 10  # a last call this many days before (post inside Belarus is faster)
LATEST_DAYS = 7  # after this many days before the date, a letter will not arrive in time: say nothing
POST_BY_DAYS = 18  # "post by" this many days before the date (the first reminder leaves a few days)
WINTER_DUE = (12, 1)  # the winter holidays: one reminder about 1 December, the post slows down
WINTER_UNTIL = (12, 10)
EASTERS_TOGETHER_DAYS = 7  # Western and Orthodox Easter this close: one reminder for both
RELEASE_SOON_DAYS = (21, 45)  # "a last letter can still arrive" while the release is this far away
RELEASED_NEWS_DAYS = 14  # good news about a release is worth sending this long after it was recorded
WROTE_WITHIN_DAYS = 365  # "people I wrote to": letters logged in the last 12 months
BIRTHDAYS_SOON_DAYS = (21, 28)  # the weekly "birthdays soon": people whose birthday is this far away
WEEKLY_ON = 0  # Monday
PACE_DAYS = {WritingPace.MONTHLY: 30, WritingPace.FORTNIGHTLY: 14}
ONCE = date(2000, 1, 1)  # the occurrence of what happens once per person (a release)
SEND_GRACE_MINUTES = 60
WINDOWS = {
    ReminderWindow.MORNING: (time(9), time(12)),
    ReminderWindow.AFTERNOON: (time(13), time(17)),
    ReminderWindow.EVENING: (time(18), time(21)),
}


@dataclass(frozen=True)
class Due:
    kind: ReminderKind
    occurrence: date  # the occasion's date
    due_on: date
    expires_on: date
    subject: int = 0  # the prisoner it is about; 0 for an occasion everyone shares

    def open_on(self, day: date) -> bool:
        return self.due_on <= day <= self.expires_on

    @property
    def post_by(self) -> date:
        """The day to post by so that the letter arrives in time."""
        if self.kind == ReminderKind.BIRTHDAY_LAST_CALL:
            return self.occurrence - timedelta(days=LATEST_DAYS)
        if self.kind == ReminderKind.RELEASE_SOON:  # later, a letter would arrive after the release
            return self.expires_on
        return max(self.due_on, self.occurrence - timedelta(days=POST_BY_DAYS))


def _before(kind: ReminderKind, occurrence: date, subject: int = 0) -> Due:
    """The usual span: from LEAD_DAYS before the date until a letter could still arrive."""
    return Due(kind, occurrence, occurrence - timedelta(days=LEAD_DAYS),
               occurrence - timedelta(days=LAST_CALL_DAYS + 1), subject)  # fmt: skip


def calendar(today: date) -> list[Due]:
    """The occasions everyone shares that are open today: 21 May, the winter holidays, Easter, 8 March."""
    found: list[Due] = []
    for year in (today.year, today.year + 1):
        found.append(_before(ReminderKind.SOLIDARITY_DAY, occasions.date_in_year(Occasion.SOLIDARITY_DAY, year)))
        found.append(_before(ReminderKind.WOMENS_DAY, occasions.date_in_year(Occasion.WOMENS_DAY, year)))
        christmas = occasions.date_in_year(Occasion.CHRISTMAS_WESTERN, year)
        found.append(Due(ReminderKind.WINTER, christmas, date(year, *WINTER_DUE), date(year, *WINTER_UNTIL)))
        found.extend(easter(year))
    return [due for due in found if due.open_on(today)]


def easter(year: int) -> list[Due]:
    """One reminder when the two Easters are a week apart or less, else one for each."""
    western = occasions.date_in_year(Occasion.EASTER_WESTERN, year)
    orthodox = occasions.date_in_year(Occasion.EASTER_ORTHODOX, year)
    if abs((orthodox - western).days) <= EASTERS_TOGETHER_DAYS:
        return [_before(ReminderKind.EASTER, min(western, orthodox))]
    return [_before(ReminderKind.EASTER, western), _before(ReminderKind.EASTER, orthodox)]


def which_easter(occurrence: date) -> str:
    """ "western" or "orthodox" for an Easter reminded of on its own; "" when one reminder covers both."""
    reminded = easter(occurrence.year)
    if len(reminded) == 1:
        return ""
    return "western" if occurrence == occasions.date_in_year(Occasion.EASTER_WESTERN, occurrence.year) else "orthodox"


def birthday(prisoner_id: int, month: int | None, day: int | None, today: date) -> Due | None:
    """A person I wrote to: LEAD_DAYS before their birthday (only when day and month are known)."""
    upcoming = occasions.next_birthday(month, day, today)
    if upcoming is None:
        return None
    due = _before(ReminderKind.BIRTHDAY_MINE, upcoming, prisoner_id)
    return due if due.open_on(today) else None


def last_call(prisoner_id: int, month: int | None, day: int | None, today: date) -> Due | None:
    """LAST_CALL_DAYS before the birthday; the sweep sends it only if no letter was logged since the
    first reminder."""
    upcoming = occasions.next_birthday(month, day, today)
    if upcoming is None:
        return None
    due = Due(ReminderKind.BIRTHDAY_LAST_CALL, upcoming, upcoming - timedelta(days=LAST_CALL_DAYS),
              upcoming - timedelta(days=LATEST_DAYS), prisoner_id)  # fmt: skip
    return due if due.open_on(today) else None


def birthday_dates(today: date, earliest: int, latest: int) -> list[tuple[int, int, date]]:
    """(month, day, the birthday's date) for birthdays `earliest`..`latest` days from today, 29 February
    included in common years (it is kept on 28 February)."""
    found = []
    for offset in range(earliest, latest + 1):
        on = today + timedelta(days=offset)
        found.append((on.month, on.day, on))
        if (on.month, on.day) == (2, 28) and occasions.birthday_in(on.year, 2, 29) == on:
            found.append((2, 29, on))
    return found


def weekly(today: date) -> Due:
    """Birthdays soon: one a week, from its Monday to its Sunday."""
    monday = today - timedelta(days=(today.weekday() - WEEKLY_ON) % 7)
    return Due(ReminderKind.BIRTHDAYS_SOON, monday, monday, monday + timedelta(days=6))


def release_soon(prisoner_id: int, expected: date | None, today: date) -> Due | None:
    if expected is None:
        return None
    nearest, farthest = RELEASE_SOON_DAYS
    due = Due(ReminderKind.RELEASE_SOON, expected, expected - timedelta(days=farthest),
              expected - timedelta(days=nearest), prisoner_id)  # fmt: skip
    return due if due.open_on(today) else None


def released(prisoner_id: int, today: date) -> Due:
    """Good news, once per person (the key's occurrence is fixed), worth sending for a fortnight."""
    return Due(ReminderKind.RELEASED, ONCE, today, today + timedelta(days=RELEASED_NEWS_DAYS), prisoner_id)


def pace(chosen: str | None, since: date, today: date) -> Due | None:
    """A nudge for each full period without a letter (monthly: 30 days, every two weeks: 14), counted
    from the last letter logged (or from the first contact)."""
    try:
        period = PACE_DAYS.get(WritingPace(chosen or ""))
    except ValueError:
        return None
    if period is None:
        return None
    periods = (today - since).days // period
    if periods < 1:
        return None
    occurrence = since + timedelta(days=periods * period)
    return Due(ReminderKind.PACE, occurrence, occurrence, occurrence + timedelta(days=period - 1))


def window_of(value: str | None) -> ReminderWindow:
    try:
        return ReminderWindow(value or "")
    except ValueError:
        return ReminderWindow.EVENING


def in_window(window: ReminderWindow, local: datetime) -> bool:
    start, end = WINDOWS[window]
    return start <= local.time() < end


def sendable(window: ReminderWindow, local: datetime) -> bool:
    """A message queued in its window may still go out a little after it closes (a slow round), not later."""
    start, end = WINDOWS[window]
    return start <= local.time() and local - timedelta(minutes=SEND_GRACE_MINUTES) < local.replace(
        hour=end.hour, minute=end.minute, second=0, microsecond=0
    )


def open_window(local: datetime) -> ReminderWindow | None:
    """The window the local time falls in, if any."""
    return next((window for window in WINDOWS if in_window(window, local)), None)


def switched_off(stored: str | None) -> set[ReminderKind]:
    """The kinds a supporter switched off (the last call follows the birthday reminder's switch)."""
    kinds = set()
    for value in (stored or "").split(","):
        try:
            kinds.add(ReminderKind(value.strip()))
        except ValueError:
            continue
    if ReminderKind.BIRTHDAY_MINE in kinds:
        kinds.add(ReminderKind.BIRTHDAY_LAST_CALL)
    return kinds


def store_switched_off(kinds: set[ReminderKind]) -> str | None:
    kept = sorted(kind.value for kind in kinds if kind != ReminderKind.BIRTHDAY_LAST_CALL)
    return ",".join(kept) or None


SWITCHES = tuple(kind for kind in ReminderKind if kind != ReminderKind.BIRTHDAY_LAST_CALL)
