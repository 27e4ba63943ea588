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

from bot.handlers import about, check, common, errors, forget, language, letters, membership, start, suggest, texts

COMMANDS = ("start", "help", "language", "privacy", "forget", "suggest", "letters", "check")
PRIVATE = filters.ChatType.PRIVATE


def handlers() -> list[BaseHandler]:  # type: ignore[type-arg]  # PTB's handler generics vary per kind
    return [
        # In a group, one of our commands gets a pointer to a private chat; other messages there are not ours.
        CommandHandler(COMMANDS, common.private_only, filters=~PRIVATE),
        # Commands first, each by its name.
        CommandHandler("start", start.start, filters=PRIVATE),
        CommandHandler("help", about.show_help, filters=PRIVATE),
        CommandHandler("language", language.ask, filters=PRIVATE),
        CommandHandler("privacy", about.privacy, filters=PRIVATE),
        CommandHandler("forget", forget.ask, filters=PRIVATE),
        CommandHandler("suggest", suggest.suggest, filters=PRIVATE),
        CommandHandler("letters", letters.show, filters=PRIVATE),
        CommandHandler("check", check.command, filters=PRIVATE),
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
        MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND & ~filters.UpdateType.EDITED, check.text),
        # Last: whatever no handler above took (unknown commands, files) gets a pointer to /help.
        MessageHandler(PRIVATE & ~filters.UpdateType.EDITED, about.unknown),
        CallbackQueryHandler(about.stale_button),
    ]


def register(application: Application) -> None:  # type: ignore[type-arg]
    for item in handlers():
        application.add_handler(item)
    application.add_error_handler(errors.on_error)
