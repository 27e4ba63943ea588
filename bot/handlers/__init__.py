"""Every handler in one ordered list: the order is the order PTB tries them in."""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.handlers import (
    about,
    admin_export,
    admin_import,
    admin_prisoner,
    admin_roles,
    broadcast,
    broadcast_progress,
    buttons,
    campaign_admin,
    campaign_open,
    check,
    common,
    errors,
    finish,
    forget,
    language,
    letters,
    membership,
    reminders,
    start,
    stats,
    suggest,
    texts,
)

COMMANDS = ("start", "help", "language", "privacy", "forget", "suggest", "letters", "check", "reminders")
STAFF_COMMANDS = ("broadcast", "broadcasts", "campaign", "campaigns", "stats")  # coordinators and admins
# Admins only (admins have STAFF_COMMANDS too); the menu's descriptions are in bot/handlers/menu.py.
ADMIN_COMMANDS = ("import", "export", "prisoner", "release", "grant", "revoke", "roles", "audit")
PRIVATE = filters.ChatType.PRIVATE
# The update types the handlers below take, and so all the bot asks Telegram for: edits of messages are
# not handled, and other types would only be fetched to be thrown away.
ALLOWED_UPDATES = (Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER)


def handlers() -> list[BaseHandler]:  # type: ignore[type-arg]  # PTB's handler generics vary per kind
    return [
        # In a group, one of our commands gets a pointer to a private chat; other messages there are not ours.
        CommandHandler(COMMANDS + STAFF_COMMANDS + ADMIN_COMMANDS, common.private_only, filters=~PRIVATE),
        # Commands first, each by its name.
        CommandHandler("start", start.start, filters=PRIVATE),
        CommandHandler("help", about.show_help, filters=PRIVATE),
        CommandHandler("language", language.ask, filters=PRIVATE),
        CommandHandler("privacy", about.privacy, filters=PRIVATE),
        CommandHandler("forget", forget.ask, filters=PRIVATE),
        CommandHandler("suggest", suggest.suggest, filters=PRIVATE),
        CommandHandler("letters", letters.show, filters=PRIVATE),
        CommandHandler("check", check.command, filters=PRIVATE),
        CommandHandler("reminders", reminders.command, filters=PRIVATE),
        # Staff commands: each checks the role from the database on every update, and refuses others.
        CommandHandler("broadcast", broadcast.command, filters=PRIVATE),
        CommandHandler("broadcasts", broadcast_progress.listing, filters=PRIVATE),
        CommandHandler("campaign", campaign_admin.command, filters=PRIVATE),
        CommandHandler("campaigns", campaign_admin.listing, filters=PRIVATE),
        CommandHandler("stats", stats.command, filters=PRIVATE),
        # Admin commands: each checks the role from the database on every update, and refuses others.
        CommandHandler("import", admin_import.command, filters=PRIVATE),
        CommandHandler("export", admin_export.command, filters=PRIVATE),
        CommandHandler("prisoner", admin_prisoner.command, filters=PRIVATE),
        CommandHandler("release", admin_prisoner.release, filters=PRIVATE),
        CommandHandler("grant", admin_roles.grant, filters=PRIVATE),
        CommandHandler("revoke", admin_roles.revoke, filters=PRIVATE),
        CommandHandler("roles", admin_roles.listing, filters=PRIVATE),
        CommandHandler("audit", admin_roles.audit_log, filters=PRIVATE),
        # Buttons, each family by the kinds of button data it reads (bot/handlers/buttons.py); anything
        # else pressed, old or forged, is refused below.
        CallbackQueryHandler(language.choose, pattern=buttons.matches(*language.BUTTONS)),
        CallbackQueryHandler(forget.answer, pattern=buttons.matches(*forget.BUTTONS)),
        CallbackQueryHandler(start.pace, pattern=buttons.matches(*start.PACE_BUTTONS)),
        CallbackQueryHandler(suggest.button, pattern=buttons.matches(*suggest.BUTTONS)),
        CallbackQueryHandler(texts.show, pattern=buttons.matches(*texts.BUTTONS)),
        CallbackQueryHandler(finish.ask, pattern=buttons.matches(buttons.FinishAsk)),
        CallbackQueryHandler(finish.button, pattern=buttons.matches(buttons.FinishChoose, buttons.FinishPdf)),
        CallbackQueryHandler(letters.sent, pattern=buttons.matches(*letters.SENT_BUTTONS)),
        CallbackQueryHandler(letters.entry, pattern=buttons.matches(*letters.ENTRY_BUTTONS)),
        CallbackQueryHandler(check.button, pattern=buttons.matches(*check.BUTTONS)),
        CallbackQueryHandler(reminders.button, pattern=buttons.matches(*reminders.BUTTONS)),
        CallbackQueryHandler(broadcast.button, pattern=buttons.matches(*broadcast.BUTTONS)),
        CallbackQueryHandler(broadcast_progress.control, pattern=buttons.matches(*broadcast_progress.BUTTONS)),
        CallbackQueryHandler(campaign_admin.button, pattern=buttons.matches(*campaign_admin.BUTTONS)),
        CallbackQueryHandler(campaign_open.button, pattern=buttons.matches(*campaign_open.BUTTONS)),
        CallbackQueryHandler(admin_prisoner.button, pattern=buttons.matches(*admin_prisoner.BUTTONS)),
        CallbackQueryHandler(admin_roles.revoke_button, pattern=buttons.matches(*admin_roles.BUTTONS)),
        CallbackQueryHandler(admin_import.button, pattern=buttons.matches(*admin_import.BUTTONS)),
        # Telegram's notice that the user blocked (or unblocked) the bot.
        ChatMemberHandler(membership.changed, ChatMemberHandler.MY_CHAT_MEMBER),
        # Plain text: a draft when /check asked for one, else a pointer to /help.
        MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND & ~filters.UpdateType.EDITED, check.text),
        # A document (or a photo): an admin's file for /import; anyone else's gets the pointer to /help.
        MessageHandler(
            PRIVATE & (filters.Document.ALL | filters.PHOTO) & ~filters.UpdateType.EDITED, admin_import.document
        ),
        # Last: whatever no handler above took (unknown commands, files) gets a pointer to /help.
        MessageHandler(PRIVATE & ~filters.UpdateType.EDITED, about.unknown),
        CallbackQueryHandler(about.stale_button),
    ]


def register(application: Application) -> None:  # type: ignore[type-arg]
    for item in handlers():
        application.add_handler(item)
    application.add_error_handler(errors.on_error)
