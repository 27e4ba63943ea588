"""Scheduled work, one interface and two runners: on SQLite PTB's JobQueue runs the tasks; on
PostgreSQL procrastinate does, for any number of replicas (here two runners in one process, each with
its own procrastinate App and pool, as two replicas would have): a period's job is deferred once,
one sender runs at a time, and the job of a worker that stopped beating is given to another."""

from __future__ import annotations

import asyncio
import importlib.util
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from procrastinate import periodic
from procrastinate.jobs import Status
from procrastinate.schema import SchemaManager
from sqlalchemy import text

from bot import MIGRATIONS_DIR, jobs, metrics, scheduling
from bot.app import build_application
from bot.db import Database
from bot.sandbox.http import api_server
from bot.sandbox.telegram import EmulatedTelegram
from bot.scheduling import queue
from bot.scheduling.jobqueue import JobQueueRunner
from bot.scheduling.queue import ProcrastinateRunner, conninfo
from bot.scheduling.tasks import SENDER_LOCK, TASKS
from tests import queued_work
from tests.harness import TOKEN, FakeClock, make_settings

DELIVER = "letterbot.deliver"


def test_each_task_once_with_the_periods_of_the_jobs() -> None:
    periods = {task.name: task.every for task in TASKS}
    assert periods == {
        "expire-holds": jobs.SWEEP_SECONDS, "deliver": jobs.DELIVER_SECONDS, "progress": jobs.PROGRESS_SECONDS,
        "reminders": jobs.REMINDER_SECONDS,
    }  # fmt: skip
    assert {task.name: task.cron for task in TASKS} == {
        "expire-holds": "*/10 * * * *", "deliver": "* * * * * */5", "progress": "* * * * * */5",
        "reminders": "*/5 * * * *",
    }  # fmt: skip
    assert [task.lock for task in TASKS].count(SENDER_LOCK) == 1
    assert len({task.lock for task in TASKS}) == len(TASKS)  # one task never waits for another's lock


def test_conninfo_for_psycopg() -> None:
    assert conninfo("postgresql+asyncpg://bot:p%40ss@db:5432/letters") == "postgresql://bot:p%40ss@db:5432/letters"
    assert conninfo("postgresql+asyncpg://bot@db/letters?ssl=require") == "postgresql://bot@db/letters?sslmode=require"


def test_migration_0008_applies_the_schema_of_the_installed_procrastinate() -> None:
    """A procrastinate whose schema changed needs a migration of ours applying its migrations."""
    path = MIGRATIONS_DIR / "versions" / "0008_procrastinate_job_queue.py"
    spec = importlib.util.spec_from_file_location("migration_0008", path)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    newest = max(p.stem for p in Path(SchemaManager.get_migrations_path()).glob("*.sql"))
    assert newest == migration.SCHEMA, "procrastinate's schema changed: add a migration applying its migrations"


async def test_on_sqlite_the_jobqueue_runs_the_same_tasks(tmp_path: Path) -> None:
    settings = make_settings(f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}", 9)
    application = build_application(settings)
    try:
        assert isinstance(scheduling.of(application), JobQueueRunner)
        assert application.job_queue is not None
        scheduled = {job.name: job.job.trigger.interval.total_seconds() for job in application.job_queue.jobs()}
        assert scheduled == {task.name: task.every for task in TASKS}
        assert scheduling.of(build_application(settings, scheduled=False)) is None
    finally:
        await application.bot_data["deps"].db.dispose()


