"""Every handler in one ordered list: the order is the order PTB tries them in."""

from __future__ import annotations

from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.handlers import about, errors, forget, language, membership, start


def handlers() -> list[BaseHandler]:  # type: ignore[type-arg]  # PTB's handler generics vary per kind
    return [
        # Commands first, each by its name.
        CommandHandler("start", start.start),
        CommandHandler("help", about.show_help),
        CommandHandler("language", language.ask),
        CommandHandler("privacy", about.privacy),
        CommandHandler("forget", forget.ask),
        # Buttons, each family by its callback prefix; anything else pressed is refused below.
        CallbackQueryHandler(language.choose, pattern=language.CALLBACK_PATTERN),
        CallbackQueryHandler(forget.answer, pattern=forget.CALLBACK_PATTERN),
        # Telegram's notice that the user blocked (or unblocked) the bot.
        ChatMemberHandler(membership.changed, ChatMemberHandler.MY_CHAT_MEMBER),
        # Last: whatever no handler above took (unknown commands, free text) gets a pointer to /help.
        MessageHandler(filters.ALL & ~filters.UpdateType.EDITED, about.unknown),
        CallbackQueryHandler(about.stale_button),
    ]


def register(application: Application) -> None:  # type: ignore[type-arg]
    for item in handlers():
        application.add_handler(item)
    application.add_error_handler(errors.on_error)
