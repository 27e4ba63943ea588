"""The scheduled tasks, listed once for both runners: what runs, how often, and under which lock."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot import jobs

SENDER_LOCK = "letterbot-sender"  # one sender at a time across the fleet: it paces and recovers alone

# A job lock is not airtight: a worker paused past STALLED_SECONDS (bot/scheduling/queue.py) has its job
# given back and run again, and when the paused one wakes up and finishes, procrastinate deletes the
# retried copy, freeing the lock while that copy still runs, so two runs of a task may overlap. Each task
# bears it: `deliver` sends under the sender's own advisory lock (bot/delivery/claims.py); `reminders`
# writes each reminder under its unique key (ON CONFLICT DO NOTHING, bot/services/reminders.py);
# `progress` edits a message to the figures of the moment: two runs edit it twice, and at worst (their
# edits and records crossing) it shows figures seconds old until they next change, which no lock is worth;
# `expire-holds` deletes and releases what is past its time, the same rows whichever run comes first.


@dataclass(frozen=True)
class Task:
    name: str
    run: Callable[[jobs.Runtime], Awaitable[object]]
    every: int  # seconds; a divisor of a minute, or whole minutes dividing an hour (a cron step)
    first: int  # seconds after a start, for the JobQueue (procrastinate keeps to the clock's steps)
    lock: str  # procrastinate's job lock: one run of the task at a time, whichever replica

    @property
    def cron(self) -> str:
        """The period as procrastinate's cron (a sixth field is seconds)."""
        if self.every < 60 and 60 % self.every == 0:
            return f"* * * * * */{self.every}"
        minutes, rest = divmod(self.every, 60)
        if rest or 60 % minutes:
            raise ValueError(f"{self.name}: a period of {self.every} s is no cron step")
        return f"*/{minutes} * * * *"


async def _expire_holds(run: jobs.Runtime) -> None:
    await jobs.expire_holds(run.deps)


TASKS = (
    Task("expire-holds", _expire_holds, jobs.SWEEP_SECONDS, 60, "letterbot-expire-holds"),
    Task("deliver", jobs.deliver, jobs.DELIVER_SECONDS, 5, SENDER_LOCK),
    Task("progress", jobs.progress, jobs.PROGRESS_SECONDS, 3, "letterbot-progress"),
    Task("reminders", jobs.reminders_tick, jobs.REMINDER_SECONDS, 30, "letterbot-reminders"),
)
