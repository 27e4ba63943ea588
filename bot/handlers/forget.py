"""/forget: after a confirmation, delete everything the bot holds about the user."""

from __future__ import annotations

from telegram import BotCommandScopeChat, InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.handlers.common import AppContext, Request, handler
from bot.services import supporters

CALLBACK_PATTERN = r"^forget:"


@handler()
async def ask(update: Update, context: AppContext, request: Request) -> None:
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(request.t._("Yes, delete everything"), callback_data="forget:yes"),
                InlineKeyboardButton(request.t._("No, keep it"), callback_data="forget:no"),
            ]
        ]
    )
    request.reply(request.render("forget_confirm"), keyboard)


@handler()
async def answer(update: Update, context: AppContext, request: Request) -> None:
    query = update.callback_query
    assert query is not None
    if query.data == "forget:yes":
        await supporters.forget(request.session, request.user_id, request.deps.clock())
        request.answer()
        request.show(request.render("forget_done"))
        request.then(context.bot.delete_my_commands, scope=BotCommandScopeChat(request.chat_id))
    elif query.data == "forget:no":
        request.answer()
        request.show(request.render("forget_kept"))
    else:
        request.stale()
