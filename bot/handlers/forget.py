"""/forget: after a confirmation, delete everything the bot holds about the user."""

from __future__ import annotations

from telegram import BotCommandScopeChat, InlineKeyboardMarkup, Update

from bot.handlers import buttons
from bot.handlers.common import AppContext, Request, handler
from bot.services import supporters

BUTTONS = (buttons.Forget,)


@handler()
async def ask(update: Update, context: AppContext, request: Request) -> None:
    keyboard = InlineKeyboardMarkup(
        [
            [
                buttons.make(request.t._("Yes, delete everything"), buttons.Forget("yes")),
                buttons.make(request.t._("No, keep it"), buttons.Forget("no")),
            ]
        ]
    )
    request.reply(request.render("forget_confirm"), keyboard)


@handler()
async def answer(update: Update, context: AppContext, request: Request) -> None:
    query = update.callback_query
    assert query is not None
    pressed = buttons.read(query.data, *BUTTONS)
    if pressed is not None and pressed.answer == "yes":
        await supporters.forget(request.session, request.user_id, request.deps.clock())
        request.answer()
        request.show(request.render("forget_done"))
        request.then(context.bot.delete_my_commands, scope=BotCommandScopeChat(request.chat_id))
    elif pressed is not None:
        request.answer()
        request.show(request.render("forget_kept"))
    else:
        request.stale()
