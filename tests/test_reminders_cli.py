"""`letterbot reminders due`: what is due at a moment, counted by kind, and with --send delivered
through the Bot API the settings name (here the emulated one, over HTTP)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import cli
from bot.db import Database
from bot.sandbox.http import api_server
from bot.sandbox.telegram import EmulatedTelegram
from bot.services import supporters
from tests.harness import TOKEN


async def a_supporter(database: Database, telegram_id: int) -> None:
    async with database.transaction() as session:
        await supporters.touch(session, telegram_id, datetime(2026, 4, 1, tzinfo=UTC))


def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str, port: int | None = None) -> None:
    monkeypatch.chdir(tmp_path)  # no .env from the project
    monkeypatch.setenv("DATABASE_URL", database_url)
    if port is not None:
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
        monkeypatch.setenv("TELEGRAM_API_BASE_URL", f"http://127.0.0.1:{port}/bot")
        monkeypatch.setenv("TELEGRAM_API_FILE_URL", f"http://127.0.0.1:{port}/file/bot")


async def test_due_counts_by_kind_and_names_no_one(
    database: Database, database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    await a_supporter(database, 123456789)
    environment(monkeypatch, tmp_path, database_url)
    assert await asyncio.to_thread(cli.main, ["reminders", "due", "--at", "2026-04-30T19:00"]) == 0
    out = capsys.readouterr().out
    assert "at 2026-04-30 19:00 (Europe/Minsk)" in out
    assert "may21: 1 due" in out and "messages queued now: 1" in out
    assert "123456789" not in out


async def test_due_with_send_delivers_through_the_bot_api(
    database: Database, database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    telegram = EmulatedTelegram(TOKEN)
    server = api_server(telegram)
    port = server.start()
    telegram.add_user(555001, "Ala", "en")
    await a_supporter(database, 555001)
    environment(monkeypatch, tmp_path, database_url, port)
    try:
        assert await asyncio.to_thread(cli.main, ["reminders", "due", "--at", "2026-04-30T19:00+03:00", "--send"]) == 0
    finally:
        await server.stop()
    assert "delivered: sent 1" in capsys.readouterr().out
    (message,) = telegram.bot_messages(555001)
    assert message["text"].startswith("🔔") and "21 May" in message["text"]


def test_a_moment_that_is_no_date_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}")
    assert cli.main(["reminders", "due", "--at", "next tuesday"]) == 2
