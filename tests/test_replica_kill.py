"""kill -9 one of two replicas on one PostgreSQL database while it sends, a broadcast and a day's
reminders: the other one finishes. Each replica is a real process running the job engine
(`letterbot worker`) against the emulated Bot API; the work is queued straight into the database.

The survivor takes over through procrastinate (the dead worker's heartbeat stops; its deliver job is
given back; the survivor's worker runs it) and the sender's recovery (rows the dead sender had
claimed go back to pending; those it had begun to send are sent again and counted for a broadcast,
and end "uncertain" for a reminder, which is never sent twice). Nobody is missed but the reminders of
the chunk in flight that may not have arrived, and they are counted; the broadcast's possible
duplicates are at most that chunk, and its `resent` counts them."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlmodel import col, select

from bot.db import Database
from bot.delivery import sender
from bot.models import Broadcast, Outbox
from bot.sandbox.http import Server, api_server
from bot.sandbox.telegram import EmulatedTelegram
from bot.services import broadcasts, reminders
from tests import queued_work

pytestmark = pytest.mark.postgres
TOKEN = "778:replica-kill"
FIRST_USER = 800_000
RECIPIENTS = 150
RATE = 30.0
KILL_AFTER = 40  # messages sent before the kill
log = logging.getLogger(__name__)
CHUNK = max(1, int(RATE * sender.CHUNK_SECONDS + 0.999))  # the rows one sender may have in flight
TAKEOVER_SECONDS = 120  # stalled after 20 s without a heartbeat, retried within 10 s, then the next round


def evening_zone(now: datetime) -> str:
    """A fixed-offset zone where it is now about 19:00, inside the default reminder window (18-21)."""
    offset = (19 - now.hour) % 24
    if offset > 14:
        offset -= 24
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}"  # POSIX signs: Etc/GMT-3 is UTC+3


class Fleet:
    """The emulated Telegram, the database, and the replicas' processes."""

    def __init__(self, url: str, zone: str) -> None:
        self.url, self.zone = url, zone
        self.telegram = EmulatedTelegram(TOKEN)
        self.server: Server = api_server(self.telegram)
        self.port = self.server.start()
        self.database = Database(url)
        self.processes: list[subprocess.Popen[bytes]] = []

    def start_replica(self) -> subprocess.Popen[bytes]:
        environment = {
            **os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_URL": self.url, "BOT_SEND_RATE": str(RATE),
            "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{self.port}/bot", "BOT_TIMEZONE": self.zone,
            "TELEGRAM_API_FILE_URL": f"http://127.0.0.1:{self.port}/file/bot", "BOT_DEFAULT_LOCALE": "en",
        }  # fmt: skip
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "worker"], env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        self.processes.append(process)
        return process

    async def scalar(self, sql: str) -> object:
        async with self.database.transaction() as session:
            return (await session.exec(text(sql))).scalar()  # type: ignore[call-overload]

    async def until(self, condition: Callable[[], Awaitable[bool]], within: float) -> None:
        """Poll the database: the replicas are other processes, with nothing to await on."""
        deadline = time.monotonic() + within
        while not await condition():
            assert time.monotonic() < deadline, "timed out"
            assert all(p.poll() is None for p in self.processes if p.returncode is None), "a replica exited"
            await asyncio.sleep(0.1)

    async def workers(self) -> int:
        return int(await self.scalar("SELECT count(*) FROM procrastinate_workers"))  # type: ignore[call-overload]

    async def sender_pid(self) -> int:
        """The process holding the sender's lock: its connection's application_name ends in its pid."""
        name = await self.scalar(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
            " WHERE l.locktype = 'advisory' AND l.granted AND a.datname = current_database()"
        )
        assert isinstance(name, str), "nobody holds the sender's lock"
        return int(name.rsplit(" ", 1)[1])

    def sent(self, marker: str) -> Counter[int]:
        return Counter(
            int(call.params["chat_id"])
            for call in self.telegram.state.calls
            if call.method == "sendMessage" and call.ok and marker in str(call.params.get("text"))
        )

    async def close(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)
        await self.database.dispose()
        await self.server.stop()


