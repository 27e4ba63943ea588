"""A supporter's reminder settings: which kinds, the window of the day, a pause, all on or off."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.models import ReminderKind, ReminderWindow, Supporter
from bot.rules import reminders as rules

PAUSE_DAYS = 30


async def switch(session: AsyncSession, supporter: Supporter, kind: ReminderKind, *, on: bool) -> None:
    off = rules.switched_off(supporter.reminders_off)
    if on:
        off.discard(kind)
    else:
        off.add(kind)
    supporter.reminders_off = rules.store_switched_off(off)
    session.add(supporter)


async def set_window(session: AsyncSession, supporter: Supporter, window: ReminderWindow) -> None:
    supporter.reminder_window = window.value
    session.add(supporter)


async def pause(session: AsyncSession, supporter: Supporter, today: date, *, paused: bool) -> None:
    """Pause for a month (the last day of the pause is stored), or resume now."""
    supporter.reminders_paused_until = today + timedelta(days=PAUSE_DAYS) if paused else None
    session.add(supporter)


async def set_all(session: AsyncSession, supporter: Supporter, *, on: bool) -> None:
    supporter.reminders_on = on
    if on:
        supporter.reminders_paused_until = None
    session.add(supporter)


def paused_until(supporter: Supporter, today: date) -> date | None:
    until = supporter.reminders_paused_until
    return until if until is not None and until >= today else None
