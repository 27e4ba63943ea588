"""Webhook mode: the emulator posts updates to the bot's webhook server with the secret header."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from telegram import Update
from telegram.ext import Application, TypeHandler

from bot.app import build_application
from bot.cli import webhook_options
from bot.config import Settings
from bot.handlers import ALLOWED_UPDATES
from bot.sandbox.http import Server, api_server
from bot.sandbox.telegram import EmulatedTelegram
from tests.harness import TOKEN, FakeClock, make_settings

SECRET = "s3cret-token"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class WebhookBot:
    telegram: EmulatedTelegram
    application: Application  # type: ignore[type-arg]
    settings: Settings
    server: Server

    async def post(self, update: dict[str, Any], headers: dict[str, str]) -> int:
        """Post an update to the bot's webhook as Telegram would, with the given headers."""
        assert self.settings.bot_webhook_url is not None
        async with httpx.AsyncClient() as client:
            response = await client.post(self.settings.bot_webhook_url, json=update, headers=headers)
        return response.status_code


@pytest.fixture
async def webhook_bot(database_url: str) -> AsyncIterator[WebhookBot]:
    clock = FakeClock()
    telegram = EmulatedTelegram(TOKEN, clock=clock.monotonic)
    server = api_server(telegram)
    port = server.start()
    hook_port = free_port()
    settings = make_settings(
        database_url, port,
        BOT_WEBHOOK_URL=f"http://127.0.0.1:{hook_port}/letterbot/hook",
        BOT_WEBHOOK_SECRET=SECRET,
        BOT_WEBHOOK_LISTEN=f"127.0.0.1:{hook_port}",
    )  # fmt: skip
    application = build_application(settings, clock=clock.utc, sleep=clock.sleep)

    async def processed(update: Update, _context: object) -> None:
        await telegram.mark_processed(update.update_id)

    application.add_handler(TypeHandler(Update, processed), group=10_000)
    options = webhook_options(settings)
    assert options["url_path"] == "letterbot/hook"
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_webhook(**options)
    try:
        yield WebhookBot(telegram, application, settings, server)
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
        await server.stop()


async def test_start_over_a_webhook(webhook_bot: WebhookBot) -> None:
    telegram = webhook_bot.telegram
    assert telegram.state.webhook_url == webhook_bot.settings.bot_webhook_url
    assert telegram.state.webhook_secret == SECRET
    telegram.add_user(3001, "Hanna", "be")
    update_id = await telegram.send_text(3001, "/start")
    await telegram.wait_processed(update_id)
    assert telegram.bot_messages(3001)[0]["text"].startswith("Вітаю!")
    status, _body = await telegram.api.call(TOKEN, "getUpdates", {})
    assert status == 409  # no polling while a webhook is set


def privacy_command(telegram: EmulatedTelegram, user_id: int, update_id: int) -> dict[str, Any]:
    """An update as Telegram would post it: the user sends /privacy."""
    chat = telegram.chat(user_id)
    message = {
        "message_id": chat.new_message_id(),
        "from": telegram.state.users[user_id].as_telegram(),
        "chat": chat.as_telegram(),
        "date": telegram.state.now(),
        "text": "/privacy",
        "entities": [{"type": "bot_command", "offset": 0, "length": len("/privacy")}],
    }
    return {"update_id": update_id, "message": message}


async def test_a_delivery_without_the_secret_is_refused(webhook_bot: WebhookBot) -> None:
    telegram = webhook_bot.telegram
    telegram.add_user(3002, "Ales", "en")
    header = "X-Telegram-Bot-Api-Secret-Token"
    wrong, missing, right = (privacy_command(telegram, 3002, update_id) for update_id in (9001, 9002, 9003))
    assert await webhook_bot.post(wrong, {header: "not-" + SECRET}) == 403
    assert await webhook_bot.post(missing, {}) == 403
    assert await webhook_bot.post(right, {header: SECRET}) == 200
    await telegram.wait_processed(9003)
    # Had either refused update been queued, it would have been handled before the later one of the same user.
    assert {9001, 9002}.isdisjoint(telegram.state.processed)
    assert len(telegram.bot_messages(3002)) == 1


async def test_a_webhook_gets_only_the_update_types_asked_for(webhook_bot: WebhookBot) -> None:
    telegram = webhook_bot.telegram
    assert telegram.state.allowed_updates == list(ALLOWED_UPDATES)
    telegram.add_user(3003, "Mira", "en")
    sent = await telegram.send_text(3003, "/start")
    await telegram.wait_processed(sent)
    edit = {**telegram.transcript(3003)[0], "text": "/privacy", "edit_date": telegram.state.now()}
    edited = await telegram.state.push_update({"edited_message": edit})
    later = await telegram.send_text(3003, "/help")
    await telegram.wait_processed(later)
    assert edited not in telegram.state.processed
