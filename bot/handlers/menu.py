"""The command menu Telegram shows, in each language, and per chat once a user chooses one."""

from __future__ import annotations

from telegram import BotCommand, BotCommandScopeAllPrivateChats
from telegram.ext import ExtBot

from bot.config import LOCALES
from bot.i18n import I18n, Translator


def commands(t: Translator) -> list[BotCommand]:
    return [
        BotCommand("suggest", t._("Whom to write to")),
        BotCommand("letters", t._("Letters you sent")),
        BotCommand("check", t._("Check a draft before sending")),
        BotCommand("reminders", t._("Reminders: which, and when")),
        BotCommand("start", t._("Start and choose a language")),
        BotCommand("help", t._("What this bot can do for you")),
        BotCommand("language", t._("Change the language")),
        BotCommand("privacy", t._("What the bot keeps about you")),
        BotCommand("forget", t._("Delete everything the bot keeps about you")),
    ]


async def register(bot: ExtBot[None], i18n: I18n) -> None:
    """One menu per interface language, and the default language's menu for everyone else."""
    private = BotCommandScopeAllPrivateChats()  # the bot works in private chats only: no menu in groups
    for locale in LOCALES:
        await bot.set_my_commands(commands(i18n.translator(locale)), scope=private, language_code=locale)
    await bot.set_my_commands(commands(i18n.translator(i18n.default_locale)), scope=private)
