"""Keeping count: "I sent a letter/postcard" with its date, /letters with replies and deletion."""

from __future__ import annotations

from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.handlers import cards
from bot.handlers.common import AppContext, Request, find_someone_keyboard, handler, number
from bot.models import LetterKind
from bot.rules.occasions import Occasion
from bot.services import letters, suggestions

SENT_PATTERN = r"^(sent|sd):"
ENTRY_PATTERN = r"^lt:"
EARLIER_DAYS = range(2, 15)
PAGE = 10  # letters on one page of /letters
MAX_PAGE = 10_000


@handler()
async def sent(update: Update, context: AppContext, request: Request) -> None:
    """sent:<prisoner>:<kind>:<occasion|->[:more] asks the day; sd:<prisoner>:<kind>:<occasion|->:<days ago> logs."""
    query = update.callback_query
    assert query is not None and query.data is not None
    parts = query.data.split(":")
    prisoner_id = number(parts[1]) if len(parts) in (4, 5) else None
    prisoner = None
    if (
        prisoner_id is not None
        and parts[2] in ("letter", "postcard")
        and (parts[3] == "-" or parts[3] in {o.value for o in Occasion})
    ):
        prisoner = await suggestions.get(request.session, prisoner_id)
    if prisoner is None or not cards.writable(prisoner):
        request.stale()
        return
    base = f"sd:{parts[1]}:{parts[2]}:{parts[3]}"
    if parts[0] == "sent":
        request.answer()
        earlier = len(parts) == 5 and parts[4] == "more"
        request.show(request.render("sent_when", kind=parts[2]), _when(request, base, earlier))
        return
    days_ago = number(parts[4], maximum=max(EARLIER_DAYS)) if len(parts) == 5 else None
    if days_ago is None:
        request.stale()
        return
    today = request.deps.today()
    sent_on = today - timedelta(days=days_ago)
    await letters.record(
        request.session, supporter_id=request.supporter.id or 0, prisoner_id=prisoner.id or 0, sent_on=sent_on,
        kind=LetterKind(parts[2]), occasion=None if parts[3] == "-" else parts[3], now=request.deps.clock(),
    )  # fmt: skip
    counts = await letters.counts(request.session, request.supporter.id or 0)
    request.answer(request.t._("Saved. Thank you!"))
    request.show(
        request.render("sent_done", kind=parts[2], name=cards.display_name(prisoner, request.locale),
                       day=sent_on, letters=counts["letter"], postcards=counts["postcard"]),
        InlineKeyboardMarkup([[
            InlineKeyboardButton(request.t._("Write to someone else"), callback_data="sug:next"),
            InlineKeyboardButton(request.t._("My letters"), callback_data="lt:list"),
        ]]),
    )  # fmt: skip


def _when(request: Request, base: str, earlier: bool) -> InlineKeyboardMarkup:
    t = request.t
    if earlier:
        today = request.deps.today()
        buttons = [
            InlineKeyboardButton(t.date(today - timedelta(days=days), "d MMMM"), callback_data=f"{base}:{days}")
            for days in EARLIER_DAYS
        ]
        return InlineKeyboardMarkup([buttons[i : i + 3] for i in range(0, len(buttons), 3)])
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(t._("Today"), callback_data=f"{base}:0"),
         InlineKeyboardButton(t._("Yesterday"), callback_data=f"{base}:1")],
        [InlineKeyboardButton(t._("Earlier"), callback_data=f"sent{base.removeprefix('sd')}:more")],
    ])  # fmt: skip


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
        label = f"{t.date(letter.sent_on, 'd MMM')} · {name}"
        reply = "✓ " + t._("Reply") if letter.reply_received else t._("Got a reply")
        rows.append([
            InlineKeyboardButton(f"{label}: {reply}", callback_data=f"lt:r:{letter.id}:{page}"),
            InlineKeyboardButton("🗑", callback_data=f"lt:d:{letter.id}:{page}"),
        ])  # fmt: skip
    turn = []
    if page > 0:
        turn.append(InlineKeyboardButton("◀ " + t._("Later letters"), callback_data=f"lt:pg:{page - 1}"))
    if page < pages - 1:
        turn.append(InlineKeyboardButton(t._("Earlier letters") + " ▶", callback_data=f"lt:pg:{page + 1}"))
    if turn:
        rows.append(turn)
    request.show(
        request.render("letters", entries=entries_view, letters=counts["letter"], postcards=counts["postcard"],
                       page=page + 1, pages=pages),
        InlineKeyboardMarkup(rows) if rows else find_someone_keyboard(request),
    )  # fmt: skip


@handler()
async def entry(update: Update, context: AppContext, request: Request) -> None:
    """lt:list, lt:pg:<page>, and for one entry (the page to come back to is optional):
    lt:r:<id>[:<page>] (a reply came), lt:d:<id>[:<page>] (ask), lt:dy:<id>[:<page>] (delete),
    lt:dn[:<page>] (keep)."""
    query = update.callback_query
    assert query is not None and query.data is not None
    parts = query.data.split(":")
    action = parts[1] if len(parts) > 1 else ""
    if action in ("list", "pg", "dn") and len(parts) <= 3:
        page = number(parts[2], maximum=MAX_PAGE) if len(parts) == 3 else 0
        if page is None or (action == "list" and len(parts) == 3):
            request.stale()
            return
        request.answer()
        await _history(request, page)
        return
    letter = None
    letter_id = number(parts[2]) if len(parts) in (3, 4) else None
    page = number(parts[3], maximum=MAX_PAGE) if len(parts) == 4 else 0
    if letter_id is not None and page is not None:
        letter = await letters.own(request.session, request.supporter.id or 0, letter_id)
    if letter is None or page is None or action not in ("r", "d", "dy"):
        request.stale()
        return
    t = request.t
    if action == "r":
        await letters.mark_reply(request.session, letter)
        request.answer(t._("Marked: a reply came."))
        await _history(request, page)
    elif action == "d":
        request.answer()
        request.show(
            request.render("letter_delete", day=letter.sent_on, kind=letter.kind),
            InlineKeyboardMarkup([[
                InlineKeyboardButton(t._("Yes, delete"), callback_data=f"lt:dy:{letter.id}:{page}"),
                InlineKeyboardButton(t._("No, keep it"), callback_data=f"lt:dn:{page}"),
            ]]),
        )  # fmt: skip
    else:
        await letters.delete(request.session, letter)
        request.answer(t._("Deleted."))
        await _history(request, page)
