"""After a handler's transaction commits, its replies are delivered each on its own: a late button
answer or a message the user deleted does not cost the rest of the reply, and no apology follows a
change that was saved. A failing database statement logs no parameters (no Telegram ids)."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import select
from telegram import Update
from telegram.ext import TypeHandler

from bot.models import Supporter
from tests.harness import Harness, seed_demo

APOLOGY = "Sorry, something went wrong"


def before_every_handler(bot: Harness, action: Any) -> None:
    """Run `action(update)` before the bot's handlers see an update (as a backlog or the user would)."""

    async def run(update: Update, _context: Any) -> None:
        action(update)

    bot.application.add_handler(TypeHandler(Update, run), group=-1)


async def supporter_exists(bot: Harness, telegram_id: int) -> bool:
    async with bot.application.bot_data["deps"].db.transaction() as session:
        return (await session.exec(select(Supporter).where(Supporter.telegram_id == telegram_id))).first() is not None


async def test_a_button_answered_too_late_still_gets_the_rest_of_the_reply(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    person = bot.person(8201, "Lena", language_code="en")
    await person.send("/start")
    await person.send("/forget")
    confirm = person.last()

    def backlog(update: Update) -> None:
        if update.callback_query is not None:
            bot.clock.advance(60)  # the press waited in a backlog: Telegram no longer takes its answer

    before_every_handler(bot, backlog)
    caplog.set_level(logging.WARNING)
    answer = await person.press("Yes, delete everything", confirm)
    assert answer is None  # Telegram refused the late answer...
    assert any(
        call.method == "answerCallbackQuery" and "query is too old" in (call.description or "")
        for call in bot.telegram.refusals()
    )
    assert not await supporter_exists(bot, person.id)  # ...the change was saved...
    shown = bot.telegram.bot_messages(person.id)
    assert "I no longer keep anything about you" in shown[-1]["text"]  # ...the confirmation became the result...
    assert not any(APOLOGY in message["text"] for message in shown)  # ...and no apology followed
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
    bot.telegram.state.calls = [call for call in bot.telegram.state.calls if call.method != "answerCallbackQuery"]


async def test_a_message_deleted_before_its_button_was_handled_is_sent_anew(bot: Harness) -> None:
    await seed_demo(bot)
    person = bot.person(8202, "Lena", language_code="en")
    await person.send("/suggest")
    card = person.last()
    chat = bot.telegram.state.chats[person.id]

    def user_deletes_it(update: Update) -> None:
        if update.callback_query is not None and update.callback_query.message is not None:
            chat.messages.pop(update.callback_query.message.message_id, None)

    before_every_handler(bot, user_deletes_it)
    await person.press("Letter text", card)
    latest = person.last()
    assert latest["message_id"] != card["message_id"]  # a new message, since there was none to edit
    assert "Check my draft" in [b["text"] for row in latest["reply_markup"]["inline_keyboard"] for b in row]
    assert not any(APOLOGY in message["text"] for message in person.messages())
    bot.telegram.state.calls = [call for call in bot.telegram.state.calls if call.method != "editMessageText"]


async def test_a_failing_statement_puts_no_user_id_in_the_logs(bot: Harness, caplog: pytest.LogCaptureFixture) -> None:
    """SQLAlchemy's error text would carry the statement's parameters; with hide_parameters it does not."""
    person = bot.person(987654321987, "Kasia", language_code="en")
    await person.send("/start")
    async with bot.application.bot_data["deps"].db.transaction() as session:
        await session.exec(text("ALTER TABLE supporter RENAME TO supporter_gone"))  # type: ignore[call-overload]
    caplog.set_level(logging.INFO)
    await person.send("/help")  # looking the user up by id now fails in the database
    failures = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert failures, "the failing statement was logged"
    assert "supporter" in caplog.text  # the statement is there, naming tables and columns
    assert str(person.id) not in caplog.text
    assert APOLOGY in person.last()["text"]
