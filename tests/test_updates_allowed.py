"""The bot asks Telegram only for the update types it handles, and the emulator delivers no others."""

from __future__ import annotations

from typing import Any

from telegram.ext import CallbackQueryHandler, ChatMemberHandler, CommandHandler, MessageHandler

from bot import handlers
from bot.handlers import ALLOWED_UPDATES
from bot.sandbox.telegram import EmulatedTelegram
from tests.harness import TOKEN, Harness


def test_the_types_asked_for_are_the_types_handled() -> None:
    """A handler of a new kind must be added to ALLOWED_UPDATES, else Telegram never sends its updates."""
    kinds = {CommandHandler: "message", MessageHandler: "message", CallbackQueryHandler: "callback_query"}
    taken = set()
    for handler in handlers.handlers():
        if isinstance(handler, ChatMemberHandler):
            assert handler.chat_member_types == ChatMemberHandler.MY_CHAT_MEMBER
            taken.add("my_chat_member")
        else:
            taken.add(kinds[type(handler)])
    assert taken == set(ALLOWED_UPDATES)


async def get_updates(telegram: EmulatedTelegram, **params: Any) -> list[str]:
    status, body = await telegram.api.call(TOKEN, "getUpdates", params)
    assert status == 200, body
    return [next(key for key in update if key != "update_id") for update in body["result"]]


async def test_the_emulator_remembers_the_types_asked_for() -> None:
    telegram = EmulatedTelegram(TOKEN)
    telegram.add_user(1, "Ales")
    assert await get_updates(telegram, allowed_updates=["message"]) == []
    await telegram.block(1)
    sent = await telegram.send_text(1, "hello")
    assert await get_updates(telegram) == ["message"]  # no list given: the last one still holds
    assert await get_updates(telegram, offset=sent + 1, allowed_updates=[]) == []  # an empty list: the default
    await telegram.block(1, blocked=False)
    assert await get_updates(telegram) == ["my_chat_member"]


async def test_an_update_of_a_type_not_asked_for_is_not_delivered(bot: Harness) -> None:
    person = bot.person(6001)
    await person.send("/start")
    assert bot.telegram.state.allowed_updates == list(ALLOWED_UPDATES)
    # The person edits their /start into /privacy: the bot handles no edits, so it does not ask for them.
    edit = {**bot.telegram.transcript(person.id)[0], "text": "/privacy", "edit_date": bot.telegram.state.now()}
    edited = await bot.telegram.state.push_update({"edited_message": edit})
    replies = len(person.messages())
    later = await bot.telegram.send_text(person.id, "/help")
    await bot.telegram.wait_processed(later)
    # Had the edit been delivered, it would have been handled first: the updates of one user keep their order.
    assert edited not in bot.telegram.state.processed
    assert len(person.messages()) == replies + 1