class Replicas:
    """Two applications on one PostgreSQL database and one emulated Telegram, each with its runner."""

    def __init__(self, url: str) -> None:
        self.clock = FakeClock()
        self.telegram = EmulatedTelegram(TOKEN, clock=self.clock.monotonic)
        self.server = api_server(self.telegram)
        settings = make_settings(url, self.server.start())
        self.applications = [build_application(settings, clock=self.clock.utc, sleep=self.clock.sleep) for _ in "ab"]
        self.database: Database = self.applications[0].bot_data["deps"].db

    @property
    def runners(self) -> list[ProcrastinateRunner]:
        found = [scheduling.of(application) for application in self.applications]
        assert all(isinstance(runner, ProcrastinateRunner) for runner in found)
        return found  # type: ignore[return-value]

    async def rows(self, sql: str, **params: Any) -> list[Any]:
        async with self.database.transaction() as session:
            result = await session.exec(text(sql), params=params)  # type: ignore[call-overload]
            return list(result.all()) if result.returns_rows else []

    async def close(self) -> None:
        for application in self.applications:
            await application.post_shutdown(application)  # type: ignore[misc]
            if application._initialized:
                await application.shutdown()
        await self.server.stop()


@pytest.fixture
async def replicas(postgres_url: str) -> AsyncIterator[Replicas]:
    made = Replicas(postgres_url)
    try:
        yield made
    finally:
        await made.close()


async def defer_due(runner: ProcrastinateRunner, at: float) -> None:
    """What a worker's periodic deferrer does at `at`: offer every periodic task's latest period."""
    deferrer = periodic.PeriodicDeferrer(registry=runner.app.periodic_registry)
    await deferrer.defer_jobs(deferrer.get_previous_tasks(at=at))


@pytest.mark.postgres
async def test_a_period_is_deferred_once_whatever_the_number_of_replicas(replicas: Replicas) -> None:
    for runner in replicas.runners:
        await runner.app.open_async()
    at = time.time()
    for runner in replicas.runners * 2:  # both replicas' deferrers, twice each, at the same moment
        await defer_due(runner, at)
    deferred = Counter(name for (name,) in await replicas.rows("SELECT task_name FROM procrastinate_jobs"))
    assert deferred == {f"letterbot.{task.name}": 1 for task in TASKS}
    # Five seconds on, the deliver job has not run: the queueing lock keeps one waiting, not two.
    for runner in replicas.runners:
        await defer_due(runner, at + 5)
    waiting = await replicas.rows("SELECT count(*) FROM procrastinate_jobs WHERE task_name = :name", name=DELIVER)
    assert waiting == [(1,)]


@pytest.mark.postgres
async def test_the_sender_lock_lets_one_deliver_job_run_and_a_stalled_one_is_retried(replicas: Replicas) -> None:
    first, second = replicas.runners
    for runner in (first, second):
        await runner.app.open_async()
    manager = first.app.job_manager
    at = time.time()
    await defer_due(first, at)
    dead, alive = await manager.register_worker(), await second.app.job_manager.register_worker()
    running = await manager.fetch_job(queues=None, worker_id=dead)  # the first job fetched: the oldest
    taken = [running]
    while taken[-1] is not None and taken[-1].task_name != DELIVER:
        taken.append(await manager.fetch_job(queues=None, worker_id=dead))
    assert taken[-1] is not None and taken[-1].task_name == DELIVER
    stalled = taken[-1]
    await defer_due(second, at + 5)  # the next period's deliver job waits behind the lock
    while (other := await second.app.job_manager.fetch_job(queues=None, worker_id=alive)) is not None:
        assert other.task_name != DELIVER  # the lock holds it back
        await second.app.job_manager.finish_job(other, status=Status.SUCCEEDED, delete_job=True)

    # The first worker dies: no heartbeat since. Its jobs go back (the deliver one is dropped for the
    # one waiting, which does the same work), and the other worker takes the deliver job.
    await replicas.rows("UPDATE procrastinate_workers SET last_heartbeat = now() - interval '1 minute' WHERE id = :id",
                        id=dead)  # fmt: skip
    await replicas.rows("UPDATE procrastinate_workers SET last_heartbeat = now() WHERE id = :id", id=alive)
    assert await second.recover_stalled() == len(taken)
    doing = await replicas.rows("SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing'")
    assert doing == [(0,)]
    fetched = []
    while (job := await second.app.job_manager.fetch_job(queues=None, worker_id=alive)) is not None:
        fetched.append(job.task_name)
    assert sorted(fetched) == sorted(job.task_name for job in taken if job is not None)  # every one retried
    assert (await replicas.rows("SELECT id FROM procrastinate_jobs WHERE id = :id", id=stalled.id)) == []
    assert await replicas.rows("SELECT count(*) FROM procrastinate_workers") == [(1,)]  # the dead one pruned