@pytest.fixture
async def fleet(postgres_url: str) -> AsyncIterator[Fleet]:
    made = Fleet(postgres_url, evening_zone(datetime.now(UTC)))
    now = datetime.now(UTC)
    await queued_work.add_supporters(made.database, range(1, RECIPIENTS + 1), FIRST_USER, now)
    for n in range(1, RECIPIENTS + 1):
        made.telegram.add_user(FIRST_USER + n, f"Reader {n}")
    for _ in range(2):
        made.start_replica()
    try:
        await made.until(lambda: _equals(made.workers(), 2), within=60)  # both job engines are up
        yield made
    finally:
        await made.close()


async def _equals(value: Awaitable[int], expected: int) -> bool:
    return await value == expected


async def kill_the_sender_midway(fleet: Fleet) -> subprocess.Popen[bytes]:
    """Once KILL_AFTER people have their message, kill -9 the replica sending; the other one."""
    chats = [fleet.telegram.state.chat(FIRST_USER + n) for n in range(1, RECIPIENTS + 1)]
    await asyncio.wait_for(chats[KILL_AFTER - 1].answered.wait(), timeout=60)
    pid = await fleet.sender_pid()
    (victim,) = [p for p in fleet.processes if p.pid == pid]
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=10)
    assert sum(chat.answered.is_set() for chat in chats) < RECIPIENTS  # killed in the middle
    (survivor,) = [p for p in fleet.processes if p is not victim]
    return survivor


def stop(survivor: subprocess.Popen[bytes]) -> None:
    survivor.send_signal(signal.SIGTERM)
    assert survivor.wait(timeout=60) == 0, survivor.stderr.read().decode() if survivor.stderr else ""


async def test_kill_9_mid_broadcast_the_other_replica_finishes_it(fleet: Fleet) -> None:
    number = await queued_work.queue_broadcast(fleet.database, 1, RECIPIENTS, datetime.now(UTC))
    survivor = await kill_the_sender_midway(fleet)

    async def done() -> bool:
        async with fleet.database.transaction() as session:
            broadcast = await session.get(Broadcast, number)
            return broadcast is not None and broadcast.status == "done"

    await fleet.until(done, within=TAKEOVER_SECONDS)
    stop(survivor)
    sends = fleet.sent(queued_work.BROADCAST_TEXT)
    assert set(sends) == {FIRST_USER + n for n in range(1, RECIPIENTS + 1)}  # nobody missed
    twice = sum(count - 1 for count in sends.values())
    async with fleet.database.transaction() as session:
        broadcast = await session.get(Broadcast, number)
        assert broadcast is not None
        left = (await session.exec(select(Outbox).where(col(Outbox.purpose) == broadcasts.PURPOSE))).all()
    # At most the chunk in flight went twice, and `resent` (what the coordinator sees) covers them: a
    # row counted whose request had not left when the process died arrived once.
    log.info("broadcast: %d sent twice, %d counted as resent, chunk %d", twice, broadcast.resent, CHUNK)
    assert twice <= broadcast.resent <= CHUNK
    assert (broadcast.sent, broadcast.uncertain) == (RECIPIENTS, 0)  # each row counted once
    assert left == [] and broadcasts.remaining(broadcast) == 0


async def test_kill_9_mid_reminders_the_other_replica_finishes_them(fleet: Fleet) -> None:
    now = datetime.now(UTC)
    local = now.astimezone(ZoneInfo(fleet.zone))
    queued = await queued_work.queue_reminders(fleet.database, range(1, RECIPIENTS + 1), now, local)
    assert queued == RECIPIENTS
    survivor = await kill_the_sender_midway(fleet)
    digests = select(Outbox).where(col(Outbox.purpose) == reminders.PURPOSE)

    async def finished() -> bool:
        async with fleet.database.transaction() as session:
            return all(row.finished_at is not None for row in (await session.exec(digests)).all())

    await fleet.until(finished, within=TAKEOVER_SECONDS)
    stop(survivor)
    sends = fleet.sent("🔔")
    async with fleet.database.transaction() as session:
        outcomes = Counter(row.status for row in (await session.exec(digests)).all())
    log.info("reminders: %d received, %d uncertain, chunk %d", len(sends), outcomes["uncertain"], CHUNK)
    assert max(sends.values()) == 1  # a reminder is never sent twice
    assert outcomes["uncertain"] <= CHUNK  # the chunk in flight: may or may not have arrived
    assert outcomes["sent"] + outcomes["uncertain"] == RECIPIENTS
    assert len(sends) >= RECIPIENTS - outcomes["uncertain"]  # nobody missed but those, counted
    assert len(sends) >= outcomes["sent"]
