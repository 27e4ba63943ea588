"""/check: a draft pasted by the user is checked for what gets letters withheld. It is never stored."""

from __future__ import annotations

from telegram import Update

from bot.handlers.common import AppContext, Request, handler, message_of
from bot.rules import draft_check
from bot.services import supporters

PENDING = "draft"
CALLBACK_PATTERN = r"^chk:"


@handler()
async def command(update: Update, context: AppContext, request: Request) -> None:
    message = message_of(update)
    text = (message.text or "").partition(" ")[2].strip()
    if text:
        report(request, text)
        return
    await supporters.set_pending(request.session, request.supporter, PENDING)
    request.reply(request.render("check_ask"))


@handler()
async def button(update: Update, context: AppContext, request: Request) -> None:
    """chk:ask, under a letter text: the same as /check without a draft; the text stays on screen."""
    query = update.callback_query
    assert query is not None
    if query.data != "chk:ask":
        request.stale()
        return
    request.answer()
    await supporters.set_pending(request.session, request.supporter, PENDING)
    request.reply(request.render("check_ask"))


@handler()
async def text(update: Update, context: AppContext, request: Request) -> None:
    """Plain text: a draft if /check asked for one, otherwise a pointer to /help."""
    if request.supporter.pending_input == PENDING:
        await supporters.set_pending(request.session, request.supporter, None)
        report(request, message_of(update).text or "")
        return
    request.reply(request.render("unknown"))


def report(request: Request, draft: str) -> None:
    found = draft_check.check(draft)
    request.reply(
        request.render(
            "check_report",
            topics=found.topics,
            latin=found.latin_words,
            abbreviations=found.abbreviations,
            too_long=found.too_long,
            length=found.length,
            limit=draft_check.LONG_LETTER,
            clean=found.clean,
        )
    )
