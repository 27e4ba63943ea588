"""The codec of button data: how a kind of button (bot/handlers/buttons.py) is written into callback_data
and read back.

Each kind of button is a small frozen dataclass with a short prefix; its fields follow in order,
separated by ':'. Reading is strict, because a press can be forged: data that does not parse back into
exactly one of these (unknown prefix, a part missing or extra, a number out of range, a choice never
offered, a date that does not exist) reads as None, and the handler refuses it.
"""

from __future__ import annotations

import dataclasses
import enum
import importlib
import re
import types
from collections.abc import Callable
from datetime import date
from functools import cache
from typing import Any, ClassVar, Literal, TypeVar, Union, get_args, get_origin, get_type_hints, overload

from telegram import InlineKeyboardButton

KINDS_MODULE = "bot.handlers.buttons"  # where every kind of button is defined
MAX_BYTES = 64  # Telegram's limit for callback_data
MAX_ROW_ID = 2**31 - 1  # the largest id an integer column holds
MAX_PAGE = 10_000
NONE = "-"
_DIGITS = re.compile(r"[0-9]{1,10}")
_WORD = re.compile(r"[0-9a-z_]{1,16}")  # a short key or choice; the handler checks which
_DAY = re.compile(r"[0-9]{8}")


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


def make(label: str, pressed: Button) -> InlineKeyboardButton:
    """A button with its label and what pressing it sends."""
    return InlineKeyboardButton(label, callback_data=pressed.data())


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
    importlib.import_module(KINDS_MODULE)  # the kinds are declared there: they must exist before the scan
    kinds: list[type[Button]] = []
    pending = list(Button.__subclasses__())
    while pending:
        kind = pending.pop()
        kinds.append(kind)
        pending.extend(kind.__subclasses__())
    mine = [kind for kind in kinds if kind.__module__ == KINDS_MODULE]  # not a test's own subclass
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
