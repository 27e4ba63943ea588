"""Webhook mode: the emulator posts updates to the bot's webhook server with the secret header."""

from __future__ import annotations

import socket

from telegram import Update
from telegram.ext import TypeHandler

from bot.app import build_application
from bot.cli import webhook_options
from bot.sandbox.http import api_server
from bot.sandbox.telegram import EmulatedTelegram
from tests.harness import TOKEN, FakeClock, make_settings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_start_over_a_webhook(database_url: str) -> None:
    clock = FakeClock()
    telegram = EmulatedTelegram(TOKEN, clock=clock.monotonic)
    server = api_server(telegram)
    port = server.start()
    hook_port = free_port()
    settings = make_settings(
        database_url, port,
        BOT_WEBHOOK_URL=f"http://127.0.0.1:{hook_port}/letterbot/hook",
        BOT_WEBHOOK_SECRET="s3cret-token",
        BOT_WEBHOOK_LISTEN=f"127.0.0.1:{hook_port}",
    )  # fmt: skip
    application = build_application(settings, clock=clock.utc)

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
        assert telegram.state.webhook_url == settings.bot_webhook_url
        assert telegram.state.webhook_secret == "s3cret-token"
        telegram.add_user(3001, "Hanna", "be")
        update_id = await telegram.send_text(3001, "/start")
        await telegram.wait_processed(update_id)
        assert telegram.bot_messages(3001)[0]["text"].startswith("Вітаю!")
        status, _body = await telegram.api.call(TOKEN, "getUpdates", {})
        assert status == 409  # no polling while a webhook is set
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
        await server.stop()
