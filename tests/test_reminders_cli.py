"""`letterbot reminders due`: what is due at a moment, counted by kind, and with --send delivered
through the Bot API the settings name (here the emulated one, over HTTP)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from bot import cli, cli_reminders
from bot.db import Database
from bot.models import Reminder
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
    # --send delivers what is due now: "now" is 30 April at 19:00 in Minsk here, and it moves on.
    started, moment = time.monotonic(), datetime(2026, 4, 30, 16, 0, tzinfo=UTC)
    monkeypatch.setattr(cli_reminders, "system_clock", lambda: moment + timedelta(seconds=time.monotonic() - started))
    try:
        assert await asyncio.to_thread(cli.main, ["reminders", "due", "--send"]) == 0
    finally:
        await server.stop()
    assert "delivered: sent 1" in capsys.readouterr().out
    (message,) = telegram.bot_messages(555001)
    assert message["text"].startswith("🔔") and "21 May" in message["text"]


def test_a_moment_that_is_no_date_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}")
    assert cli.main(["reminders", "due", "--at", "next tuesday"]) == 2
    assert cli.main(["reminders", "due", "--at", "2026-05-01T19:00", "--send"]) == 2  # --send is for now only


async def test_a_look_at_another_moment_changes_nothing_now(
    database: Database, database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A reminder pending today is not expired, pruned or sent early by a look at a later moment."""
    await a_supporter(database, 777001)
    environment(monkeypatch, tmp_path, database_url)
    assert await asyncio.to_thread(cli.main, ["reminders", "due", "--at", "2026-04-30T19:00"]) == 0
    assert await asyncio.to_thread(cli.main, ["reminders", "due", "--at", "2026-05-19T19:00"]) == 0
    async with database.transaction() as session:
        statuses = (await session.exec(select(Reminder.kind, Reminder.status))).all()
    assert ("may21", "queued") in statuses  # not expired by the look at 19 May
