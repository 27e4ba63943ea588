"""Button data: every kind of button the bot shows is declared here, and its callback_data is built and
read only through these classes (the codec is bot/handlers/button_codec.py).

Each kind is a small frozen dataclass with a short prefix; its fields follow in order, separated by
':'. Reading is strict, because a press can be forged: data that does not parse back into exactly one
of these (unknown prefix, a part missing or extra, a number out of range, a choice never offered, a
date that does not exist) reads as None, and the handler refuses it.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Literal

from bot.handlers.button_codec import (
    MAX_BYTES,
    MAX_PAGE,
    MAX_ROW_ID,
    Button,
    bounded,
    decode,
    make,
    matches,
    read,
)
from bot.models import LetterKind, ReminderKind, ReminderWindow, WritingPace
from bot.rules.occasions import Occasion

__all__ = ["MAX_BYTES", "MAX_PAGE", "MAX_ROW_ID", "Button", "decode", "make", "matches", "read"]

FilterKind = Literal["none", "bday", "month", "gender", "fac", "int"]
OptionsKind = Literal["month", "fac", "int"]


# --- Language, pace, /forget, /check -------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ChooseLanguage(Button):
    PREFIX = "lang"
    locale: Literal["be", "ru", "en"]


@dataclasses.dataclass(frozen=True)
class ChoosePace(Button):
    PREFIX = "pace"
    pace: WritingPace


@dataclasses.dataclass(frozen=True)
class Forget(Button):
    PREFIX = "forget"
    answer: Literal["yes", "no"]


@dataclasses.dataclass(frozen=True)
class CheckDraft(Button):
    PREFIX = "chk:ask"


# --- /suggest: the next person, a card, filters ---------------------------------------------------


@dataclasses.dataclass(frozen=True)
class NextPerson(Button):
    PREFIX = "sug:next"


@dataclasses.dataclass(frozen=True)
class ShowCard(Button):
    PREFIX = "sug:card"
    prisoner: int


@dataclasses.dataclass(frozen=True)
class FilterMenu(Button):
    PREFIX = "flt:menu"


@dataclasses.dataclass(frozen=True)
class FilterOptions(Button):
    """The choices of one kind of filter; facilities come a page at a time."""

    PREFIX = "flt:opt"
    kind: OptionsKind
    page: int = bounded(MAX_PAGE)


@dataclasses.dataclass(frozen=True)
class SetFilter(Button):
    """Choose a filter: `none` clears it; month, gender, facility and interest carry their value."""

    PREFIX = "flt:set"
    kind: FilterKind
    value: str | None = None


# --- Letter texts ----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class LetterText(Button):
    """A text for an occasion (None: the one that suits the person today), kind, language, variant."""

    PREFIX = "tpl"
    prisoner: int
    occasion: Occasion | None
    kind: LetterKind
    language: Literal["ru", "be"]
    variant: int = bounded(99, minimum=1)


@dataclasses.dataclass(frozen=True)
class OccasionMenu(Button):
    PREFIX = "tpl:menu"
    prisoner: int
    kind: LetterKind
    language: Literal["ru", "be"]


# --- "I sent it" and /letters ----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SentAsk(Button):
    """Which day was it sent? `earlier` shows the days before yesterday."""

    PREFIX = "sent"
    prisoner: int
    kind: LetterKind
    occasion: Occasion | None
    earlier: Literal["0", "1"] = "0"


@dataclasses.dataclass(frozen=True)
class SentOn(Button):
    """Log it: the day itself is carried, so a press after midnight logs the day its label said."""

    PREFIX = "sd"
    prisoner: int
    kind: LetterKind
    occasion: Occasion | None
    day: date


@dataclasses.dataclass(frozen=True)
class LettersPage(Button):
    PREFIX = "lt:pg"
    page: int = bounded(MAX_PAGE)


@dataclasses.dataclass(frozen=True)
class LetterAction(Button):
    """On one entry of /letters: a reply came, ask to delete, delete; `page` is where to come back to."""

    PREFIX = "lt"
    action: Literal["reply", "ask", "delete"]
    letter: int
    page: int = bounded(MAX_PAGE)


# --- Reminders: the digest's buttons and /reminders ------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ReminderMenu(Button):
    PREFIX = "rem:menu"


@dataclasses.dataclass(frozen=True)
class ReminderSwitch(Button):
    """Switch one kind of reminder on or off."""

    PREFIX = "rem:sw"
    kind: ReminderKind


@dataclasses.dataclass(frozen=True)
class ReminderWindowSet(Button):
    PREFIX = "rem:win"
    window: ReminderWindow


@dataclasses.dataclass(frozen=True)
class ReminderPace(Button):
    PREFIX = "rem:pace"
    pace: WritingPace


@dataclasses.dataclass(frozen=True)
class ReminderPause(Button):
    """Pause reminders for a month ("1"), or resume them ("0")."""

    PREFIX = "rem:pause"
    pause: Literal["0", "1"]


@dataclasses.dataclass(frozen=True)
class ReminderAll(Button):
    """All reminders on ("1") or off ("0")."""

    PREFIX = "rem:all"
    on: Literal["0", "1"]


@dataclasses.dataclass(frozen=True)
class ReminderOpen(Button):
    """Under a digest: what the reminder is about, as a new message (the digest stays as it was).
    `prisoner` 0 is "someone to write to"; `women` offers women (for 8 March)."""

    PREFIX = "rem:open"
    prisoner: int
    women: Literal["0", "1"] = "0"


@dataclasses.dataclass(frozen=True)
class RemindLater(Button):
    """Under a digest: send what it held again tomorrow."""

    PREFIX = "rem:later"
    digest: int


@dataclasses.dataclass(frozen=True)
class StopReminders(Button):
    """Under a digest: no more reminders like this one."""

    PREFIX = "rem:stop"
    kind: ReminderKind
