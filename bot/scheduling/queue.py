"""The runner for PostgreSQL: procrastinate's worker inside the bot's process.

Every replica runs a worker, and every worker's periodic deferrer offers each period's job; the
database takes one per task and period (procrastinate_periodic_defers is unique on it), and the
queueing lock keeps at most one waiting. A job lock per task lets one job of it run at a time in the
fleet (a unique index on the lock of jobs "doing"). A worker beats every HEARTBEAT_SECONDS.

Two loops of the runner's own keep this going whatever happens to one process or to the database:
- the worker is restarted when it stops on a failure (procrastinate ends it when a side task fails:
  a PostgreSQL restart, a connection cut, a worker paused so long that its row was pruned), with a
  backoff, each restart logged and counted (`letterbot_job_worker_up`, `..._restarts`);
- every RECOVER_SECONDS, the jobs of a worker silent for STALLED_SECONDS (kill -9, a lost machine)
  go back to the queue, where a living worker takes them: for the deliver task, that sender then
  takes up the rows the dead one left (bot/delivery's recovery, under the sender's own database lock:
  see bot/delivery/claims.py for why both locks). This is no job: a job would run under a job lock,
  and the job of that very task, left "doing" by a dead worker, would hold its lock for good;
- in the same round, a job this process ran to its end whose row still says "doing" ORPHAN_SECONDS
  later is finished: the connection was cut just as the worker said so, and the worker, alive and
  beating, would otherwise hold the task's lock with it for good (no worker is stalled to recover).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time

import procrastinate
from procrastinate import exceptions
from procrastinate.job_context import JobContext
from procrastinate.jobs import Status
from sqlalchemy import make_url

from bot import jobs, metrics
from bot.db import application_name
from bot.scheduling.tasks import TASKS, Task

HEARTBEAT_SECONDS = 5.0
STALLED_SECONDS = 20.0  # four beats missed: dead, not slow (and the sender's own lock backs this up)
RECOVER_SECONDS = 10.0  # stalled jobs are looked for this often, by every runner (one at a time: RECOVER_LOCK)
RECOVER_LOCK = 0x5E7A11ED  # pg_try_advisory_xact_lock's key for a round of recovery (any fixed number would do)
CONCURRENCY = len(TASKS)  # every task has its own lock: none waits for another's slot
STOP_SECONDS = 10.0  # a stop waits this long for jobs under way (a sender ends its chunk), then cancels them
STOP_MARGIN_SECONDS = 5.0  # then cancelled jobs end and the worker unregisters; the pool's close comes after
FIRST_RESTART_SECONDS = 1.0  # a worker that stopped is restarted after this, doubling up to MAX_RESTART_SECONDS
MAX_RESTART_SECONDS = 30.0
ORPHAN_SECONDS = 10.0  # a job ended here and still "doing" this long after: its end was not recorded
HEALTHY_SECONDS = 60.0  # a worker that ran this long before it stopped restarts after FIRST_RESTART_SECONDS again
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
        self.connector = procrastinate.PsycopgConnector(
            conninfo=conninfo(settings.database_url),
            min_size=1,
            max_size=settings.bot_job_pool_size,
            kwargs={"application_name": application_name("letterbot-jobs")},
        )
        self.app = procrastinate.App(connector=self.connector)
        for task in TASKS:
            self._register(task)
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False
        self._ended: dict[int, tuple[int | None, float]] = {}  # job id: its worker, when it returned here

    def _register(self, task: Task) -> None:
        async def job(context: JobContext, timestamp: int) -> None:  # and the period's moment
            try:
                await task.run(self.run)
            finally:
                if context.job.id is not None:
                    self._ended[context.job.id] = (context.job.worker_id, time.monotonic())

        name = f"letterbot.{task.name}"
        defined = self.app.task(name=name, lock=task.lock, queueing_lock=name, pass_context=True)(job)
        self.app.periodic(cron=task.cron, periodic_id=task.name)(defined)

    async def recover_stalled(self) -> int:
        """Give the jobs of workers that stopped beating back to the queue; how many were. When a later
        job of the same task waits already (its queueing lock allows one), the stalled one is dropped
        instead: the waiting one does the same work, as every task looks at what the database holds now.

        Every runner does this; a transaction's advisory lock lets one at a time look and act, so no
        runner gives back a job another one gave back and a worker took meanwhile (retry_job changes
        any row "doing"). A runner that finds the lock taken skips its round."""
        manager, given = self.app.job_manager, 0
        async with self.connector.pool.connection() as connection:  # the lock ends with its transaction
            row = await (await connection.execute("SELECT pg_try_advisory_xact_lock(%s)", (RECOVER_LOCK,))).fetchone()
            if row is None or not row[0]:
                return 0
            for job in await manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_SECONDS):
                try:
                    await manager.retry_job(job)
                except exceptions.UniqueViolation:
                    await manager.finish_job(job, status=Status.FAILED, delete_job=True)
                except exceptions.ConnectorException:  # no longer "doing": it ended meanwhile
                    continue
                given += 1
                log.warning("the job of a worker that stopped beating was given back: %s", job.task_name)
            await manager.prune_stalled_workers(STALLED_SECONDS)
        return given

    async def finish_orphans(self) -> int:
        """Finish the jobs that ended here ORPHAN_SECONDS ago or more and still say "doing" (procrastinate
        could not record their end: the connection was cut at that moment); how many there were. A job
        given back meanwhile (this process was paused past STALLED_SECONDS) and taken by another worker
        runs there under that worker's id, and is left alone."""
        now = time.monotonic()
        old = {job_id: worker for job_id, (worker, ended) in self._ended.items() if now - ended >= ORPHAN_SECONDS}
        if not old:
            return 0
        async with self.connector.pool.connection() as connection:
            query = "SELECT id, worker_id FROM procrastinate_jobs WHERE id = ANY(%s) AND status = 'doing'"
            rows = await (await connection.execute(query, (list(old),))).fetchall()
        orphans = [job_id for job_id, worker in rows if worker is not None and worker == old[job_id]]
        for job_id in orphans:
            await self.app.job_manager.finish_job_by_id_async(job_id, status=Status.FAILED, delete_job=True)
            log.warning("a job that ended here was still marked running: finished it")
        for job_id in old:
            del self._ended[job_id]
        return len(orphans)

    async def start(self) -> None:
        if self._stopping:
            return
        await self.app.open_async()
        self._tasks = [
            asyncio.create_task(self._keep_working(), name="procrastinate worker"),
            asyncio.create_task(self._keep_recovering(), name="stalled jobs"),
        ]

    async def _keep_working(self) -> None:
        """Run procrastinate's worker; when it stops on a failure, log why and start it again, after
        a backoff (1 s doubling to 30 s, back to 1 s after a worker that ran a minute), until a stop
        cancels this task (procrastinate then stops its worker gracefully)."""
        loop = asyncio.get_running_loop()
        delay = FIRST_RESTART_SECONDS
        while True:
            began = loop.time()
            metrics.job_worker_up.set(1)
            try:
                await self.app.run_worker_async(
                    name=f"letterbot-{socket.gethostname()}-{os.getpid()}",
                    concurrency=CONCURRENCY,
                    install_signal_handlers=False,  # the bot's own (PTB's, or the web server's) stop it
                    delete_jobs="always",  # periodic work: a failure is logged, a row for it would only pile up
                    update_heartbeat_interval=HEARTBEAT_SECONDS,
                    stalled_worker_timeout=STALLED_SECONDS,
                    shutdown_graceful_timeout=STOP_SECONDS,
                )
                reason = "a side task failed"  # procrastinate logged which, with its error
            except Exception as exc:  # noqa: BLE001  # any: restart; log its class (not text)
                reason = type(exc).__name__
            finally:
                metrics.job_worker_up.set(0)
            if loop.time() - began >= HEALTHY_SECONDS:
                delay = FIRST_RESTART_SECONDS
            log.warning("the job worker stopped (%s): restarting it in %.0f s", reason, delay)
            metrics.job_worker_restarts.inc()
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_RESTART_SECONDS)

    async def _keep_recovering(self) -> None:
        while True:
            try:
                await self.recover_stalled()
                await self.finish_orphans()
            except Exception as exc:  # noqa: BLE001  # the database away: the next round tries again
                log.warning("stalled jobs could not be looked for (%s)", type(exc).__name__)
            await asyncio.sleep(RECOVER_SECONDS)

    async def wait(self) -> None:
        """Until the runner is stopped (the worker itself is restarted whenever it stops on a failure)."""
        if self._tasks:
            await asyncio.wait(self._tasks)

    def begin_stop(self) -> None:
        """Begin a stop at once, e.g. on SIGTERM while the web server still answers: a round under way
        ends its chunk, no new job starts, and the worker stops (waiting up to STOP_SECONDS for jobs
        under way). Idempotent, from any coroutine of the bot's loop; `stop` then waits for the end."""
        self._stopping = True
        self.run.stopping.set()
        for task in self._tasks:
            task.cancel()  # procrastinate stops its worker gracefully when its task is cancelled

    async def stop(self) -> None:
        """Stop (`begin_stop`), wait for the worker, then close the pool: at most about
        STOP_SECONDS + STOP_MARGIN_SECONDS and the pool's close. Idempotent."""
        self.begin_stop()
        tasks, self._tasks = self._tasks, []
        if tasks:
            await asyncio.wait(tasks, timeout=STOP_SECONDS + STOP_MARGIN_SECONDS)
        await self.app.close_async()  # nothing to do if it was never opened


__all__ = ["ProcrastinateRunner", "conninfo"]
