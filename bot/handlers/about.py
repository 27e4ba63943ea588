"""/help, /privacy and the fallbacks: what the bot does for this user, and what it keeps."""

from __future__ import annotations

from telegram import Update

from bot.handlers.common import AppContext, Request, handler, message_of
from bot.models import Role


@handler()
async def show_help(update: Update, context: AppContext, request: Request) -> None:
    await message_of(update).reply_text(
        request.render(
            "help",
            is_admin=Role.ADMIN in request.roles,
            is_coordinator=Role.COORDINATOR in request.roles,
        )
    )


@handler()
async def privacy(update: Update, context: AppContext, request: Request) -> None:
    await message_of(update).reply_text(request.render("privacy"))


@handler()
async def unknown(update: Update, context: AppContext, request: Request) -> None:
    """Anything no other handler took: a gentle pointer to /help, never silence."""
    await reply_unknown(update, request)


async def reply_unknown(update: Update, request: Request) -> None:
    await message_of(update).reply_text(request.render("unknown"))


@handler()
async def stale_button(update: Update, context: AppContext, request: Request) -> None:
    """A button press no handler recognises: old, or forged. Refuse it politely."""
    query = update.callback_query
    assert query is not None
    await query.answer(request.t._("This button is no longer valid."), show_alert=True)
