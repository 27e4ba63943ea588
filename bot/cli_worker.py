"""`letterbot worker`: only the job engine, no updates. On PostgreSQL every `letterbot run` replica
runs a worker too; a worker of its own is for a deployment that wants scheduled work to go on while
the webhook replicas are scaled to zero or redeployed, or more workers than replicas. On SQLite the
bot's one process runs its scheduled work itself.

In the image, a worker container sets LETTERBOT_ROLE=worker: the image's health check then asks no
/healthz (a worker serves no HTTP), whatever BOT_WEBHOOK_URL the shared .env holds."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from typing import Any

from bot import db, scheduling
from bot.config import Settings
from bot.scheduling.queue import ProcrastinateRunner

log = logging.getLogger(__name__)


def add_parser(commands: Any) -> None:
    commands.add_parser(
        "worker", help="PostgreSQL: run only the scheduled work (reminders, broadcasts, sweeps), no updates"
    )


def run(_args: argparse.Namespace, settings: Settings) -> int:
    if not settings.database_url.startswith("postgresql"):
        print("letterbot worker: on SQLite `letterbot run` does the scheduled work itself", file=sys.stderr)
        return 2
    settings.require_token()
    db.upgrade(settings.database_url)  # before the event loop starts (Alembic runs its own)
    return asyncio.run(work(settings))


async def work(settings: Settings) -> int:
    from bot.app import build_application

    application = build_application(settings)
    runner = scheduling.of(application)
    assert isinstance(runner, ProcrastinateRunner)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await application.initialize()  # the bot (getMe), not the updater: nothing here reads updates
    try:
        await runner.start()
        log.info("worker for @%s is running", application.bot.username)
        stopped = asyncio.create_task(stop.wait())
        # The runner restarts its worker itself (a database restart, a lost connection): its wait ends
        # before a signal only on a fault of the runner's own, and then the process exits 1.
        await asyncio.wait([stopped, asyncio.create_task(runner.wait())], return_when=asyncio.FIRST_COMPLETED)
        failed = not stop.is_set()
        stopped.cancel()
    finally:
        await runner.stop()
        await application.shutdown()
        await application.bot_data["deps"].db.dispose()
    return 1 if failed else 0
