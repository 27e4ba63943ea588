"""/check: a draft pasted by the user is checked for what gets letters withheld. It is never stored."""

from __future__ import annotations

from telegram import Update

from bot.handlers import buttons
from bot.handlers.common import AppContext, Request, handler, message_of
from bot.rules import draft_check, limits
from bot.services import supporters

PENDING = "draft"
BUTTONS = (buttons.CheckDraft,)


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
    if buttons.read(query.data, *BUTTONS) is None:
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


LISTED = 12  # words shown per finding: enough to find them in the draft, and the answer fits one message


def report(request: Request, draft: str) -> None:
    found = draft_check.check(draft)
    request.reply(
        request.render(
            "check_report",
            topics={topic: _few(words) for topic, words in found.topics.items()},
            latin=_few(found.latin_words),
            abbreviations=_few(found.abbreviations),
            too_long=found.too_long,
            length=found.length,
            limit=draft_check.LONG_LETTER,
            clean=found.clean,
        )
    )


def _few(words: list[str]) -> list[str]:
    return [limits.shorten(word, 40) for word in words[:LISTED]] + (["…"] if len(words) > LISTED else [])
