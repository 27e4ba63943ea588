"""kill -9 in the middle of a broadcast: the bot runs as a real process (`letterbot run`, polling the
emulated Bot API), is killed with SIGKILL while it sends, and a second one is started on the same
database. It resumes at once; everyone gets the message; the few that may have arrived twice are at
most the chunk that was being sent, and they are counted on the broadcast for the coordinator."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert
from sqlmodel import select

from bot import db
from bot.delivery import sender
from bot.models import Broadcast, Outbox, Supporter, table_of
from bot.sandbox.http import api_server
from bot.sandbox.telegram import EmulatedTelegram
from bot.services import broadcasts

TOKEN = "777:kill-test"
FIRST_USER = 500_000
RECIPIENTS = 150
RATE = 30.0
KILL_AFTER = 40  # messages sent before the kill


def bot_process(url: str, port: int) -> subprocess.Popen[bytes]:
    environment = {
        **os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{port}/bot",
        "TELEGRAM_API_FILE_URL": f"http://127.0.0.1:{port}/file/bot", "DATABASE_URL": url,
        "BOT_SEND_RATE": str(RATE),
    }  # fmt: skip
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run"], env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


async def queue_a_broadcast(url: str) -> int:
    database = db.Database(url)
    now = datetime.now(UTC)
    try:
        async with database.transaction() as session:
            people = [
                {"id": n, "telegram_id": FIRST_USER + n, "is_active": True, "created_at": now, "last_seen_at": now}
                for n in range(1, RECIPIENTS + 1)
            ]
            await session.exec(insert(table_of(Supporter)), params=people)
            draft = await broadcasts.start_draft(session, 1, now)
            broadcasts.set_text(draft, "en", "Letter night: write tonight")
            queued = await broadcasts.confirm(session, draft, now=now, default_locale="en", paid=False)
            assert queued == RECIPIENTS
            return draft.id or 0
    finally:
        await database.dispose()


async def test_kill_9_mid_broadcast_then_a_restart_misses_no_one(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    await asyncio.to_thread(db.upgrade, url)  # Alembic runs its own event loop
    number = await queue_a_broadcast(url)
    telegram = EmulatedTelegram(TOKEN)
    for n in range(1, RECIPIENTS + 1):
        telegram.add_user(FIRST_USER + n, f"Reader {n}")
    server = api_server(telegram)
    port = server.start()
    chats = [telegram.state.chat(FIRST_USER + n) for n in range(1, RECIPIENTS + 1)]
    first = bot_process(url, port)
    try:
        # The sender sends in the order it queued: once the KILL_AFTER-th reader has it, kill -9.
        await asyncio.wait_for(chats[KILL_AFTER - 1].answered.wait(), timeout=60)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        delivered_before = sum(chat.answered.is_set() for chat in chats)
        assert delivered_before < RECIPIENTS  # killed in the middle
        second = bot_process(url, port)
        try:
            await asyncio.wait_for(asyncio.gather(*(chat.answered.wait() for chat in chats)), timeout=90)
        finally:
            second.terminate()
            second.wait(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
        await server.stop()

    sends = Counter(
        int(call.params["chat_id"]) for call in telegram.state.calls if call.method == "sendMessage" and call.ok
    )
    assert set(sends) == {FIRST_USER + n for n in range(1, RECIPIENTS + 1)}  # nobody missed
    twice = sum(1 for count in sends.values() if count > 1)
    chunk = max(1, int(RATE * sender.CHUNK_SECONDS + 0.999))
    database = db.Database(url)
    try:
        async with database.transaction() as session:
            broadcast = await session.get(Broadcast, number)
            assert broadcast is not None
            left = (await session.exec(select(Outbox))).all()
    finally:
        await database.dispose()
    # At most the chunk in flight was sent again, and the coordinator sees how many may be twice.
    assert twice <= broadcast.resent <= chunk
    assert (broadcast.status, broadcast.sent) == ("done", RECIPIENTS)  # each row counted once
    assert left == []  # who got it is forgotten once it is done