@pytest.mark.postgres
async def test_two_running_workers_deliver_a_broadcast_once_with_one_sender_at_a_time(replicas: Replicas) -> None:
    recipients, first_user = 60, 700_000
    now = replicas.clock.utc()
    await queued_work.add_supporters(replicas.database, range(1, recipients + 1), first_user, now)
    for n in range(1, recipients + 1):
        replicas.telegram.add_user(first_user + n, f"Reader {n}")
    await queued_work.queue_broadcast(replicas.database, 1, recipients, now)
    chats = [replicas.telegram.state.chat(first_user + n) for n in range(1, recipients + 1)]
    senders_seen: list[int] = []
    done = asyncio.Event()

    async def watch() -> None:  # how many deliver jobs run at once, as often as the database answers
        while not done.is_set():
            (count,), = await replicas.rows(
                "SELECT count(*) FROM procrastinate_jobs WHERE task_name = :name AND status = 'doing'", name=DELIVER
            )  # fmt: skip
            senders_seen.append(count)
            await asyncio.sleep(0.02)

    for application in replicas.applications:
        await application.initialize()
        await application.post_init(application)  # type: ignore[misc]  # starts the runner
    watcher = asyncio.create_task(watch())
    try:
        await asyncio.wait_for(asyncio.gather(*(chat.answered.wait() for chat in chats)), timeout=60)
        workers = await replicas.rows("SELECT count(*) FROM procrastinate_workers")
    finally:
        done.set()
        await watcher
    assert workers == [(2,)]
    assert max(senders_seen) <= 1 and 1 in senders_seen
    sent = Counter(
        int(call.params["chat_id"])
        for call in replicas.telegram.state.calls
        if call.method == "sendMessage" and call.ok and queued_work.BROADCAST_TEXT in str(call.params.get("text"))
    )
    assert sent == {first_user + n: 1 for n in range(1, recipients + 1)}


async def until(condition: Any, within: float = 60) -> None:
    """Poll: the worker runs on the real clock (procrastinate's heartbeats and polls), nothing to await."""
    deadline = time.monotonic() + within
    while not await condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.1)


async def deliver_a_broadcast(replicas: Replicas, recipients: int, first_user: int) -> None:
    """Queue a broadcast and wait until everyone has it: proof that a deliver job ran."""
    now = replicas.clock.utc()
    await queued_work.add_supporters(replicas.database, range(1, recipients + 1), first_user, now)
    for n in range(1, recipients + 1):
        replicas.telegram.add_user(first_user + n, f"Reader {n}")
    await queued_work.queue_broadcast(replicas.database, 1, recipients, now)
    chats = [replicas.telegram.state.chat(first_user + n) for n in range(1, recipients + 1)]
    await asyncio.wait_for(asyncio.gather(*(chat.answered.wait() for chat in chats)), timeout=60)


