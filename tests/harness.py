"""The end-to-end harness: the real Application from the wiring function, talking HTTP to the
emulated Telegram, on a real database, with an injected clock."""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text
from telegram import Update
from telegram.ext import Application, TypeHandler

from bot import db
from bot.app import build_application, start_polling, stop_polling
from bot.config import Settings
from bot.sandbox.http import Server, api_server
from bot.sandbox.telegram import EmulatedTelegram

TOKEN = "123456789:TEST-token_for-the-emulator"
HUMAN_PACE = 2.0  # seconds between a person's actions: keeps replies within Telegram's per-chat limit


@dataclass
class FakeClock:
    start: datetime = field(default_factory=lambda: datetime(2026, 3, 1, 9, 0, tzinfo=UTC))
    elapsed: float = 0.0

    def utc(self) -> datetime:
        return self.start + timedelta(seconds=self.elapsed)

    def monotonic(self) -> float:
        return self.elapsed

    def advance(self, seconds: float) -> None:
        self.elapsed += seconds

    async def sleep(self, seconds: float) -> None:
        """What the bot waits for passes at once: the clock moves on instead."""
        self.advance(seconds)


def make_settings(database_url: str, port: int, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{port}/bot",
        "TELEGRAM_API_FILE_URL": f"http://127.0.0.1:{port}/file/bot",
        "DATABASE_URL": database_url,
        "BOT_DEFAULT_LOCALE": "en",
        **extra,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


class Person:
    """One emulated user, as a test drives them: send, press, read what the bot answered."""

    def __init__(self, harness: Harness, user_id: int) -> None:
        self.harness = harness
        self.id = user_id

    @property
    def telegram(self) -> EmulatedTelegram:
        return self.harness.telegram

    async def send(self, text: str) -> dict[str, Any]:
        self.harness.clock.advance(HUMAN_PACE)
        update_id = await self.telegram.send_text(self.id, text)
        await self.telegram.wait_processed(update_id)
        return self.last()

    async def press(self, label: str, message: dict[str, Any] | None = None) -> dict[str, Any] | None:
        """Press the button with this label on the given (default: the latest) message that has it."""
        message = message or next(
            m for m in reversed(self.telegram.bot_messages(self.id)) if _button_data(m, label) is not None
        )
        data = _button_data(message, label)
        assert data is not None, f"no button {label!r} on message {message['message_id']}"
        return await self.press_data(message["message_id"], data)

    async def press_data(self, message_id: int, data: str) -> dict[str, Any] | None:
        """Send a callback query with any data, as a forged press would."""
        self.harness.clock.advance(HUMAN_PACE)
        update_id = await self.telegram.press(self.id, message_id, data)
        await self.telegram.wait_processed(update_id)
        return self.telegram.callback_answer(update_id)

    def last(self) -> dict[str, Any]:
        """A snapshot of the bot's latest message (later edits do not change it)."""
        return copy.deepcopy(self.telegram.bot_messages(self.id)[-1])

    def messages(self) -> list[dict[str, Any]]:
        return self.telegram.bot_messages(self.id)


def _button_data(message: dict[str, Any], label: str) -> str | None:
    for row in message.get("reply_markup", {}).get("inline_keyboard", []):
        for button in row:
            if button["text"] == label or button["text"].removeprefix("✓ ") == label:
                return str(button.get("callback_data"))
    return None


def buttons(message: dict[str, Any]) -> list[str]:
    return [b["text"] for row in message.get("reply_markup", {}).get("inline_keyboard", []) for b in row]


@dataclass
class Harness:
    telegram: EmulatedTelegram
    server: Server
    application: Application  # type: ignore[type-arg]
    clock: FakeClock
    settings: Settings

    def person(self, user_id: int, first_name: str = "Test", language_code: str | None = "en") -> Person:
        self.telegram.add_user(user_id, first_name, language_code)
        return Person(self, user_id)

    def bad_requests(self) -> list[Any]:
        """Requests Telegram refused as malformed. "Message is not modified" is left out: a button
        pressed twice causes it, the bot cannot know beforehand, and it ignores the answer."""
        return [
            call
            for call in self.telegram.refusals()
            if call.error_code == 400 and "message is not modified" not in (call.description or "")
        ]


async def start_harness(database_url: str, **settings: Any) -> Harness:
    clock = FakeClock()
    telegram = EmulatedTelegram(TOKEN, clock=clock.monotonic)
    server = api_server(telegram)
    port = server.start()
    config = make_settings(database_url, port, **settings)
    application = build_application(
        config, clock=clock.utc, sleep=clock.sleep, rng=random.Random(2026), scheduled=False
    )  # each test runs the jobs it needs, on the fake clock

    async def processed(update: Update, _context: Any) -> None:
        await telegram.mark_processed(update.update_id)

    application.add_handler(TypeHandler(Update, processed), group=10_000)
    await start_polling(application, poll_seconds=5)
    return Harness(telegram, server, application, clock, config)


async def stop_harness(harness: Harness) -> None:
    await stop_polling(harness.application)
    await harness.server.stop()


async def seed_demo(harness: Harness) -> None:
    """The sandbox's invented prisoners, for journeys that need someone to write to."""
    from bot.sandbox import demo
    from bot.services import prisoners

    deps = harness.application.bot_data["deps"]
    async with deps.db.transaction() as session:
        await prisoners.upsert(session, demo.people(deps.today()), now=harness.clock.utc(), actor=None)


async def analyzed_rows(database: db.Database, table: str) -> float:
    """What the query planner's statistics say of a table: 0 (SQLite) or -1 (PostgreSQL) if never analyzed."""
    async with database.transaction() as session:

        async def scalar(query: str) -> float:
            return float((await session.exec(text(query), params={"t": table})).scalar_one())  # type: ignore[call-overload]

        if not database.url.startswith("sqlite"):
            return await scalar("SELECT reltuples FROM pg_class WHERE relname = :t")
        if not await scalar("SELECT COUNT(*) FROM sqlite_schema WHERE name = 'sqlite_stat1' AND :t = :t"):
            return 0.0
        return await scalar("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = :t")
