"""One message to one chat, and what Telegram's answer means for it.

Every Telegram error becomes an `Outcome`; nothing raises to the caller for Telegram's sake. A request
is sent again only when it certainly did not reach Telegram: after a 429 (Telegram refused it and named
the wait) and after a failed connection. A timeout once the request was on its way may have delivered
it (PTB issue 1045: one message arrived three times after retries), so it is UNCERTAIN and not sent again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import httpx
from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.delivery.outcomes import Outcome
from bot.delivery.pacer import Pacer
from bot.handlers.outgoing import retry_seconds

FLOOD_TRIES = 5  # 429s for one message before it is given up: Telegram keeps refusing, something is wrong
CONNECT_TRIES = 3  # failed connections for one message; the pacer spaces them a second apart (one chat)
# What a 400 says when the person is gone rather than the message wrong (Telegram words vary in case).
GONE = ("chat not found", "user is deactivated")
# httpx errors raised before a byte of the request left: PTB wraps them, keeping them as the cause.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
log = logging.getLogger(__name__)


@dataclass
class Rendered:
    """A message as it is sent: HTML text and an optional inline keyboard; `paid`: sent with Telegram's
    allow_paid_broadcast (up to 1,000 a second, paid in Stars; BOT_PAID_BROADCAST)."""

    text: str
    markup: InlineKeyboardMarkup | None = None
    paid: bool = False


@dataclass(frozen=True)
class Attempt:
    outcome: Outcome
    requests: int  # Bot API requests made for the message, retries included


async def send(bot: Bot, pacer: Pacer, chat_id: int, message: Rendered) -> Outcome:
    """Send one message, paced, and say how it ended."""
    return (await attempt(bot, pacer, chat_id, message)).outcome


async def attempt(bot: Bot, pacer: Pacer, chat_id: int, message: Rendered) -> Attempt:
    """`send`, also counting the requests it took (the outbox keeps them as `attempts`)."""
    requests = floods = failed_connections = 0
    while True:
        await pacer.wait(chat_id)
        requests += 1
        try:
            await bot.send_message(
                chat_id, message.text, parse_mode=ParseMode.HTML, reply_markup=message.markup,
                allow_paid_broadcast=message.paid or None,
            )  # fmt: skip
            return Attempt(Outcome.SENT, requests)
        except RetryAfter as exc:
            pacer.hold(retry_seconds(exc))
            floods += 1
            if floods >= FLOOD_TRIES:
                log.warning("a message was given up after %d answers of 429", floods)
                return Attempt(Outcome.FAILED, requests)
        except Forbidden:  # blocked by the user, or the account was deleted
            return Attempt(Outcome.BLOCKED, requests)
        except BadRequest as exc:  # before NetworkError, of which it is a subclass
            if exc.message.lower().removeprefix("bad request: ").startswith(GONE):
                return Attempt(Outcome.BLOCKED, requests)
            log.warning("Telegram refused a message: %s", exc.message)  # its words, never the text
            return Attempt(Outcome.FAILED, requests)
        except NetworkError as exc:  # TimedOut included: it is a subclass too
            if not isinstance(exc.__cause__, NOT_SENT):
                log.warning("no answer to a message, it may have arrived: %s", type(exc).__name__)
                return Attempt(Outcome.UNCERTAIN, requests)
            failed_connections += 1
            if failed_connections >= CONNECT_TRIES:
                log.warning("a message was given up: no connection after %d tries", failed_connections)
                return Attempt(Outcome.FAILED, requests)
        except TelegramError as exc:  # ChatMigrated, InvalidToken, Conflict...: not for this message to fix
            log.warning("a message was not sent: %s", type(exc).__name__)
            return Attempt(Outcome.FAILED, requests)
