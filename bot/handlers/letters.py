"""Keeping count: "I sent a letter/postcard" with its date, /letters with replies and deletion."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.handlers import buttons, cards
from bot.handlers.common import AppContext, Request, find_someone_keyboard, handler
from bot.services import letters, suggestions

SENT_BUTTONS = (buttons.SentAsk, buttons.SentOn)
ENTRY_BUTTONS = (buttons.LettersPage, buttons.LetterAction)
EARLIER_DAYS = range(2, 15)
OLDEST_DAY = max(EARLIER_DAYS) + 1  # a day's button pressed just after midnight is a day older
PAGE = 10  # letters on one page of /letters


@handler()
async def sent(update: Update, context: AppContext, request: Request) -> None:
    """ "I sent it": which day (SentAsk), then log it (SentOn, carrying the day its label showed)."""
    query = update.callback_query
    assert query is not None
    pressed = buttons.read(query.data, *SENT_BUTTONS)
    prisoner = await suggestions.get(request.session, pressed.prisoner) if pressed is not None else None
    if pressed is None or prisoner is None or not suggestions.is_writable(prisoner):
        request.stale()
        return
    if isinstance(pressed, buttons.SentAsk):
        request.answer()
        request.show(request.render("sent_when", kind=pressed.kind.value), _when(request, pressed))
        return
    today = request.deps.today()
    if not today - timedelta(days=OLDEST_DAY) <= pressed.day <= today:
        request.stale()
        return
    outcome = await letters.record(
        request.session, supporter_id=request.supporter.id or 0, prisoner_id=pressed.prisoner, sent_on=pressed.day,
        kind=pressed.kind, occasion=pressed.occasion.value if pressed.occasion else None, now=request.deps.clock(),
        today=today, daily_cap=request.deps.settings.bot_daily_letter_cap,
    )  # fmt: skip
    if outcome is letters.Outcome.CAPPED:
        request.answer(request.t._("That is as many letters as I can record in one day. Please log the rest tomorrow."),
                       alert=True)  # fmt: skip
        return
    counts = await letters.counts(request.session, request.supporter.id or 0)
    saved = outcome is letters.Outcome.SAVED
    request.answer(request.t._("Saved. Thank you!") if saved else request.t._("Already recorded."))
    request.show(
        request.render("sent_done", kind=pressed.kind.value, name=cards.display_name(prisoner, request.locale),
                       day=pressed.day, letters=counts["letter"], postcards=counts["postcard"]),
        InlineKeyboardMarkup([[
            buttons.make(request.t._("Write to someone else"), buttons.NextPerson()),
            buttons.make(request.t._("My letters"), buttons.LettersPage(0)),
        ], [back_to_card(request, pressed.prisoner)]]),
    )  # fmt: skip


def _when(request: Request, asked: buttons.SentAsk) -> InlineKeyboardMarkup:
    t, today = request.t, request.deps.today()

    def day(label: str, days_ago: int) -> InlineKeyboardButton:
        on = today - timedelta(days=days_ago)
        return buttons.make(label, buttons.SentOn(asked.prisoner, asked.kind, asked.occasion, on))

    back = [back_to_card(request, asked.prisoner)]
    if asked.earlier == "1":
        choices = [day(t.date(today - timedelta(days=days), "d MMMM"), days) for days in EARLIER_DAYS]
        return InlineKeyboardMarkup([*(choices[i : i + 3] for i in range(0, len(choices), 3)), back])
    earlier = dataclasses.replace(asked, earlier="1")
    return InlineKeyboardMarkup([
        [day(t._("Today"), 0), day(t._("Yesterday"), 1)],
        [buttons.make(t._("Earlier"), earlier)],
        back,
    ])  # fmt: skip


def back_to_card(request: Request, prisoner: int) -> InlineKeyboardButton:
    return buttons.make(request.t._("Back to the card"), buttons.ShowCard(prisoner))


@handler()
async def show(update: Update, context: AppContext, request: Request) -> None:
    await _history(request, 0)


async def _history(request: Request, page: int) -> None:
    """One page of the supporter's letters, newest first; a page past the end shows the last one."""
    supporter_id = request.supporter.id or 0
    counts = await letters.counts(request.session, supporter_id)
    pages = max(1, -(-(counts["letter"] + counts["postcard"]) // PAGE))
    page = min(page, pages - 1)
    entries = await letters.history(request.session, supporter_id, limit=PAGE, offset=page * PAGE)
    t = request.t
    rows, entries_view = [], []
    for entry in entries:
        letter = entry.letter
        name = cards.name_for(request.locale, entry.name_be, entry.name_ru, entry.name_en)
        entries_view.append({"day": letter.sent_on, "kind": letter.kind, "reply": letter.reply_received, "name": name})
        label = f"{t.date(letter.sent_on, 'dd.MM')} · {name}"  # numeric: a short month name reads as a word cut off
        reply = "✓ " + t._("Reply") if letter.reply_received else t._("Got a reply")
        rows.append([
            buttons.make(f"{label}: {reply}", buttons.LetterAction("reply", letter.id or 0, page)),
            buttons.make("🗑", buttons.LetterAction("ask", letter.id or 0, page)),
        ])  # fmt: skip
    turn = []
    if page > 0:
        turn.append(buttons.make("◀ " + t._("Later letters"), buttons.LettersPage(page - 1)))
    if page < pages - 1:
        turn.append(buttons.make(t._("Earlier letters") + " ▶", buttons.LettersPage(page + 1)))
    if turn:
        rows.append(turn)
    # People suggested lately and not written to yet: "I sent it" stays within reach on their card.
    waiting = await suggestions.awaiting_letters(
        request.session, supporter_id, request.deps.clock(), request.deps.today()
    ) if page == 0 else []  # fmt: skip
    rows += [[buttons.make("✉️ " + cards.display_name(p, request.locale), buttons.ShowCard(p.id or 0))] for p in waiting]
    if not entries:
        rows += [list(row) for row in find_someone_keyboard(request).inline_keyboard]
    request.show(
        request.render("letters", entries=entries_view, letters=counts["letter"], postcards=counts["postcard"],
                       page=page + 1, pages=pages, waiting=bool(waiting)),
        InlineKeyboardMarkup(rows),
    )  # fmt: skip


@handler()
async def entry(update: Update, context: AppContext, request: Request) -> None:
    """A page of /letters, or an action on one entry (only the supporter's own entries)."""
    query = update.callback_query
    assert query is not None
    pressed = buttons.read(query.data, *ENTRY_BUTTONS)
    if isinstance(pressed, buttons.LettersPage):
        request.answer()
        await _history(request, pressed.page)
        return
    letter = await letters.own(request.session, request.supporter.id or 0, pressed.letter) if pressed else None
    if pressed is None or letter is None:
        request.stale()
        return
    t = request.t
    if pressed.action == "reply":
        await letters.mark_reply(request.session, letter)
        request.answer(t._("Marked: a reply came."))
        await _history(request, pressed.page)
    elif pressed.action == "ask":
        prisoner = await suggestions.get(request.session, letter.prisoner_id)
        name = cards.display_name(prisoner, request.locale) if prisoner is not None else ""
        request.answer()
        request.show(
            request.render("letter_delete", day=letter.sent_on, kind=letter.kind, name=name),
            InlineKeyboardMarkup([[
                buttons.make(t._("Yes, delete"), dataclasses.replace(pressed, action="delete")),
                buttons.make(t._("No, keep it"), buttons.LettersPage(pressed.page)),
            ]]),
        )  # fmt: skip
    else:
        await letters.delete(request.session, letter)
        request.answer(t._("Deleted."))
        await _history(request, pressed.page)
