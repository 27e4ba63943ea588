"""Two replicas in webhook mode on one PostgreSQL database: two real `letterbot run` processes, the
emulated Telegram posting updates to them in turn as a load balancer in front of them would. Every
update is answered once, each chat's in the order sent; SIGTERM stops each replica cleanly."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from telegram import Bot

from bot import PROJECT_ROOT, cli_webhook, db
from bot.config import Settings
from bot.sandbox.http import api_server
from bot.sandbox.limits import Limits
from bot.sandbox.telegram import EmulatedTelegram
from tests import conftest
from tests.harness import TOKEN, make_settings

pytestmark = pytest.mark.postgres
SECRET = "replica-secret"
PATH = "/letterbot/hook"
USERS = 40
MESSAGES = 5  # each user's: /help and /privacy in an order of their own
STARTUP_SECONDS = 60


@dataclass
class Replica:
    process: asyncio.subprocess.Process
    url: str  # where it serves, without the path
    log: list[str] = field(default_factory=list)
    reader: asyncio.Task[None] | None = None

    async def started(self) -> None:
        """Read the log until uvicorn says it listens (the reading goes on, so the pipe never fills)."""
        listening = asyncio.Event()

        async def read() -> None:
            assert self.process.stderr is not None
            async for raw in self.process.stderr:
                line = raw.decode(errors="replace").rstrip()
                self.log.append(line)
                if "Uvicorn running on" in line:
                    listening.set()

        self.reader = asyncio.create_task(read())
        waiting = asyncio.create_task(listening.wait())
        try:  # listening, or the process ended (its log then says why)
            await asyncio.wait({waiting, self.reader}, timeout=STARTUP_SECONDS, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiting.cancel()
        assert listening.is_set(), "\n".join(self.log)

    async def stop(self) -> int:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(60):
            code = await self.process.wait()
            if self.reader is not None:
                await self.reader
        return code


async def start_replica(settings: Settings, port: int, workdir: Path) -> Replica:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": settings.telegram_api_base_url,
        "TELEGRAM_API_FILE_URL": settings.telegram_api_file_url,
        "DATABASE_URL": settings.database_url,
        "BOT_DEFAULT_LOCALE": "en",
        "BOT_WEBHOOK_URL": str(settings.bot_webhook_url),
        "BOT_WEBHOOK_SECRET": SECRET,
        "BOT_WEBHOOK_LISTEN": f"127.0.0.1:{port}",
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=workdir, env=env, stderr=asyncio.subprocess.PIPE
    )
    return Replica(process, f"http://127.0.0.1:{port}")


@dataclass
class Replicas:
    telegram: EmulatedTelegram
    settings: Settings
    replicas: list[Replica]


@pytest.fixture
async def replicas(
    postgres_url: str, tmp_path: Path, unused_tcp_port_factory: Callable[[], int]
) -> AsyncIterator[Replicas]:
    # Flood limits off: many chats answered at once is what is tested here, not the bot's pacing.
    telegram = EmulatedTelegram(TOKEN, limits=Limits(enabled=False))
    server = api_server(telegram)
    balancer = f"http://127.0.0.1:9{PATH}"  # the one URL Telegram knows; the replicas are behind it
    settings = make_settings(postgres_url, server.start(), BOT_WEBHOOK_URL=balancer, BOT_WEBHOOK_SECRET=SECRET)
    ports = [unused_tcp_port_factory() for _ in range(2)]
    started = [await start_replica(settings, port, tmp_path) for port in ports]
    try:
        await asyncio.gather(*(replica.started() for replica in started))
        telegram.balance([replica.url + PATH for replica in started])
        await cli_webhook.set_webhook(Bot(TOKEN, base_url=settings.telegram_api_base_url), settings)
        yield Replicas(telegram, settings, started)
    finally:
        for replica in started:
            if replica.process.returncode is None:
                replica.process.kill()
                await replica.process.wait()
        await server.stop()


async def test_two_replicas_answer_every_update_once_in_order(replicas: Replicas) -> None:
    telegram = replicas.telegram
    # What each command answers, seen once with one user.
    telegram.add_user(6000, "Calibration", "en")
    reference: dict[str, str] = {}
    for command in ("/help", "/privacy"):
        await telegram.wait_processed(await telegram.send_text(6000, command))
        reference[command] = telegram.bot_messages(6000)[-1]["text"]
    assert len(telegram.bot_messages(6000)) == 2 and reference["/help"] != reference["/privacy"]

    expected: dict[int, list[str]] = {}
    for index in range(USERS):
        user_id = 6001 + index
        telegram.add_user(user_id, "User", "en")
        expected[user_id] = ["/privacy" if (index >> bit) & 1 else "/help" for bit in range(MESSAGES)]
    sent: list[int] = []
    for round_ in range(MESSAGES):  # interleaved, as people write at once
        for user_id, commands in expected.items():
            sent.append(await telegram.send_text(user_id, commands[round_]))
    async with asyncio.timeout(120), telegram.state.changed:
        await telegram.state.changed.wait_for(lambda: all(update_id in telegram.state.processed for update_id in sent))

    assert all(telegram.state.webhook_answers[update_id] == 1 for update_id in sent)
    for user_id, commands in expected.items():
        texts = [message["text"] for message in telegram.bot_messages(user_id)]
        assert texts == [reference[command] for command in commands], user_id
    # Both replicas took a share (the balancer alternates), as their own metrics say.
    async with httpx.AsyncClient() as client:
        for replica in replicas.replicas:
            page = (await client.get(replica.url + "/metrics")).text
            handled = sum(
                float(line.rsplit(" ", 1)[1])
                for line in page.splitlines()
                if line.startswith("letterbot_updates_total{")
            )
            assert handled >= USERS, page
            assert (await client.get(replica.url + "/readyz")).status_code == 200

    for replica in replicas.replicas:
        assert await replica.stop() == 0, "\n".join(replica.log)
        problems = [line for line in replica.log if " ERROR " in line or "Traceback" in line]
        assert not problems, "\n".join(replica.log)


@pytest.fixture
def empty_postgres_url() -> Iterator[str]:
    problem = conftest._postgres_reachable()
    if problem is not None:
        if conftest.REQUIRE_POSTGRES:
            pytest.fail(problem)
        pytest.skip(problem)
    name = f"letterbot_m_{uuid.uuid4().hex[:10]}"
    asyncio.run(conftest._admin(f'CREATE DATABASE "{name}"'))
    yield conftest._async_url(conftest._with_database(conftest.POSTGRES_URL, name))
    asyncio.run(conftest._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def test_replicas_starting_together_migrate_one_at_a_time(empty_postgres_url: str, tmp_path: Path) -> None:
    """What `letterbot run` does first, by three replicas at once on an empty database (processes:
    Alembic's context is one per process): one migrates under the advisory lock, the others then find
    nothing to do; none fails."""
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(PROJECT_ROOT), "DATABASE_URL": empty_postgres_url}
    command = [sys.executable, "-m", "bot", "db", "upgrade"]
    runs = [subprocess.Popen(command, cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    for run in runs:
        _out, errors = run.communicate(timeout=120)
        assert run.returncode == 0, errors
    db.check(empty_postgres_url)  # at head, and the models agree
