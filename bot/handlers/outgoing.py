"""How a handler's replies reach Telegram after the commit: sent again when Telegram asks to wait a
moment, and an edit that changes nothing taken as done."""

from __future__ import annotations

import warnings
from collections.abc import Awaitable, Callable
from datetime import timedelta

from telegram import CallbackQuery, InlineKeyboardMarkup
from telegram.error import BadRequest, RetryAfter
from telegram.warnings import PTBDeprecationWarning

from bot.clock import Sleep

REPLY_WAIT_LIMIT = 10.0  # seconds: a reply Telegram holds back longer than this is not worth waiting for
REPLY_TRIES = 3


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
    """Edit the message a button was on; pressing a button that shows what is already there is fine."""
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as exc:
        if not exc.message.startswith("Message is not modified"):
            raise
