"""The runner for PostgreSQL: procrastinate's worker inside the bot's process.

Every replica runs a worker, and every worker's periodic deferrer offers each period's job; the
database takes one per task and period (procrastinate_periodic_defers is unique on it), and the
queueing lock keeps at most one waiting. A job lock per task lets one job of it run at a time in the
fleet (a unique index on the lock of jobs "doing"). A worker beats every HEARTBEAT_SECONDS; the
`retry-stalled` task gives the job of a worker silent for STALLED_SECONDS (kill -9, a lost machine)
back to the queue, where a living worker takes it: for the deliver task, that sender then takes up
the rows the dead one left (bot/delivery's recovery, under the sender's own database lock: see
bot/delivery/claims.py for why both locks).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket

import procrastinate
from procrastinate import exceptions
from procrastinate.jobs import Status
from sqlalchemy import make_url

from bot import jobs
from bot.db import application_name
from bot.scheduling.tasks import TASKS, Task

HEARTBEAT_SECONDS = 5.0
STALLED_SECONDS = 20.0  # four beats missed: dead, not slow (and the sender's own lock backs this up)
RETRY_STALLED = "* * * * * */10"
CONCURRENCY = len(TASKS) + 1  # every task has its own lock: none waits for another's slot
STOP_SECONDS = 10.0  # a stop waits this long for jobs under way (a sender ends its chunk), then cancels them
log = logging.getLogger(__name__)


def conninfo(database_url: str) -> str:
    """psycopg's conninfo for the bot's SQLAlchemy URL (postgresql+asyncpg://...)."""
    url = make_url(database_url).set(drivername="postgresql")
    ssl = url.query.get("ssl")
    if ssl is not None:  # asyncpg says ssl=, libpq sslmode=
        url = url.difference_update_query(["ssl"]).update_query_dict({"sslmode": str(ssl)})
    return url.render_as_string(hide_password=False)


class ProcrastinateRunner:
    def __init__(self, run: jobs.Runtime) -> None:
        self.run = run
        settings = run.deps.settings
        connector = procrastinate.PsycopgConnector(
            conninfo=conninfo(settings.database_url),
            min_size=1,
            max_size=settings.bot_job_pool_size,
            kwargs={"application_name": application_name("letterbot-jobs")},
        )
        self.app = procrastinate.App(connector=connector)
        for task in TASKS:
            self._register(task)
        self.app.periodic(cron=RETRY_STALLED, periodic_id="retry-stalled")(
            self.app.task(name="letterbot.retry-stalled", lock="letterbot-retry-stalled",
                          queueing_lock="letterbot.retry-stalled")(self._retry_stalled)
        )  # fmt: skip
        self._worker: asyncio.Task[None] | None = None

    def _register(self, task: Task) -> None:
        async def job(timestamp: int) -> None:  # procrastinate passes the period's moment
            await task.run(self.run)

        name = f"letterbot.{task.name}"
        defined = self.app.task(name=name, lock=task.lock, queueing_lock=name)(job)
        self.app.periodic(cron=task.cron, periodic_id=task.name)(defined)

    async def _retry_stalled(self, timestamp: int) -> None:
        """Give the jobs of workers that stopped beating back to the queue. When a later job of the
        same task waits already (its queueing lock allows one), the stalled one is dropped instead:
        the waiting one does the same work, as every task looks at what the database holds now."""
        manager = self.app.job_manager
        for job in await manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_SECONDS):
            try:
                await manager.retry_job(job)
            except exceptions.UniqueViolation:
                await manager.finish_job(job, status=Status.FAILED, delete_job=True)
            log.warning("the job of a worker that stopped beating was given back: %s", job.task_name)
        await manager.prune_stalled_workers(STALLED_SECONDS)

    async def start(self) -> None:
        await self.app.open_async()
        self._worker = asyncio.create_task(
            self.app.run_worker_async(
                name=f"letterbot-{socket.gethostname()}-{os.getpid()}",
                concurrency=CONCURRENCY,
                install_signal_handlers=False,  # the bot's own (PTB's, or the web server's) stop it
                delete_jobs="always",  # periodic work: a failure is logged, a row for it would only pile up
                update_heartbeat_interval=HEARTBEAT_SECONDS,
                stalled_worker_timeout=STALLED_SECONDS,
                shutdown_graceful_timeout=STOP_SECONDS,
            ),
            name="procrastinate worker",
        )
        self._worker.add_done_callback(_report)

    async def wait(self) -> None:
        """Until the worker ends: it does on a stop, or when it fails (its database gone for good)."""
        if self._worker is not None:
            await asyncio.wait([self._worker])

    async def stop(self) -> None:
        """Let jobs under way end (the sender its chunk), then close the pool. Idempotent."""
        self.run.stopping.set()
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.cancel()  # procrastinate stops its worker gracefully when its task is cancelled
            await asyncio.wait([worker], timeout=STOP_SECONDS * 2)  # an error it ended with is logged by _report
        await self.app.close_async()  # nothing to do if it was never opened


def _report(worker: asyncio.Task[None]) -> None:
    if not worker.cancelled() and worker.exception() is not None:
        log.error("the job worker stopped: no scheduled work runs in this process", exc_info=worker.exception())


__all__ = ["ProcrastinateRunner", "conninfo"]
