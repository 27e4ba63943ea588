"""/help, /privacy and the fallbacks: what the bot does for this user, and what it keeps."""

from __future__ import annotations

from telegram import Update

from bot import privacy as bot_privacy
from bot.handlers.common import AppContext, Request, handler
from bot.models import Role


@handler()
async def show_help(update: Update, context: AppContext, request: Request) -> None:
    roles = await request.roles()
    request.reply(request.render("help", is_admin=Role.ADMIN in roles, is_coordinator=Role.COORDINATOR in roles))


@handler()
async def privacy(update: Update, context: AppContext, request: Request) -> None:
    request.reply(request.render("privacy", items=bot_privacy.ITEMS))


@handler()
async def unknown(update: Update, context: AppContext, request: Request) -> None:
    """Anything no other handler took: a gentle pointer to /help, never silence."""
    request.reply(request.render("unknown"))


@handler()
async def stale_button(update: Update, context: AppContext, request: Request) -> None:
    """A button press no handler recognises: old, or forged. Refuse it politely."""
    request.stale()
