"""Telegram tells the bot when a user blocks or unblocks it (`my_chat_member`)."""

from __future__ import annotations

from telegram import ChatMember, Update

from bot.handlers.common import AppContext
from bot.services import supporters

GONE = {ChatMember.BANNED, ChatMember.LEFT}


async def changed(update: Update, context: AppContext) -> None:
    """Blocked: stop writing to the user; unblocked: they are reachable again on their next message.

    Not through `@handler`: a blocked user must not be touched (created or marked seen) here.
    """
    change = update.my_chat_member
    if change is None or change.chat.type != "private":
        return
    if change.new_chat_member.status in GONE:
        async with context.deps.db.transaction() as session:
            await supporters.mark_blocked(session, change.chat.id)
