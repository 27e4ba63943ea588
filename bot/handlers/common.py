"""What every handler shares: the context type, one transaction per update, and role checks.

A handler decorated with `@handler` receives a `Request`: plain values about who is asking, in which
language, with which roles, and the open database session. The transaction commits when the handler
returns and rolls back if it raises.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.ext import Application, CallbackContext, ExtBot

from bot.config import LOCALES, Locale
from bot.deps import Deps
from bot.handlers import buttons, outgoing
from bot.i18n import NATIVE_NAMES, Translator, resolve_locale
from bot.models import Role, Supporter
from bot.services import refusals, roles, supporters

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
    """Plain values about one update, handed to a handler together with its transaction.

    What the handler says to Telegram is queued (reply, show, answer, then) and sent after the
    transaction commits: the database is never held while Telegram is called, and nothing claims
    success for a change that was rolled back.
    """

    update: Update
    user_id: int
    chat_id: int
    locale: Locale
    supporter: Supporter
    session: AsyncSession
    deps: Deps

    @property
    def t(self) -> Translator:
        return self.deps.i18n.translator(self.locale)

    outbox: list[Callable[[], Awaitable[object]]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # what `refuse` turned down, counted before the commit
    in_place: bool = True
    _roles: set[Role] | None = None

    async def roles(self) -> set[Role]:
        """The user's roles, read from the database now (once per update), never from a cache."""
        if self._roles is None:
            self._roles = await roles.roles_of(self.session, self.user_id, self.deps.settings.bot_admin_ids)
        return self._roles

    def render(self, template: str, /, **context: Any) -> str:
        return self.deps.i18n.render(self.locale, template, **context)

    def then(self, call: Callable[..., Awaitable[object]], /, *args: Any, **kwargs: Any) -> None:
        """Queue a Bot API call for after the commit."""
        self.outbox.append(functools.partial(call, *args, **kwargs))

    def reply(self, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        """A new message in the user's chat."""
        self.then(message_of(self.update).reply_text, text, reply_markup=markup)

    def show(self, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        """Answer a command with a new message, or a button press by editing the message it was on
        (unless `in_place` was turned off: a reminder's buttons leave the reminder as it is)."""
        query = self.update.callback_query
        if self.in_place and query is not None and query.message is not None and query.message.is_accessible:
            self.then(outgoing.edit, query, text, markup)
        else:
            self.reply(text, markup)

    def answer(self, text: str | None = None, *, alert: bool = False) -> None:
        """Answer the button press (Telegram shows a spinner until it is answered)."""
        if self.update.callback_query is not None:
            self.then(self.update.callback_query.answer, text, show_alert=alert)

    def stale(self) -> None:
        """Refuse a button press nothing here offered: old, or forged."""
        self.answer(self.t._("This button is no longer valid."), alert=True)


Handler = Callable[[Update, AppContext, Request], Coroutine[Any, Any, None]]
PtbCallback = Callable[[Update, AppContext], Coroutine[Any, Any, None]]


STAFF = (Role.COORDINATOR, Role.ADMIN)


def handler(*, requires: Role | tuple[Role, ...] | None = None) -> Callable[[Handler], PtbCallback]:
    """Open the update's transaction, find the supporter, and check the role if one is required (any
    one of several, when a tuple is given), from the database on every update."""
    allowed = set(requires if isinstance(requires, tuple) else () if requires is None else (requires,))

    def decorate(func: Handler) -> PtbCallback:
        @functools.wraps(func)
        async def wrapper(update: Update, context: AppContext) -> None:
            user, chat = update.effective_user, update.effective_chat
            if user is None or chat is None:
                return
            if chat.type != ChatType.PRIVATE:
                await private_only(update, context)  # a press forged in a group: nothing is read or stored
                return
            deps = context.deps
            async with deps.db.transaction() as session:
                supporter = await supporters.touch(session, user.id, deps.clock())
                request = Request(
                    update=update,
                    user_id=user.id,
                    chat_id=chat.id,
                    locale=resolve_locale(supporter.locale, user.language_code, deps.settings.bot_default_locale),
                    supporter=supporter,
                    session=session,
                    deps=deps,
                )
                if supporter.locale is None:
                    # Kept from the first contact, so that what the bot sends on its own (reminders)
                    # speaks the language the person saw; /language changes it.
                    await supporters.set_locale(session, supporter, request.locale)
                if allowed and not allowed & await request.roles():
                    refuse(request, func.__module__.rpartition(".")[2] + "." + func.__name__)
                else:
                    await func(update, context, request)
                for what in request.refused:
                    await refusals.tally(session, deps.today(), what)
            # Committed: whatever Telegram says now, the change stands. Each reply is tried on its own,
            # and none is followed by an apology (outgoing.deliver_all says why).
            await outgoing.deliver_all(request.outbox, deps.sleep)

        setattr(wrapper, REQUIRES, frozenset(allowed))  # a function attribute: mypy allows it only this way
        return wrapper

    return decorate


REQUIRES = "requires"


def requirement(callback: object) -> frozenset[Role]:
    """The roles a handler made with `@handler` admits (any one of them); empty: everyone. Tests walk every
    registered handler with this, so that a privileged one nobody tested cannot slip in."""
    required: object = getattr(callback, REQUIRES, frozenset())
    assert isinstance(required, frozenset)
    return required


async def private_only(update: Update, context: AppContext) -> None:
    """In a group the bot only says that it works in private chats: whom a person writes to is
    nobody else's business, and nothing is stored about the group or its members."""
    user = update.effective_user
    deps = context.deps
    locale = resolve_locale(None, user.language_code if user else None, deps.settings.bot_default_locale)
    text = deps.i18n.translator(locale)._(
        "I work only in a private chat, so that what you do here stays between us. Open a chat with me and send /start."
    )
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(text)


def refuse(request: Request, what: str) -> None:
    """Refuse a privileged command or button, and count it for the day (bot/services/refusals.py): what
    was tried, never who. The count is written by `handler` in the same transaction, so that this stays
    a plain call wherever a handler finds a role missing."""
    request.refused.append(what)
    text = request.t._("This is only for coordinators and admins of the bot.")
    if request.update.callback_query is not None:
        request.answer(text, alert=True)
    else:
        request.reply(text)


def message_of(update: Update) -> Message:
    """The message a command arrived in (handlers are registered only for updates that have one)."""
    message = update.effective_message
    assert message is not None
    return message


def find_someone_keyboard(request: Request) -> InlineKeyboardMarkup:
    """The next step where a screen would otherwise say "send /suggest"."""
    return InlineKeyboardMarkup([[buttons.make(request.t._("Find someone to write to"), buttons.NextPerson())]])


def language_keyboard(current: Locale) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                buttons.make(("✓ " if locale == current else "") + NATIVE_NAMES[locale], buttons.ChooseLanguage(locale))
                for locale in LOCALES
            ]
        ]
    )
