"""/reminders: what arrives and when; and the buttons under a reminder (tomorrow, no more like this)."""

from __future__ import annotations

from datetime import timedelta

from babel.dates import get_timezone_location
from telegram import InlineKeyboardMarkup, Update

from bot.handlers import buttons, suggest
from bot.handlers.common import AppContext, Request, handler
from bot.models import ReminderKind, ReminderWindow, WritingPace
from bot.rules import reminders as rules
from bot.services import reminder_settings, reminders, supporters

BUTTONS = (
    buttons.ReminderMenu, buttons.ReminderSwitch, buttons.ReminderWindowSet, buttons.ReminderPace,
    buttons.ReminderPause, buttons.ReminderAll, buttons.RemindLater, buttons.StopReminders, buttons.ReminderOpen,
)  # fmt: skip


@handler()
async def command(update: Update, context: AppContext, request: Request) -> None:
    show(request)


@handler()
async def button(update: Update, context: AppContext, request: Request) -> None:
    query = update.callback_query
    assert query is not None
    session, supporter, today = request.session, request.supporter, request.deps.today()
    t = request.t
    match buttons.decode(query.data):
        case buttons.ReminderMenu():  # under a reminder: the settings come as a new message
            request.answer()
            request.in_place = False
        case buttons.ReminderSwitch(kind) if kind in rules.SWITCHES:
            now_on = kind in rules.switched_off(supporter.reminders_off)
            await reminder_settings.switch(session, supporter, kind, on=now_on)
            request.answer(t._("Switched on.") if now_on else t._("Switched off."))
        case buttons.ReminderWindowSet(window):
            await reminder_settings.set_window(session, supporter, window)
            request.answer(t._("Saved."))
        case buttons.ReminderPace(pace):
            await supporters.set_pace(session, supporter, pace)
            request.answer(t._("Saved."))
        case buttons.ReminderPause(pause):
            await reminder_settings.pause(session, supporter, today, paused=pause == "1")
            request.answer(t._("Paused for a month.") if pause == "1" else t._("Reminders are on again."))
        case buttons.ReminderAll(on):
            await reminder_settings.set_all(session, supporter, on=on == "1")
            request.answer(t._("Reminders are on again.") if on == "1" else t._("All reminders are off."))
        case buttons.ReminderOpen(prisoner, women):
            request.in_place = False  # the reminder stays in the chat as it was
            if prisoner:
                await suggest.show_card(request, prisoner)
            elif women == "1":
                await suggest.choose_filter(request, "gender", "female", alone=True)
            else:
                request.answer()
                await suggest.next_person(request)
            return
        case buttons.RemindLater(digest):
            moved = await reminders.later(session, supporter.id or 0, digest, today + timedelta(days=1))
            if not moved:
                request.stale()
                return
            request.answer(t._("I will remind you tomorrow."), alert=False)
            return
        case buttons.StopReminders(kind) if kind in ReminderKind:
            switch_kind = ReminderKind.BIRTHDAY_MINE if kind == ReminderKind.BIRTHDAY_LAST_CALL else kind
            await reminder_settings.switch(session, supporter, switch_kind, on=False)
            request.answer(t._("No more reminders like this. /reminders can switch them on again."), alert=True)
            return
        case _:
            request.stale()
            return
    show(request)


def show(request: Request) -> None:
    supporter, today = request.supporter, request.deps.today()
    request.show(
        request.render(
            "reminders_settings",
            on=supporter.reminders_on,
            paused_until=reminder_settings.paused_until(supporter, today),
            zone=get_timezone_location(request.deps.settings.timezone, locale=request.locale, return_city=True),
        ),
        keyboard(request),
    )


def kind_label(request: Request, kind: ReminderKind) -> str:
    t = request.t
    return {
        ReminderKind.BIRTHDAY_MINE: t._("Birthdays of people I wrote to"),
        ReminderKind.BIRTHDAY_LAST_CALL: t._("Birthdays of people I wrote to"),
        ReminderKind.BIRTHDAYS_SOON: t._("Birthdays soon, once a week"),
        ReminderKind.SOLIDARITY_DAY: t._("21 May"),
        ReminderKind.WINTER: t._("New Year and Christmas"),
        ReminderKind.EASTER: t._("Easter"),
        ReminderKind.WOMENS_DAY: t._("8 March"),
        ReminderKind.RELEASE_SOON: t._("A release soon"),
        ReminderKind.RELEASED: t._("Good news of a release"),
        ReminderKind.PACE: t._("My pace"),
    }[kind]


def keyboard(request: Request) -> InlineKeyboardMarkup:
    t, supporter = request.t, request.supporter
    off = rules.switched_off(supporter.reminders_off)

    def mark(chosen: bool, label: str) -> str:
        return ("✓ " if chosen else "") + label

    switches = [
        buttons.make(("✗ " if kind in off else "✓ ") + kind_label(request, kind), buttons.ReminderSwitch(kind))
        for kind in rules.SWITCHES
    ]
    window = rules.window_of(supporter.reminder_window)
    windows = {
        ReminderWindow.MORNING: t._("Morning, 9-12"),
        ReminderWindow.AFTERNOON: t._("Afternoon, 13-17"),
        ReminderWindow.EVENING: t._("Evening, 18-21"),
    }
    paces = {
        WritingPace.MONTHLY: t._("Once a month"),
        WritingPace.FORTNIGHTLY: t._("Every two weeks"),
        WritingPace.OCCASIONS: t._("Only on occasions"),
    }
    paused = reminder_settings.paused_until(supporter, request.deps.today()) is not None
    rows = [switches[i : i + 2] for i in range(0, len(switches), 2)]
    rows.append([buttons.make(mark(w == window, label), buttons.ReminderWindowSet(w)) for w, label in windows.items()])
    rows.extend(
        [buttons.make(mark(supporter.writing_pace == pace.value, label), buttons.ReminderPace(pace))]
        for pace, label in paces.items()
    )
    pause = (
        buttons.make(t._("Resume"), buttons.ReminderPause("0"))
        if paused
        else buttons.make(t._("Pause for a month"), buttons.ReminderPause("1"))
    )
    everything = (
        buttons.make(t._("Turn all off"), buttons.ReminderAll("0"))
        if supporter.reminders_on
        else buttons.make(t._("Turn all on"), buttons.ReminderAll("1"))
    )
    rows.append([pause, everything])
    return InlineKeyboardMarkup(rows)
