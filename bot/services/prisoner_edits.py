"""Changes to one person's record that an admin makes in the chat (/prisoner, /release): proposed, shown
as old → new, applied only when confirmed.

A proposal is a PrisonerEdit row holding the columns the change touches, with the values they had when
it was asked for and the new ones (those the admin types come one at a time, checked by the import's own
parser). Confirming applies it with an audit entry, unless the record changed meanwhile: then the admin
is shown the record as it is now and asked again. What the bot derives from the record (facility key,
search key) is recomputed by the import's function, and `updated_at` moves as an import moves it, so a
release made here brings the same good news to its writers (bot/services/reminders.py, `_released`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import or_
from sqlmodel import col, delete, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.importing import record
from bot.models import Prisoner, PrisonerEdit, PrisonerStatus
from bot.services import audit, prisoners

KEEP = timedelta(hours=1)  # an unconfirmed change is forgotten after this (bot/privacy.py says so)
PLACE = ("institution_be", "institution_ru", "address_be", "address_ru")
LEFT_CUSTODY = {"in_custody": False, **dict.fromkeys(PLACE)}  # as the Viasna import leaves a freed person

# Each change an admin can make: the columns it touches.
CHANGES: dict[str, tuple[str, ...]] = {
    "facility": ("status", "in_custody", *PLACE),
    "release": ("status", "in_custody", "expected_release_date", *PLACE),
    "death": ("status", "in_custody", *PLACE),
    "letters_blocked": ("letters_blocked",),
    "incommunicado": ("incommunicado",),
    "interests": ("interests",),
    "bio_be": ("bio_be",),
    "bio_ru": ("bio_ru",),
    "bio_en": ("bio_en",),
}
# ... and those of them the admin types, in the order they are asked for.
TYPED: dict[str, tuple[str, ...]] = {
    "facility": PLACE,
    "release": ("expected_release_date",),
    "interests": ("interests",),
    "bio_be": ("bio_be",),
    "bio_ru": ("bio_ru",),
    "bio_en": ("bio_en",),
}
CLEARABLE = ("interests", "bio_be", "bio_ru", "bio_en")  # "-" typed for these empties them
CLEAR = "-"
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
DEAD = PrisonerStatus.DECEASED.value


@dataclass(frozen=True)
class Change:
    column: str
    old: Any
    new: Any


@dataclass(frozen=True)
class Problem:
    """Why a typed value was not taken: empty, too long (`limit`), not a date, a date still to come."""

    kind: Literal["empty", "long", "date", "future"]
    limit: int = 0


@dataclass(frozen=True)
class Outcome:
    """What a confirmation did: applied; stale (the record changed meanwhile: `edit` asks again); gone
    (not this admin's, already applied or cancelled, or never made)."""

    kind: Literal["applied", "stale", "gone"]
    prisoner: Prisoner | None = None
    edit: PrisonerEdit | None = None


def allowed(field: str, prisoner: Prisoner) -> bool:
    """A person who died is neither moved nor released nor dies again; the rest can always change."""
    return field in CHANGES and not (field in ("facility", "release", "death") and prisoner.status == DEAD)


def _encode(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _decode(column: str, value: Any) -> Any:
    if column == "expected_release_date" and isinstance(value, str):
        return date.fromisoformat(value)
    return value


def snapshot(prisoner: Prisoner, field: str) -> dict[str, Any]:
    return {column: _encode(getattr(prisoner, column)) for column in CHANGES[field]}


def _fixed(field: str, prisoner: Prisoner) -> dict[str, Any]:
    """The new values a change sets by itself, before anything is typed."""
    if field == "facility":  # held in a facility: in custody, and a political prisoner again if they were not
        return {"status": PrisonerStatus.ACTIVE.value, "in_custody": True}
    if field == "release":
        return {"status": PrisonerStatus.RELEASED.value, **LEFT_CUSTODY}
    if field == "death":
        return {"status": DEAD, **LEFT_CUSTODY}
    if field in ("letters_blocked", "incommunicado"):
        return {field: not getattr(prisoner, field)}
    return {}


def values(text: str | None) -> dict[str, Any]:
    loaded = json.loads(text) if text else {}
    assert isinstance(loaded, dict)
    return loaded


def propose(session: AsyncSession, *, admin: int, prisoner: Prisoner, field: str, now: datetime) -> PrisonerEdit:
    """A change asked for, not yet applied; the values it waits for (`waiting`) are given with `give`."""
    if not allowed(field, prisoner):
        raise ValueError(f"{field} cannot be changed for this person")
    edit = PrisonerEdit(
        admin_telegram_id=admin,
        prisoner_id=prisoner.id or 0,
        field=field,
        old_value=json.dumps(snapshot(prisoner, field), ensure_ascii=False),
        new_value=json.dumps(_fixed(field, prisoner), ensure_ascii=False),
        created_at=now,
    )
    session.add(edit)
    return edit


def waiting(edit: PrisonerEdit) -> str | None:
    """The next column the admin is to type, or None when the change is complete."""
    given = values(edit.new_value)
    return next((column for column in TYPED.get(edit.field, ()) if column not in given), None)


def give(edit: PrisonerEdit, prisoner: Prisoner, text: str, today: date) -> Problem | None:
    """Take the typed value of the column the edit waits for, checked and trimmed as an import would."""
    column = waiting(edit)
    assert column is not None
    value: Any
    if column == "expected_release_date":
        try:  # YYYY-MM-DD only: fromisoformat alone would also take 20261129 or a week date
            value = date.fromisoformat(text.strip()) if DAY.fullmatch(text.strip()) else None
        except ValueError:
            value = None
        if value is None:
            return Problem("date")
        if value > today:
            return Problem("future")
        value = value.isoformat()
    elif column in CLEARABLE and text.strip() == CLEAR:
        value = None
    else:
        value, errors = _parsed(prisoner, column, text)
        if any(error.startswith(f"{column} is longer") for error in errors):
            return Problem("long", record.LIMITS[column])
        if not value:
            return Problem("empty")
    edit.new_value = json.dumps({**values(edit.new_value), column: value}, ensure_ascii=False)
    return None


def _parsed(prisoner: Prisoner, column: str, text: str) -> tuple[Any, list[str]]:
    """The value as the import's parser reads it in this person's row, and what it says of that column."""
    row = record.to_row({key: getattr(prisoner, key) for key in prisoners.IMPORTED})
    row[column] = text
    result = record.parse_row(row, "chat")
    return result.values.get(column), [error for error in result.errors if error.startswith(column)]


def changes(edit: PrisonerEdit) -> list[Change]:
    """What the edit changes: old → new, the columns whose value differs."""
    old, new = values(edit.old_value), values(edit.new_value)
    return [
        Change(column, _decode(column, old.get(column)), _decode(column, new[column]))
        for column in CHANGES[edit.field]
        if column in new and new[column] != old.get(column)
    ]


async def get(session: AsyncSession, edit_id: int, admin: int) -> PrisonerEdit | None:
    """The admin's own edit not yet applied: someone else's reads as none."""
    edit = await session.get(PrisonerEdit, edit_id)
    return edit if edit is not None and edit.admin_telegram_id == admin and edit.applied_at is None else None


async def of_another(session: AsyncSession, edit_id: int, admin: int) -> bool:
    """Whether the edit is another admin's: a press that names it was forged (it is shown to no one else)."""
    edit = await session.get(PrisonerEdit, edit_id)
    return edit is not None and edit.admin_telegram_id != admin


async def confirm(session: AsyncSession, *, edit_id: int, admin: int, now: datetime) -> Outcome:
    """Apply the admin's complete edit, with its audit entry, if the record still holds what the admin
    saw; if not, the edit is replaced by one from the record as it is now, to be confirmed again."""
    edit = await get(session, edit_id, admin)
    if edit is None or waiting(edit) is not None:
        return Outcome("gone")
    # Claim the edit (a second press, or another process, finds it claimed) and lock the record, read
    # afresh: a concurrent confirmation of another edit waits here and then sees what this one wrote.
    claimed = await session.exec(
        update(PrisonerEdit)
        .where(col(PrisonerEdit.id) == edit.id, col(PrisonerEdit.applied_at).is_(None))
        .values(applied_at=now)
    )
    locked = select(Prisoner).where(col(Prisoner.id) == edit.prisoner_id).with_for_update()
    prisoner = (await session.exec(locked.execution_options(populate_existing=True))).first()
    if claimed.rowcount != 1 or prisoner is None:
        return Outcome("gone")
    await session.exec(delete(PrisonerEdit).where(col(PrisonerEdit.id) == edit.id))
    if not allowed(edit.field, prisoner):  # died meanwhile: nothing of this change applies any more
        return Outcome("gone", prisoner)
    current = snapshot(prisoner, edit.field)
    if current != values(edit.old_value):
        again = PrisonerEdit(
            admin_telegram_id=admin, prisoner_id=edit.prisoner_id, field=edit.field,
            old_value=json.dumps(current, ensure_ascii=False), new_value=edit.new_value, created_at=now,
        )  # fmt: skip
        session.add(again)
        await session.flush()
        return Outcome("stale", prisoner, again)
    made = changes(edit)
    for change in made:
        setattr(prisoner, change.column, change.new)
    prisoners.derive(prisoner)
    prisoner.updated_at = now
    session.add(prisoner)
    detail = f"{prisoner.source_id}: " + "; ".join(f"{c.column} {_shown(c.old)}→{_shown(c.new)}" for c in made)
    audit.record(session, at=now, actor=admin, action=f"prisoner.{edit.field}", detail=detail)
    return Outcome("applied", prisoner)


AUDIT_VALUE = 200  # characters of a long value (a bio) kept in the audit entry


def _shown(value: Any) -> str:
    text = "∅" if value is None else _encode(value) if not isinstance(value, bool) else str(value).lower()
    text = str(text).replace("\n", " / ")
    return text if len(text) <= AUDIT_VALUE else text[: AUDIT_VALUE - 1] + "…"


async def cancel(session: AsyncSession, *, edit_id: int, admin: int) -> PrisonerEdit | None:
    """Drop the admin's own unapplied edit; the record is not touched. None if there was none."""
    edit = await get(session, edit_id, admin)
    if edit is not None:
        await session.delete(edit)
    return edit


async def prune(session: AsyncSession, now: datetime) -> int:
    """Forget edits left unconfirmed for an hour (and any applied one, should it remain)."""
    result = await session.exec(
        delete(PrisonerEdit).where(
            or_(col(PrisonerEdit.created_at) < now - KEEP, col(PrisonerEdit.applied_at).is_not(None))
        )
    )
    return max(int(result.rowcount), 0)
