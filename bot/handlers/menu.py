"""The command menu Telegram shows: one per language for everyone, and one per chat for a person who
chose a language or holds a role. A coordinator's or admin's chat menu adds their commands to everyone's;
a supporter never sees them (and is refused if they type one)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from telegram import BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat
from telegram.error import BadRequest, Forbidden
from telegram.ext import ExtBot

from bot import handlers as registry  # the command names live there; read when a menu is made
from bot.config import LOCALES, Locale
from bot.deps import Deps
from bot.i18n import I18n, Translator, parse_locale
from bot.models import Role
from bot.privacy import N_
from bot.services import roles, supporters

log = logging.getLogger(__name__)

# What each staff command is for, in the menu and in /help; the names and who may use them are in
# bot/handlers/__init__.py (STAFF_COMMANDS, ADMIN_COMMANDS).
STAFF_DESCRIPTIONS = {
    "broadcast": N_("Send an alert to supporters"),
    "broadcasts": N_("Broadcasts and their results"),
    "campaign": N_("Start a campaign with its own link"),
    "campaigns": N_("Campaigns and their results"),
    "stats": N_("Figures: supporters, letters, who waits longest"),
    "import": N_("Import the list of political prisoners"),
    "export": N_("Export the list of political prisoners"),
    "prisoner": N_("Look up or correct a person's record"),
    "release": N_("Mark a person as released"),
    "grant": N_("Give someone a role"),
    "revoke": N_("Take a role back"),
    "roles": N_("Who holds which role"),
    "audit": N_("The latest privileged actions"),
}


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


def staff_names(held: Iterable[Role]) -> list[str]:
    """The staff commands of these roles, in menu order, each once (an admin may do what a coordinator does)."""
    held = set(held)
    names: list[str] = []
    if held & {Role.COORDINATOR, Role.ADMIN}:
        names += registry.STAFF_COMMANDS
    if Role.ADMIN in held:
        names += registry.ADMIN_COMMANDS
    return list(dict.fromkeys(names))


def staff_commands(t: Translator, held: Iterable[Role]) -> list[BotCommand]:
    return [BotCommand(name, t._(STAFF_DESCRIPTIONS[name])) for name in staff_names(held)]


def chat_commands(t: Translator, held: Iterable[Role]) -> list[BotCommand]:
    """A person's own menu: everyone's commands, then those of their roles."""
    return commands(t) + staff_commands(t, held)


async def register(bot: ExtBot[None], i18n: I18n) -> None:
    """One menu per interface language, and the default language's menu for everyone else."""
    private = BotCommandScopeAllPrivateChats()  # the bot works in private chats only: no menu in groups
    for locale in LOCALES:
        await bot.set_my_commands(commands(i18n.translator(locale)), scope=private, language_code=locale)
    await bot.set_my_commands(commands(i18n.translator(i18n.default_locale)), scope=private)


async def set_for_chat(bot: ExtBot[None], i18n: I18n, chat_id: int, locale: Locale, held: Iterable[Role]) -> None:
    """The menu of one private chat, in the language the person uses here (as /language sets it, for every
    app language: the bot's language is the person's choice, not their phone's)."""
    await bot.set_my_commands(chat_commands(i18n.translator(locale), held), scope=BotCommandScopeChat(chat_id))


async def after_role_change(bot: ExtBot[None], i18n: I18n, chat_id: int, locale: Locale, held: set[Role]) -> None:
    """Follow a grant or a revocation: the person's menu with their roles now, or everyone's menu again
    when they hold none."""
    if held:
        await set_for_chat(bot, i18n, chat_id, locale, held)
    else:
        await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id))


async def register_staff(bot: ExtBot[None], deps: Deps) -> None:
    """At start: each staff member's chat menu, in case roles or the commands changed while the bot was
    down. Only for people who have written to the bot: Telegram knows no chat with anyone else (they get
    their menu when they choose a language or ask for /help)."""
    async with deps.db.transaction() as session:
        staff = await roles.staff(session, deps.settings.bot_admin_ids)
        menus = []
        for telegram_id in sorted(staff):
            supporter = await supporters.find(session, telegram_id)
            if supporter is not None and supporter.is_active:
                held = await roles.roles_of(session, telegram_id, deps.settings.bot_admin_ids)
                locale = parse_locale(supporter.locale) or deps.i18n.default_locale
                menus.append((telegram_id, locale, held))
    for telegram_id, locale, held in menus:
        try:
            await set_for_chat(bot, deps.i18n, telegram_id, locale, held)
        except (BadRequest, Forbidden) as exc:  # the chat is gone: the bot goes on starting
            log.warning("a staff member's menu was not set: %s", exc.message)
