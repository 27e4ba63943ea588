"""/language and the language buttons: the choice is stored and the menu follows it."""

from __future__ import annotations

from telegram import Update

from bot.handlers import buttons, menu
from bot.handlers.common import AppContext, Request, handler, language_keyboard
from bot.i18n import RUNNING_NAMES
from bot.services import supporters

BUTTONS = (buttons.ChooseLanguage,)


@handler()
async def ask(update: Update, context: AppContext, request: Request) -> None:
    request.reply(request.render("language", language=RUNNING_NAMES[request.locale]), language_keyboard(request.locale))


@handler()
async def choose(update: Update, context: AppContext, request: Request) -> None:
    query = update.callback_query
    assert query is not None
    pressed = buttons.read(query.data, *BUTTONS)
    if pressed is None:  # callback data can be forged: accept only what we offered
        request.stale()
        return
    locale = pressed.locale
    await supporters.set_locale(request.session, request.supporter, locale)
    request.locale = locale
    request.answer(request.t._("Language saved."))
    request.show(request.render("language_saved", language=RUNNING_NAMES[locale]), language_keyboard(locale))
    request.then(menu.set_for_chat, context.bot, request.deps.i18n, request.chat_id, locale, await request.roles())
