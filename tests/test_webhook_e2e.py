"""Webhook mode end to end: `letterbot webhook set` tells the emulated Telegram where to post, the bot's
ASGI app serves on uvicorn over real HTTP, and the emulator posts each update with the secret header
as Telegram does (in order per chat, again until answered 2xx)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn
from telegram import Bot

from bot import cli_webhook
from bot.app import build_application
from bot.config import Settings
from bot.handlers import ALLOWED_UPDATES
from bot.sandbox.http import Server, api_server
from bot.sandbox.telegram import EmulatedTelegram
from bot.web import app as web_app
from tests.harness import TOKEN, FakeClock, make_settings

SECRET = "s3cret-token"


def listening_socket() -> socket.socket:
    """A socket bound and listening before the server starts: a request made meanwhile waits in its
    backlog, so nothing has to wait for the server to come up."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    return sock


@dataclass
class WebhookBot:
    telegram: EmulatedTelegram
    settings: Settings
    server: Server

    def bot(self) -> Bot:
        """A Bot of its own, as `letterbot webhook ...` makes one."""
        return Bot(TOKEN, base_url=self.settings.telegram_api_base_url)

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
    sock = listening_socket()
    hook_port = sock.getsockname()[1]
    settings = make_settings(
        database_url, port,
        BOT_WEBHOOK_URL=f"http://127.0.0.1:{hook_port}/letterbot/hook",
        BOT_WEBHOOK_SECRET=SECRET,
        BOT_WEBHOOK_LISTEN=f"127.0.0.1:{hook_port}",
    )  # fmt: skip
    application = build_application(settings, clock=clock.utc, sleep=clock.sleep, scheduled=False, webhook=True)
    config = uvicorn.Config(web_app.create(application, settings), lifespan="on", log_config=None)
    web = uvicorn.Server(config)
    serving = asyncio.create_task(web.serve(sockets=[sock]))
    try:
        yield WebhookBot(telegram, settings, server)
    finally:
        web.should_exit = True
        await serving
        sock.close()
        await cli_webhook.delete_webhook(Bot(TOKEN, base_url=settings.telegram_api_base_url))
        await server.stop()


async def test_start_over_a_webhook(webhook_bot: WebhookBot, capsys: pytest.CaptureFixture[str]) -> None:
    telegram = webhook_bot.telegram
    assert telegram.state.webhook_url == ""  # the replica did not set it: the command does, once
    await cli_webhook.set_webhook(webhook_bot.bot(), webhook_bot.settings)
    assert telegram.state.webhook_url == webhook_bot.settings.bot_webhook_url
    assert telegram.state.webhook_secret == SECRET
    telegram.add_user(3001, "Hanna", "be")
    update_id = await telegram.send_text(3001, "/start")
    await telegram.wait_processed(update_id)  # the emulator marks an update processed on its 200
    assert telegram.bot_messages(3001)[0]["text"].startswith("Вітаю!")
    status, _body = await telegram.api.call(TOKEN, "getUpdates", {})
    assert status == 409  # no polling while a webhook is set
    await cli_webhook.show_info(webhook_bot.bot())
    printed = capsys.readouterr().out
    assert f"url: {webhook_bot.settings.bot_webhook_url}" in printed
    assert "pending updates: 0" in printed
    assert SECRET not in printed and TOKEN not in printed and TOKEN.split(":")[1] not in printed


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
    assert await webhook_bot.post(right, {header: SECRET}) == 200  # a redelivery: answered, not handled again
    assert len(telegram.bot_messages(3002)) == 1


async def test_a_webhook_gets_only_the_update_types_asked_for(webhook_bot: WebhookBot) -> None:
    telegram = webhook_bot.telegram
    await cli_webhook.set_webhook(webhook_bot.bot(), webhook_bot.settings)
    assert telegram.state.allowed_updates == list(ALLOWED_UPDATES)
    telegram.add_user(3003, "Mira", "en")
    sent = await telegram.send_text(3003, "/start")
    await telegram.wait_processed(sent)
    edit = {**telegram.transcript(3003)[0], "text": "/privacy", "edit_date": telegram.state.now()}
    edited = await telegram.state.push_update({"edited_message": edit})
    later = await telegram.send_text(3003, "/help")
    await telegram.wait_processed(later)
    assert edited not in telegram.state.processed


async def test_an_update_not_answered_is_delivered_again(webhook_bot: WebhookBot) -> None:
    """The webhook points nowhere first: Telegram keeps the update, says why in getWebhookInfo, and
    delivers it once the URL is right."""
    telegram = webhook_bot.telegram
    settings = webhook_bot.settings
    assert settings.bot_webhook_url is not None
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        nowhere = f"http://127.0.0.1:{closed.getsockname()[1]}/letterbot/hook"
    await cli_webhook.set_webhook(webhook_bot.bot(), settings.model_copy(update={"bot_webhook_url": nowhere}))
    telegram.add_user(3004, "Ira", "en")
    sent = await telegram.send_text(3004, "/privacy")
    async with asyncio.timeout(10), telegram.state.changed:
        await telegram.state.changed.wait_for(lambda: telegram.state.webhook_last_error is not None)
    info = await webhook_bot.bot().get_webhook_info()
    assert info.pending_update_count == 1
    assert info.last_error_message == "Connection refused"
    assert info.last_error_date is not None
    await cli_webhook.set_webhook(webhook_bot.bot(), settings)
    await telegram.wait_processed(sent)
    assert len(telegram.bot_messages(3004)) == 1
    assert telegram.state.webhook_answers[sent] == 1


async def test_the_emulator_refuses_webhooks_telegram_would(webhook_bot: WebhookBot) -> None:
    telegram = webhook_bot.telegram

    async def set_webhook(**params: Any) -> tuple[int, str]:
        status, body = await telegram.api.call(TOKEN, "setWebhook", params)
        return status, str(body.get("description", ""))

    assert await set_webhook(url="http://bot.example.org/hook") == (
        400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook",
    )  # fmt: skip
    assert (await set_webhook(url="https://bot.example.org/hook", secret_token="has space"))[0] == 400
    assert (await set_webhook(url="https://bot.example.org/hook", secret_token="x" * 257))[0] == 400
    assert (await set_webhook(url="https://bot.example.org/hook", max_connections=101))[0] == 400
    assert telegram.state.webhook_url == ""
    # Port 1 on loopback: nothing listens, so the update stays pending (refused at once, no DNS).
    assert await set_webhook(url="https://127.0.0.1:1/hook", secret_token="A-z_09" * 40) == (200, "")
    telegram.add_user(3005, "Olia", "en")
    await telegram.send_text(3005, "/privacy")
    status, _ = await telegram.api.call(TOKEN, "deleteWebhook", {"drop_pending_updates": True})
    assert status == 200
    info = await webhook_bot.bot().get_webhook_info()
    assert (info.url, info.pending_update_count) == ("", 0)
