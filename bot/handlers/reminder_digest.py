"""The day's reminders as one message, rendered when bot/delivery sends it (never stored).

The first line, what a lock screen shows, names no person and nothing political. Each item has its
main action (the person's card, or someone to write to) and 🔕 to stop reminders of its kind; the
last row offers "Remind me tomorrow" and the settings. A reminder that no longer holds (the person
was released or can no longer be written to, the kind was switched off, reminders were paused) is
left out; if nothing is left, nothing is sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.delivery.outcomes import Outcome
from bot.delivery.send import Rendered
from bot.deps import Deps
from bot.handlers import buttons, cards
from bot.i18n import resolve_locale
from bot.models import Outbox, Prisoner, Reminder, ReminderKind, Supporter
from bot.rules import limits
from bot.rules import reminders as rules
from bot.services import reminder_settings, reminders, suggestions

PER_PERSON = (ReminderKind.BIRTHDAY_MINE, ReminderKind.BIRTHDAY_LAST_CALL, ReminderKind.RELEASE_SOON,
              ReminderKind.RELEASED)  # fmt: skip
ORDER = list(ReminderKind)  # the order items are shown in: birthdays first, pace last
MOST_ITEMS = 6  # more waits for tomorrow: the message stays short and within Telegram's limit
NAME_ON_BUTTON = 32


@dataclass
class Item:
    kind: str
    day: date
    post_by: date
    name: str = ""
    female: bool = False
    names: list[str] = field(default_factory=list)
    which: str = ""  # for Easter: "western" or "orthodox" when the two are reminded of apart
    actions: list[InlineKeyboardButton] = field(default_factory=list)


async def render(session: AsyncSession, outbox: Outbox, supporter: Supporter, deps: Deps) -> Rendered | None:
    locale = resolve_locale(supporter.locale, None, deps.settings.bot_default_locale)
    t = deps.i18n.translator(locale)
    today = deps.today()
    held = sorted(await reminders.queued(session, outbox.id or 0), key=lambda r: ORDER.index(ReminderKind(r.kind)))
    local = deps.clock().astimezone(deps.settings.timezone)
    if outbox.key != today.isoformat() or not rules.sendable(rules.window_of(supporter.reminder_window), local):
        # Queued for another day, or its window has closed (a restart, a long outage): not now, at night
        # or twice in a day; what is still worth sending waits for its next window.
        for reminder in held:
            await reminders.defer(session, reminder)
        return None
    if not supporter.reminders_on or reminder_settings.paused_until(supporter, today) is not None:
        return None
    off = rules.switched_off(supporter.reminders_off)
    items: list[Item] = []
    for reminder in held:
        kind = ReminderKind(reminder.kind)
        if len(items) >= MOST_ITEMS:
            await reminders.defer(session, reminder)  # tomorrow's message, while it is worth sending
            continue
        needless = kind in off or reminder.expires_on < today or await reminders.overtaken(session, reminder)
        item = None if needless else await _item(session, reminder, locale, t, today)
        if item is None:
            await reminders.drop(session, reminder)
            continue
        await reminders.shown(session, reminder)
        items.append(item)
    if not items:
        return None
    text = deps.i18n.render(locale, "reminders_digest", items=items)
    rows = [[*item.actions, buttons.make("🔕", buttons.StopReminders(ReminderKind(item.kind)))] for item in items]
    rows.append([
        buttons.make("⏰ " + t._("Remind me tomorrow"), buttons.RemindLater(outbox.id or 0)),
        buttons.make("⚙️ " + t._("Reminders"), buttons.ReminderMenu()),
    ])  # fmt: skip
    return Rendered(text, InlineKeyboardMarkup(rows))


async def _item(session: AsyncSession, reminder: Reminder, locale: str, t: Any, today: date) -> Item | None:
    kind = ReminderKind(reminder.kind)
    due = rules.Due(kind, reminder.occurrence, reminder.due_on, reminder.expires_on, reminder.subject)
    item = Item(kind.value, reminder.occurrence, max(due.post_by, today))  # sent late: post by today
    if kind in PER_PERSON:
        prisoner = await session.get(Prisoner, reminder.subject)
        still = prisoner is not None and (kind == ReminderKind.RELEASED or suggestions.is_writable(prisoner))
        if prisoner is None or not still:
            return None
        item.name, item.female = cards.display_name(prisoner, locale), prisoner.gender == "female"
        if kind == ReminderKind.RELEASED:
            item.actions = [buttons.make(t._("Write to someone else"), buttons.ReminderOpen(0))]
        else:
            label = "✉️ " + limits.shorten(item.name, NAME_ON_BUTTON)
            item.actions = [buttons.make(label, buttons.ReminderOpen(prisoner.id or 0))]
        return item
    if kind == ReminderKind.BIRTHDAYS_SOON:
        people = await reminders.birthdays_soon(session, today, reminder.supporter_id)
        if not people:
            return None
        item.names = [cards.display_name(person, locale) for person in people]
        item.actions = [
            buttons.make("🎂 " + limits.shorten(cards.display_name(person, locale), NAME_ON_BUTTON // 2),
                         buttons.ReminderOpen(person.id or 0))
            for person in people
        ]  # fmt: skip
        return item
    if kind == ReminderKind.EASTER:
        item.which = rules.which_easter(reminder.occurrence)
    if kind == ReminderKind.WOMENS_DAY:
        item.actions = [buttons.make(t._("Find a woman to write to"), buttons.ReminderOpen(0, women="1"))]
        return item
    item.actions = [buttons.make(t._("Find someone to write to"), buttons.ReminderOpen(0))]
    return item


async def finished(session: AsyncSession, outbox: Outbox, outcome: Outcome) -> None:
    await reminders.finish(session, outbox.id or 0, outcome.value)
