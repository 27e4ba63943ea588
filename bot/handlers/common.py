"""What every handler shares: the context type, one transaction per update, and role checks.

A handler decorated with `@handler` receives a `Request`: plain values about who is asking, in which
language, with which roles, and the open database session. The transaction commits when the handler
returns and rolls back if it raises.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import Application, CallbackContext, ExtBot

from bot.config import LOCALES, Locale
from bot.deps import Deps
from bot.i18n import NATIVE_NAMES, Translator, resolve_locale
from bot.models import Role, Supporter
from bot.services import roles, supporters

DEPS_KEY = "deps"


class AppContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """PTB's context with the application's dependencies; nothing per update is stored on it."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)

    @property
    def deps(self) -> Deps:
        deps = self.application.bot_data[DEPS_KEY]
        assert isinstance(deps, Deps)
        return deps


@dataclass
class Request:
    """Plain values about one update, handed to a handler together with its transaction."""

    user_id: int
    chat_id: int
    locale: Locale
    roles: set[Role]
    supporter: Supporter
    session: AsyncSession
    deps: Deps

    @property
    def t(self) -> Translator:
        return self.deps.i18n.translator(self.locale)

    def render(self, template: str, /, **context: Any) -> str:
        return self.deps.i18n.render(self.locale, template, **context)


Handler = Callable[[Update, AppContext, Request], Coroutine[Any, Any, None]]
PtbCallback = Callable[[Update, AppContext], Coroutine[Any, Any, None]]


def handler(*, requires: Role | None = None) -> Callable[[Handler], PtbCallback]:
    """Open the update's transaction, find the supporter, and check the role if one is required."""

    def decorate(func: Handler) -> PtbCallback:
        @functools.wraps(func)
        async def wrapper(update: Update, context: AppContext) -> None:
            user, chat = update.effective_user, update.effective_chat
            if user is None or chat is None:
                return
            deps = context.deps
            async with deps.db.transaction() as session:
                supporter = await supporters.touch(session, user.id, deps.clock())
                request = Request(
                    user_id=user.id,
                    chat_id=chat.id,
                    locale=resolve_locale(supporter.locale, user.language_code, deps.settings.bot_default_locale),
                    roles=await roles.roles_of(session, user.id, deps.settings.bot_admin_ids),
                    supporter=supporter,
                    session=session,
                    deps=deps,
                )
                if requires is not None and requires not in request.roles:
                    await refuse(update, request)
                    return
                await func(update, context, request)

        return wrapper

    return decorate


async def refuse(update: Update, request: Request) -> None:
    text = request.t._("This is only for coordinators and admins of the bot.")
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(text)


def message_of(update: Update) -> Message:
    """The message a command arrived in (handlers are registered only for updates that have one)."""
    message = update.effective_message
    assert message is not None
    return message


async def send_or_edit(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Answer a command with a new message, or a button press by editing the message it was on."""
    query = update.callback_query
    if query is not None and query.message is not None and query.message.is_accessible:
        await query.edit_message_text(text, reply_markup=markup)
    else:
        await message_of(update).reply_text(text, reply_markup=markup)


def language_keyboard(current: Locale) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    ("✓ " if locale == current else "") + NATIVE_NAMES[locale],
                    callback_data=f"lang:{locale}",
                )
                for locale in LOCALES
            ]
        ]
    )
