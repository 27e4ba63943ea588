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

from bot.handlers import about, check, errors, forget, language, letters, membership, start, suggest, texts


def handlers() -> list[BaseHandler]:  # type: ignore[type-arg]  # PTB's handler generics vary per kind
    return [
        # Commands first, each by its name.
        CommandHandler("start", start.start),
        CommandHandler("help", about.show_help),
        CommandHandler("language", language.ask),
        CommandHandler("privacy", about.privacy),
        CommandHandler("forget", forget.ask),
        CommandHandler("suggest", suggest.suggest),
        CommandHandler("letters", letters.show),
        CommandHandler("check", check.command),
        # Buttons, each family by its callback prefix; anything else pressed is refused below.
        CallbackQueryHandler(language.choose, pattern=language.CALLBACK_PATTERN),
        CallbackQueryHandler(forget.answer, pattern=forget.CALLBACK_PATTERN),
        CallbackQueryHandler(start.pace, pattern=start.PACE_PATTERN),
        CallbackQueryHandler(suggest.button, pattern=suggest.CALLBACK_PATTERN),
        CallbackQueryHandler(texts.show, pattern=texts.CALLBACK_PATTERN),
        CallbackQueryHandler(letters.sent, pattern=letters.SENT_PATTERN),
        CallbackQueryHandler(letters.entry, pattern=letters.ENTRY_PATTERN),
        CallbackQueryHandler(check.button, pattern=check.CALLBACK_PATTERN),
        # Telegram's notice that the user blocked (or unblocked) the bot.
        ChatMemberHandler(membership.changed, ChatMemberHandler.MY_CHAT_MEMBER),
        # Plain text: a draft when /check asked for one, else a pointer to /help.
        MessageHandler(filters.TEXT & ~filters.COMMAND & ~filters.UpdateType.EDITED, check.text),
        # Last: whatever no handler above took (unknown commands, files) gets a pointer to /help.
        MessageHandler(filters.ALL & ~filters.UpdateType.EDITED, about.unknown),
        CallbackQueryHandler(about.stale_button),
    ]


def register(application: Application) -> None:  # type: ignore[type-arg]
    for item in handlers():
        application.add_handler(item)
    application.add_error_handler(errors.on_error)
