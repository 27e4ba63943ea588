"""Scheduled work: what is due lives in the database, and a periodic sweep finds it, so a restart
neither loses nor repeats anything (TECH-NOTES: never one scheduled job per reminder).

The tasks are plain functions of what they need (`Runtime`: deps, the bot, the pacers): whichever
runner calls them (bot/scheduling: PTB's JobQueue on SQLite, procrastinate on PostgreSQL), and the
tests, call the same functions."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from telegram import Bot
from telegram.ext import Application

from bot import metrics
from bot.clock import system_clock
from bot.delivery import sender
from bot.delivery.pacer import Pacer
from bot.deps import Deps
from bot.handlers import broadcast_message, broadcast_progress, reminder_digest
from bot.services import (
    broadcasts,
    draft_checks,
    holds,
    letters,
    pending_imports,
    prisoner_edits,
    processed_updates,
    reminders,
)

log = logging.getLogger(__name__)
SWEEP_SECONDS = 600
REMINDER_SECONDS = 300  # the reminder sweep: often enough to catch each window early
PACER_KEY = "pacer"
RUNTIME_KEY = "jobs"
DELIVER_SECONDS = 5  # the outbox is looked at this often: a broadcast begins within seconds of its confirmation
DELIVER_BUDGET = 60.0  # a round sends for at most this long, then the next goes on (a stop waits for one round)
PROGRESS_SECONDS = int(broadcast_progress.PROGRESS_SECONDS)


@dataclass
class Runtime:
    """What the tasks share between runs in one process: one pacer for all the bot sends on its own
    (its 429 holds must outlive a round), the day the reminders were last worked out, and a stop
    signal a runner sets before it cancels (the sender then ends its chunk and gives the rest back)."""

    deps: Deps
    bot: Bot
    pacer: Pacer
    paid_pacer: Pacer | None = None
    swept_on: date | None = None
    stopping: asyncio.Event = field(default_factory=asyncio.Event)


def runtime(application: Application[Any, Any, Any, Any, Any, Any]) -> Runtime:
    """The application's one Runtime (its pacer shared with the sandbox's reminder button)."""
    found = application.bot_data.get(RUNTIME_KEY)
    if isinstance(found, Runtime):
        return found
    deps: Deps = application.bot_data["deps"]
    pacer = application.bot_data.setdefault(PACER_KEY, pacer_for(deps))
    paid = pacer_for(deps, paid=True) if deps.settings.bot_paid_broadcast else None
    made = application.bot_data[RUNTIME_KEY] = Runtime(deps, application.bot, pacer, paid)
    return made


async def expire_holds(deps: Deps) -> None:
    """Release holds whose time ran out, and delete what is kept no longer than /privacy says."""
    with metrics.sweep("holds"):
        async with deps.db.transaction() as session:
            expired = await holds.expire(session, deps.clock())
            old_letters = await letters.expire(session, deps.today())
            await draft_checks.prune(session, deps.clock())
            await pending_imports.prune(session, deps.clock())
            await prisoner_edits.prune(session, deps.clock())
            await processed_updates.prune(session, deps.clock())
    if expired or old_letters:
        log.info("released %d expired holds, deleted %d letter rows past their keeping time", expired, old_letters)


def purposes() -> dict[str, sender.Purpose]:
    """What the outbox holds, and how each is rendered and told how it went."""
    return {
        reminders.PURPOSE: sender.Purpose(reminders.PURPOSE, reminder_digest.render, reminder_digest.finished),
        broadcasts.PURPOSE: sender.Purpose(
            broadcasts.PURPOSE, broadcast_message.render, broadcasts.finished, resent=broadcasts.resent
        ),
    }


def pacer_for(deps: Deps, *, paid: bool = False) -> Pacer:
    """One pacer for everything the bot sends on its own (another for paid broadcasts, whose limit is
    Telegram's 1,000 a second): on the monotonic clock in production (a wall clock set back would
    stretch a wait, set forward cut a 429's wait short), on the injected one in tests."""
    clock = time.monotonic if deps.clock is system_clock else (lambda: deps.clock().timestamp())
    rate = deps.settings.bot_paid_send_rate if paid else deps.settings.bot_send_rate
    return Pacer(rate, clock=clock, sleep=deps.sleep)


async def deliver(run: Runtime) -> sender.Stats:
    """Every few seconds: whatever the outbox holds (broadcasts, and the reminders' digests), for at
    most DELIVER_BUDGET seconds; the next round goes on."""
    return await sender.deliver_due(
        run.deps, run.bot, run.pacer, purposes(), budget=DELIVER_BUDGET, stop=run.stopping, paid_pacer=run.paid_pacer
    )


async def progress(run: Runtime) -> None:
    """Every few seconds: the progress messages of broadcasts under way."""
    await broadcast_progress.refresh(run.deps, run.bot)


async def run_reminders(
    deps: Deps,
    bot: Bot | None,
    pacer: Pacer,
    *,
    at: datetime | None = None,
    send: bool = True,
    make: bool = True,
    budget: float | None = None,
) -> tuple[reminders.SweepStats, sender.Stats | None]:
    """One round: find what is due (`make`), queue the day's digests in their windows, and deliver them
    (unless `send` is off). `letterbot reminders due` and the sandbox run this; the scheduled task runs
    it without sending (the deliver task sends). Expiry and pruning run only on the real clock (`at`
    not given): a look at another moment must not expire or delete anything now."""
    now = at or deps.clock()
    local = now.astimezone(deps.settings.timezone)
    real = at is None
    if real:  # (rows a stopped sender left are taken up by the next sender itself, under its lock)
        async with deps.db.transaction() as session:
            await sender.prune(session, now)
    with metrics.sweep("reminders"):
        stats = await reminders.sweep(deps.db, now, local.date(), local, make=make, expire=real)
    delivered = (
        await sender.deliver_due(deps, bot, pacer, purposes(), budget=budget) if send and bot is not None else None
    )
    made = sum(stats.made.values())
    if made or stats.digests or stats.expired:
        log.info("reminders: %d new, %d expired, %d messages queued", made, stats.expired, stats.digests)
    return stats, delivered


async def reminders_tick(run: Runtime) -> None:
    """Every few minutes: the day's digests in their windows, queued for the deliver task. What is due
    is worked out once a day per process (the first tick of the day, and after a start): it changes by
    the day, and working it out again is harmless (each reminder is written once under its key)."""
    today = run.deps.today()
    await run_reminders(run.deps, run.bot, run.pacer, make=run.swept_on != today, send=False)
    run.swept_on = today
