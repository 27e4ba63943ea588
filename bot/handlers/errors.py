"""The error handler: log what failed without message text or user ids, apologise, keep running."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, TelegramError

from bot.handlers.common import AppContext
from bot.i18n import resolve_locale

log = logging.getLogger(__name__)


async def on_error(update: object, context: AppContext) -> None:
    error = context.error
    kind = type(update).__name__
    update_id = update.update_id if isinstance(update, Update) else None
    # The traceback names code, not people: no message text and no user id is put into the log.
    log.error("update %s (%s) failed: %s", update_id, kind, type(error).__name__, exc_info=error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if isinstance(error, Forbidden):
        return  # the user blocked the bot: nothing can be said to them
    deps = context.deps
    user = update.effective_user
    locale = resolve_locale(None, user.language_code if user else None, deps.settings.bot_default_locale)
    try:
        await context.bot.send_message(update.effective_chat.id, deps.i18n.render(locale, "error"))
    except TelegramError as exc:
        log.warning("could not send the apology: %s", type(exc).__name__)
