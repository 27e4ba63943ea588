"""The runner for SQLite (one process): PTB's JobQueue, started and stopped with the application."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackContext

from bot import jobs
from bot.scheduling.tasks import TASKS, Task


class JobQueueRunner:
    """Each task on `run_repeating`, at most one run of it at a time (`max_instances`), a late run
    made up once (`coalesce`) and not silently skipped (APScheduler drops a run more than a second
    late unless given a grace time)."""

    def __init__(self, application: Application[Any, Any, Any, Any, Any, Any], run: jobs.Runtime) -> None:
        self.run = run
        queue = application.job_queue
        assert queue is not None, "python-telegram-bot[job-queue] is a dependency"
        for task in TASKS:
            queue.run_repeating(
                self._callback(task), interval=task.every, first=task.first, name=task.name,
                job_kwargs={"misfire_grace_time": task.every, "max_instances": 1, "coalesce": True},
            )  # fmt: skip

    def _callback(self, task: Task) -> Any:
        async def callback(_context: CallbackContext[Any, Any, Any, Any]) -> None:
            await task.run(self.run)

        callback.__name__ = task.name
        return callback

    async def start(self) -> None:
        """Nothing to do: the application starts its JobQueue."""

    def begin_stop(self) -> None:
        """Ask a round under way to end its chunk, and rounds to come to end at once."""
        self.run.stopping.set()

    async def stop(self) -> None:
        """`begin_stop`; the application stops its JobQueue."""
        self.begin_stop()
