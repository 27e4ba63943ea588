"""/check: a draft pasted by the user is checked for what gets letters withheld. It is never stored."""

from __future__ import annotations

from telegram import Update

from bot.handlers import about
from bot.handlers.common import AppContext, Request, handler, message_of
from bot.rules import draft_check
from bot.services import supporters

PENDING = "draft"


@handler()
async def command(update: Update, context: AppContext, request: Request) -> None:
    message = message_of(update)
    text = (message.text or "").partition(" ")[2].strip()
    if text:
        await report(update, request, text)
        return
    await supporters.set_pending(request.session, request.supporter, PENDING)
    await message.reply_text(request.render("check_ask"))


@handler()
async def text(update: Update, context: AppContext, request: Request) -> None:
    """Plain text: a draft if /check asked for one, otherwise a pointer to /help."""
    if request.supporter.pending_input == PENDING:
        await supporters.set_pending(request.session, request.supporter, None)
        await report(update, request, message_of(update).text or "")
        return
    await about.reply_unknown(update, request)


async def report(update: Update, request: Request, draft: str) -> None:
    found = draft_check.check(draft)
    await message_of(update).reply_text(
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
