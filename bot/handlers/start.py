"""/start: greet in the user's language, let them confirm or change it, and say what is kept."""

from __future__ import annotations

from telegram import Update

from bot.handlers.common import AppContext, Request, handler, language_keyboard, message_of
from bot.i18n import NATIVE_NAMES


@handler()
async def start(update: Update, context: AppContext, request: Request) -> None:
    await message_of(update).reply_text(
        request.render("start", language=NATIVE_NAMES[request.locale]),
        reply_markup=language_keyboard(request.locale),
    )
