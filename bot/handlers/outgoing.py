"""How a handler's replies reach Telegram after the commit: each on its own, sent again when Telegram
asks to wait a moment, an edit that changes nothing taken as done, and an edit whose message is gone
sent as a new message."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Awaitable, Callable
from datetime import timedelta

from telegram import CallbackQuery, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.warnings import PTBDeprecationWarning

from bot.clock import Sleep

REPLY_WAIT_LIMIT = 10.0  # seconds: a reply Telegram holds back longer than this is not worth waiting for
REPLY_TRIES = 3
log = logging.getLogger(__name__)


async def deliver_all(sends: list[Callable[[], Awaitable[object]]], sleep: Sleep) -> None:
    """Send a handler's replies after its transaction committed.

    The change is saved whatever Telegram answers now, so a failed send is logged and the rest still
    go, and nothing raises to the error handler (whose apology would tell the user that a saved change
    failed). A button answered too late ("query is too old", after a backlog) is the common case.
    """
    for send in sends:
        try:
            await deliver(send, sleep)
        except Forbidden:
            log.info("a reply was refused: the user has blocked the bot")
            return  # nothing more can reach them
        except TelegramError as exc:
            # Telegram's description names the problem, never the user or the text.
            log.warning("a reply after the commit was not sent: %s: %s", type(exc).__name__, exc.message)


async def deliver(send: Callable[[], Awaitable[object]], sleep: Sleep) -> None:
    """Send one queued reply. If Telegram says to slow down (429: a person pressing faster than a
    message a second), wait as told and send it again, rather than lose the reply."""
    for attempt in range(REPLY_TRIES):
        try:
            await send()
            return
        except RetryAfter as exc:
            wait = retry_seconds(exc)
            if attempt == REPLY_TRIES - 1 or wait > REPLY_WAIT_LIMIT:
                raise
            await sleep(wait)


def retry_seconds(error: RetryAfter) -> float:
    """How long Telegram asked to wait. PTB 22 gives an int and warns that it will become a timedelta;
    both are read here, without the warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        retry_after = error.retry_after
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else float(retry_after)


async def edit(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """Edit the message a button was on; pressing a button that shows what is already there is fine,
    and if the message is gone (deleted by the user) or can no longer be edited, send a new one."""
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as exc:
        problem = exc.message.lower()
        if problem.startswith("message is not modified"):
            return
        if query.message is None or not problem.startswith(("message to edit not found", "message can't be edited")):
            raise
        await query.get_bot().send_message(query.message.chat.id, text, reply_markup=markup)