@pytest.mark.postgres
async def test_scheduled_work_goes_on_after_every_connection_of_the_job_engine_is_cut(replicas: Replicas) -> None:
    """A PostgreSQL restart, as the job engine sees it: every connection of its pool cut at once.
    Depending on what each connection was doing at that moment, procrastinate ends the worker (a side
    task failed: the runner starts a new one) or the worker lives on but could not record that a job
    ended (that job still says "doing" and holds its task's lock: the runner finishes it). Either way
    the next broadcast is delivered and the worker is up."""
    application = replicas.applications[0]
    await application.initialize()
    await application.post_init(application)  # type: ignore[misc]  # starts the runner

    async def registered() -> list[int]:
        return [worker for (worker,) in await replicas.rows("SELECT id FROM procrastinate_workers")]

    async def one_worker() -> bool:
        return len(await registered()) == 1

    await until(one_worker)
    restarts = metrics.job_worker_restarts._value.get()
    await replicas.rows(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE datname = current_database() AND application_name LIKE 'letterbot-jobs %'"
    )
    await deliver_a_broadcast(replicas, 5, 710_000)
    assert metrics.job_worker_up._value.get() == 1
    assert metrics.job_worker_restarts._value.get() >= restarts


@pytest.mark.postgres
async def test_a_job_that_ended_here_but_still_says_doing_is_finished(replicas: Replicas) -> None:
    """Its end was not recorded (the connection was cut at that moment) while the worker lives on: it
    would hold its task's lock for good. A job given back and taken by another worker is left alone."""
    runner = replicas.runners[0]
    await runner.app.open_async()
    manager = runner.app.job_manager
    await defer_due(runner, time.time())
    here, elsewhere = await manager.register_worker(), await manager.register_worker()
    mine = await manager.fetch_job(queues=None, worker_id=here)
    theirs = await manager.fetch_job(queues=None, worker_id=elsewhere)
    assert mine is not None and mine.id is not None and theirs is not None and theirs.id is not None
    assert mine.worker_id == here
    long_ago = time.monotonic() - queue.ORPHAN_SECONDS - 1
    runner._ended[mine.id] = (here, long_ago)
    runner._ended[theirs.id] = (here, long_ago)  # it ended here, was given back, and runs there now
    assert await runner.finish_orphans() == 1
    doing = await replicas.rows("SELECT id FROM procrastinate_jobs WHERE status = 'doing'")
    assert (mine.id,) not in doing and (theirs.id,) in doing
    assert runner._ended == {}
    assert await runner.finish_orphans() == 0


@pytest.mark.postgres
async def test_a_dead_workers_jobs_are_given_back_by_a_living_runner(replicas: Replicas) -> None:
    """A replica died while its worker ran every due job, the deliver one among them (and, when stalled
    jobs were recovered by a job, that one too, whose lock then held it back for good): the other
    replica's runner gives them back, and its worker delivers."""
    dead_runner, living = replicas.runners
    await dead_runner.app.open_async()
    manager = dead_runner.app.job_manager
    await defer_due(dead_runner, time.time())
    dead = await manager.register_worker()
    held = []
    while (job := await manager.fetch_job(queues=None, worker_id=dead)) is not None:
        held.append(job.task_name)
    assert DELIVER in held
    await replicas.rows("UPDATE procrastinate_workers SET last_heartbeat = now() - interval '1 minute' WHERE id = :id",
                        id=dead)  # fmt: skip
    application = replicas.applications[1]
    await application.initialize()
    await application.post_init(application)  # type: ignore[misc]  # starts the living runner
    await deliver_a_broadcast(replicas, 5, 720_000)
    assert living.run.stopping.is_set() is False


@pytest.mark.postgres
async def test_begin_stop_stops_new_rounds_at_once_and_stop_is_bounded(replicas: Replicas) -> None:
    application = replicas.applications[0]
    await application.initialize()
    await application.post_init(application)  # type: ignore[misc]
    runner = replicas.runners[0]
    runner.begin_stop()
    runner.begin_stop()  # idempotent
    assert runner.run.stopping.is_set()
    began = time.monotonic()
    await runner.stop()
    await runner.stop()
    assert time.monotonic() - began < queue.STOP_SECONDS + queue.STOP_MARGIN_SECONDS + 6
    assert metrics.job_worker_up._value.get() == 0
    assert await replicas.rows("SELECT count(*) FROM procrastinate_workers") == [(0,)]  # unregistered
