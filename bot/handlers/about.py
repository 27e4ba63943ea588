"""/help, /privacy and the fallbacks: what the bot does for this user, and what it keeps."""

from __future__ import annotations

from telegram import Update

from bot import privacy as bot_privacy
from bot.handlers import menu
from bot.handlers.common import AppContext, Request, handler
from bot.models import Role


@handler()
async def show_help(update: Update, context: AppContext, request: Request) -> None:
    """Everyone's commands, and a staff member's own under them (nothing more for a supporter). The chat's
    menu is set again here to what the person's roles give now: a staff member who first wrote after the
    bot started has none yet, and one whose role was taken back at the command line still has theirs."""
    roles = await request.roles()
    commands = [(command.command, command.description) for command in menu.staff_commands(request.t, roles)]
    is_admin, is_coordinator = Role.ADMIN in roles, Role.COORDINATOR in roles
    request.reply(request.render("help", is_admin=is_admin, is_coordinator=is_coordinator, commands=commands))
    request.then(menu.set_for_chat, context.bot, request.deps.i18n, request.chat_id, request.locale, roles)


@handler()
async def privacy(update: Update, context: AppContext, request: Request) -> None:
    request.reply(request.render("privacy", items=bot_privacy.ITEMS, staff=bool(await request.roles())))


@handler()
async def unknown(update: Update, context: AppContext, request: Request) -> None:
    """Anything no other handler took: a gentle pointer to /help, never silence."""
    request.reply(request.render("unknown"))


@handler()
async def stale_button(update: Update, context: AppContext, request: Request) -> None:
    """A button press no handler recognises: old, or forged. Refuse it politely."""
    request.stale()
