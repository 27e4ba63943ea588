"""Letter occasions and their dates (Europe/Minsk, no daylight saving): docs/domain.md, "Occasions and lead times".

Never a protest date: 25 March and the like are not occasions.
"""

from __future__ import annotations

import enum
from datetime import date, timedelta

from dateutil.easter import EASTER_ORTHODOX, EASTER_WESTERN, easter


class Occasion(enum.StrEnum):
    GENERAL = "general"
    FIRST = "first"
    BIRTHDAY = "birthday"
    NEW_YEAR = "new_year"
    CHRISTMAS_WESTERN = "christmas_w"
    CHRISTMAS_ORTHODOX = "christmas_o"
    EASTER_WESTERN = "easter_w"
    EASTER_ORTHODOX = "easter_o"
    SOLIDARITY_DAY = "may21"
    WOMENS_DAY = "march8"


# Occasions that fall on the same date for everyone, by year.
def _fixed(month: int, day: int) -> object:
    return lambda year: date(year, month, day)


CALENDAR = {
    Occasion.NEW_YEAR: _fixed(1, 1),
    Occasion.CHRISTMAS_ORTHODOX: _fixed(1, 7),
    Occasion.WOMENS_DAY: _fixed(3, 8),
    Occasion.SOLIDARITY_DAY: _fixed(5, 21),
    Occasion.CHRISTMAS_WESTERN: _fixed(12, 25),
    Occasion.EASTER_WESTERN: lambda year: easter(year, EASTER_WESTERN),
    Occasion.EASTER_ORTHODOX: lambda year: easter(year, EASTER_ORTHODOX),
}


def date_in_year(occasion: Occasion, year: int) -> date:
    return CALENDAR[occasion](year)  # type: ignore[operator, no-any-return]  # each value is a date function


def next_date(occasion: Occasion, today: date) -> date:
    """The first date of a calendar occasion on or after today."""
    this_year = date_in_year(occasion, today.year)
    return this_year if this_year >= today else date_in_year(occasion, today.year + 1)


def birthday_in(year: int, month: int, day: int) -> date:
    """The birthday in a given year; 29 February is kept on 28 February in common years."""
    if month == 2 and day == 29:
        try:
            return date(year, 2, 29)
        except ValueError:
            return date(year, 2, 28)
    return date(year, month, day)


def next_birthday(month: int | None, day: int | None, today: date) -> date | None:
    """The next birthday on or after today, when day and month are known."""
    if month is None or day is None:
        return None
    this_year = birthday_in(today.year, month, day)
    return this_year if this_year >= today else birthday_in(today.year + 1, month, day)


def age_on(birth_year: int | None, month: int | None, day: int | None, today: date) -> int | None:
    if birth_year is None:
        return None
    age = today.year - birth_year
    if month is not None and (today.month, today.day) < (month, day or 1):
        age -= 1
    return age


def upcoming(today: date, within_days: int) -> list[tuple[Occasion, date]]:
    """Calendar occasions from today to `within_days` ahead, soonest first."""
    horizon = today + timedelta(days=within_days)
    found = [(occasion, next_date(occasion, today)) for occasion in CALENDAR]
    return sorted(((o, d) for o, d in found if d <= horizon), key=lambda item: item[1])


def birthday_window(today: date, within_days: int) -> list[tuple[int, int]]:
    """(month, day) pairs of birthdays that fall within the window (29 Feb included in common years)."""
    pairs = []
    for offset in range(within_days + 1):
        day = today + timedelta(days=offset)
        pairs.append((day.month, day.day))
        if (day.month, day.day) == (2, 28) and not _is_leap(day.year):
            pairs.append((2, 29))
    return pairs


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
