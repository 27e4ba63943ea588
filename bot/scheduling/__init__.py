"""Scheduled and background work, one interface and two runners chosen by the database URL.

The tasks (`tasks.TASKS`, functions of bot/jobs.py) are written once. On SQLite (one process) PTB's
JobQueue runs them (`JobQueueRunner`); on PostgreSQL, where several replicas may run, procrastinate
does (`ProcrastinateRunner`): each period's run is deferred once whatever the number of replicas, a
job lock lets one run of a task at a time across them, and the run of a replica that died is retried
by another. See the README's "Scheduled work".
"""

from __future__ import annotations

from typing import Any, Protocol

from telegram.ext import Application

from bot import jobs

KEY = "scheduler"


class Scheduler(Protocol):
    """Started once the bot can talk to Telegram, stopped before it stops being able to."""

    async def start(self) -> None: ...

    def begin_stop(self) -> None:
        """Begin stopping at once (no new round starts; a round under way ends its chunk): idempotent,
        for a server that still answers requests a while before it calls `stop` (on SIGTERM)."""

    async def stop(self) -> None: ...


def install(application: Application[Any, Any, Any, Any, Any, Any]) -> Scheduler:
    """Choose the runner for the application's database, attach it, and return it."""
    run = jobs.runtime(application)
    scheduler: Scheduler
    if run.deps.settings.database_url.startswith("postgresql"):
        from bot.scheduling.queue import ProcrastinateRunner

        scheduler = ProcrastinateRunner(run)
    else:
        from bot.scheduling.jobqueue import JobQueueRunner

        scheduler = JobQueueRunner(application, run)
    application.bot_data[KEY] = scheduler
    return scheduler


def of(application: Application[Any, Any, Any, Any, Any, Any]) -> Scheduler | None:
    """The application's runner; None when it was built unscheduled (tests run each task themselves)."""
    found: Scheduler | None = application.bot_data.get(KEY)
    return found
