"""Button data: every callback_data the bot puts on a button is built and read here, nowhere else.

Each kind of button is a small frozen dataclass with a short prefix; its fields follow in order,
separated by ':'. Reading is strict, because a press can be forged: data that does not parse back into
exactly one of these (unknown prefix, a part missing or extra, a number out of range, a choice never
offered, a date that does not exist) reads as None, and the handler refuses it.
"""

from __future__ import annotations

import dataclasses
import enum
import re
import types
from collections.abc import Callable
from datetime import date
from functools import cache
from typing import Any, ClassVar, Literal, TypeVar, Union, get_args, get_origin, get_type_hints, overload

from telegram import InlineKeyboardButton

from bot.models import LetterKind, ReminderKind, ReminderWindow, WritingPace
from bot.rules.occasions import Occasion

MAX_BYTES = 64  # Telegram's limit for callback_data
MAX_ROW_ID = 2**31 - 1  # the largest id an integer column holds
MAX_PAGE = 10_000
NONE = "-"
_DIGITS = re.compile(r"[0-9]{1,10}")
_WORD = re.compile(r"[0-9a-z_]{1,16}")  # a short key or choice; the handler checks which
_DAY = re.compile(r"[0-9]{8}")


FilterKind = Literal["none", "bday", "month", "gender", "fac", "int"]
OptionsKind = Literal["month", "fac", "int"]


def bounded(maximum: int, minimum: int = 0) -> Any:
    """A number field's range (ids default to 0..MAX_ROW_ID)."""
    return dataclasses.field(metadata={"min": minimum, "max": maximum})


@dataclasses.dataclass(frozen=True)
class Button:
    PREFIX: ClassVar[str]

    def data(self) -> str:
        """The callback_data for this button."""
        parts = [self.PREFIX, *(_write(getattr(self, f.name)) for f in dataclasses.fields(self))]
        data = ":".join(parts)
        if len(data.encode("utf-8")) > MAX_BYTES:  # a bug in a button kind: Telegram would refuse the message
            raise ValueError(f"button data over {MAX_BYTES} bytes: {data!r}")
        return data


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


def make(label: str, pressed: Button) -> InlineKeyboardButton:
    """A button with its label and what pressing it sends."""
    return InlineKeyboardButton(label, callback_data=pressed.data())


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


A = TypeVar("A", bound=Button)
B = TypeVar("B", bound=Button)
C = TypeVar("C", bound=Button)


@overload
def read(data: str | None, a: type[A], /) -> A | None: ...
@overload
def read(data: str | None, a: type[A], b: type[B], /) -> A | B | None: ...
@overload
def read(data: str | None, a: type[A], b: type[B], c: type[C], /) -> A | B | C | None: ...
@overload
def read(data: str | None, /, *kinds: type[Button]) -> Button | None: ...
def read(data: str | None, /, *kinds: type[Button]) -> Button | None:
    """The button this data stands for, if it is one of `kinds`; None for anything else."""
    button = decode(data)
    return button if isinstance(button, kinds) else None


def matches(*kinds: type[Button]) -> Callable[[object], bool]:
    """A CallbackQueryHandler pattern: presses that read as one of `kinds` (the rest are refused later)."""
    return lambda data: isinstance(data, str) and read(data, *kinds) is not None


def decode(data: str | None) -> Button | None:
    if not data:
        return None
    for kind in _kinds():
        if data == kind.PREFIX or data.startswith(kind.PREFIX + ":"):
            rest = data[len(kind.PREFIX) + 1 :]
            button = _parse(kind, rest.split(":") if rest else [])
            if button is not None:
                return button
    return None


@cache
def _kinds() -> list[type[Button]]:
    """Every button kind, longest prefix first (so `tpl:menu` is tried before `tpl`)."""
    kinds: list[type[Button]] = []
    pending = list(Button.__subclasses__())
    while pending:
        kind = pending.pop()
        kinds.append(kind)
        pending.extend(kind.__subclasses__())
    mine = [kind for kind in kinds if kind.__module__ == __name__]  # not a test's own subclass
    return sorted(mine, key=lambda kind: -len(kind.PREFIX))


def _parse(kind: type[Button], parts: list[str]) -> Button | None:
    fields = dataclasses.fields(kind)
    if len(parts) != len(fields):
        return None
    hints = get_type_hints(kind)
    values = {}
    for field, text in zip(fields, parts, strict=True):
        value = _read_value(hints[field.name], text, field.metadata)
        if value is _INVALID:
            return None
        values[field.name] = value
    return kind(**values)


_INVALID = object()


def _read_value(hint: Any, text: str, metadata: Any) -> Any:
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):  # `X | None`: written as "-"
        inner = next(arg for arg in get_args(hint) if arg is not type(None))
        return None if text == NONE else _read_value(inner, text, metadata)
    if origin is Literal:
        return text if text in get_args(hint) else _INVALID
    if hint is int:
        if _DIGITS.fullmatch(text) is None:  # not str.isdigit: "²" is a digit to Python, not a number
            return _INVALID
        value = int(text)
        return value if metadata.get("min", 0) <= value <= metadata.get("max", MAX_ROW_ID) else _INVALID
    if isinstance(hint, type) and issubclass(hint, enum.StrEnum):
        return hint(text) if text in {member.value for member in hint} else _INVALID
    if hint is date:
        if _DAY.fullmatch(text) is None:
            return _INVALID
        try:
            return date(int(text[:4]), int(text[4:6]), int(text[6:]))
        except ValueError:
            return _INVALID
    if hint is str:
        return text if _WORD.fullmatch(text) else _INVALID
    raise TypeError(f"button field of type {hint!r} has no codec")


def _write(value: object) -> str:
    if value is None:
        return NONE
    if isinstance(value, enum.StrEnum):
        return value.value
    if isinstance(value, date):
        return value.strftime("%Y%m%d")
    return str(value)
