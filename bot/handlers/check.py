"""/check: a draft pasted by the user is checked for what gets letters withheld. It is never stored or
logged; what is kept while the check is open is in bot/services/draft_checks.py."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.handlers import admin_prisoner, broadcast, buttons, finish
from bot.handlers.common import AppContext, Request, handler, message_of
from bot.models import DraftCheck
from bot.rules import draft_check, limits
from bot.services import draft_checks, suggestions, supporters

PENDING = draft_checks.PENDING
BUTTONS = (buttons.CheckDraft, buttons.CheckLetter)


@handler()
async def command(update: Update, context: AppContext, request: Request) -> None:
    row = await _open(request, None)
    text = (message_of(update).text or "").partition(" ")[2].strip()
    if text:
        await report(request, text, row)
        return
    request.reply(request.render("check_ask"))


@handler()
async def button(update: Update, context: AppContext, request: Request) -> None:
    """ "Check my draft" under a letter text, or "Check again" under a report: the text stays on screen."""
    query = update.callback_query
    assert query is not None
    pressed = buttons.read(query.data, *BUTTONS)
    if pressed is None:
        request.stale()
        return
    request.answer()
    back_to = _letter(pressed) if isinstance(pressed, buttons.CheckLetter) else None
    await _open(request, back_to)
    request.reply(request.render("check_ask"), _back_keyboard(request, back_to))


@handler()
async def text(update: Update, context: AppContext, request: Request) -> None:
    """Plain text: what the bot waits for (a writer's name, a coordinator's alert, a draft or its next
    part while the check is open), otherwise a pointer to /help."""
    pending = request.supporter.pending_input
    if finish.waits_for_name(pending):
        await finish.take_name(request, message_of(update))
        return
    if broadcast.waits_for_text(pending):
        await broadcast.take_text(request, message_of(update))
        return
    if admin_prisoner.waits_for_text(pending):  # a value for a change to a person's record
        await admin_prisoner.take_text(request, message_of(update))
        return
    if pending == PENDING:
        row = await draft_checks.get(request.session, request.supporter.id or 0)
        if row is None or draft_checks.is_open(row, request.deps.clock()):
            await report(request, message_of(update).text or "", row or await _open(request, None))
            return
        await supporters.set_pending(request.session, request.supporter, None)
        await draft_checks.close(request.session, request.supporter.id or 0)
    request.reply(request.render("unknown"))


LISTED = 12  # words shown per finding: enough to find them in the draft, and the answer fits one message


async def report(request: Request, draft: str, row: DraftCheck) -> None:
    """Check a draft, or its next part, and keep the check open for the next text."""
    session, now = request.session, request.deps.clock()
    back_to = buttons.read(row.back_to, buttons.LetterText)
    prisoner = await suggestions.get(session, back_to.prisoner) if back_to is not None else None
    addressee = [name for name in (prisoner.name_ru, prisoner.name_be, prisoner.name_en) if name] if prisoner else []
    found = draft_check.check(draft, addressee=addressee, earlier=draft_checks.earlier(row, now))
    await draft_checks.record(session, row, now, found, len(draft))
    again: buttons.Button = (
        buttons.CheckLetter(back_to.prisoner, back_to.occasion, back_to.kind, back_to.language, back_to.variant)
        if back_to is not None
        else buttons.CheckDraft()
    )
    keyboard = [[buttons.make(request.t._("Check again"), again)], *_back_rows(request, back_to)]
    request.reply(
        request.render(
            "check_report",
            topics={topic: _few(words) for topic, words in found.topics.items()},
            latin=_few(found.latin_words),
            earlier_latin=found.earlier_latin and not found.latin_words,
            abbreviations=_few(found.abbreviations),
            earlier_abbreviations=found.earlier_abbreviations and not found.abbreviations,
            too_long=found.too_long,
            length=found.length,
            parts=found.parts,
            limit=draft_check.LONG_LETTER,
            clean=found.clean,
        ),
        InlineKeyboardMarkup(keyboard),
    )


async def _open(request: Request, back_to: buttons.LetterText | None) -> DraftCheck:
    await supporters.set_pending(request.session, request.supporter, PENDING)
    return await draft_checks.open_screen(
        request.session, request.supporter.id or 0, request.deps.clock(), back_to.data() if back_to else None
    )


def _letter(pressed: buttons.CheckLetter) -> buttons.LetterText:
    return buttons.LetterText(pressed.prisoner, pressed.occasion, pressed.kind, pressed.language, pressed.variant)


def _back_rows(request: Request, back_to: buttons.LetterText | None) -> list[list[InlineKeyboardButton]]:
    if back_to is None:
        return []
    t = request.t
    return [
        [
            buttons.make(t._("Back to the letter text"), back_to),
            buttons.make(t._("Back to the card"), buttons.ShowCard(back_to.prisoner)),
        ]
    ]


def _back_keyboard(request: Request, back_to: buttons.LetterText | None) -> InlineKeyboardMarkup | None:
    rows = _back_rows(request, back_to)
    return InlineKeyboardMarkup(rows) if rows else None


def _few(words: list[str]) -> list[str]:
    return [limits.shorten(word, 40) for word in words[:LISTED]] + (["…"] if len(words) > LISTED else [])
