"""The error handler: log what failed without message text or user ids, apologise, keep running."""

from __future__ import annotations

import logging
from contextvars import ContextVar

from telegram import Update
from telegram.error import Forbidden, TelegramError

from bot import metrics
from bot.handlers.common import AppContext
from bot.i18n import resolve_locale

log = logging.getLogger(__name__)
# Set by the webhook intake around one update (bot/web/intake.py): the failure's error type is noted in
# it, so that the update is answered 500 and delivered again (its transaction was rolled back).
failures: ContextVar[list[str] | None] = ContextVar("failures", default=None)


async def on_error(update: object, context: AppContext) -> None:
    error = context.error
    kind = type(update).__name__
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(error, Forbidden):
        # The user blocked the bot while it answered: not a fault, and nothing can be said to them
        # (Telegram's my_chat_member update marks them inactive).
        log.info("update %s: the reply was refused, the user has blocked the bot", update_id)
        return
    metrics.errors.labels(type(error).__name__).inc()
    if (noted := failures.get()) is not None:
        noted.append(type(error).__name__)
    # The traceback names code, not people: no message text and no user id is put into the log.
    log.error("update %s (%s) failed: %s", update_id, kind, type(error).__name__, exc_info=error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    deps = context.deps
    user = update.effective_user
    locale = resolve_locale(None, user.language_code if user else None, deps.settings.bot_default_locale)
    try:
        await context.bot.send_message(update.effective_chat.id, deps.i18n.render(locale, "error"))
    except TelegramError as exc:
        log.warning("could not send the apology: %s", type(exc).__name__)
