"""Scheduled work: what is due lives in the database, and a periodic sweep finds it, so a restart
neither loses nor repeats anything (TECH-NOTES: never one scheduled job per reminder)."""

from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Any

from telegram import Bot
from telegram.ext import Application, CallbackContext

from bot.clock import system_clock
from bot.delivery import sender
from bot.delivery.pacer import Pacer
from bot.deps import Deps
from bot.handlers import broadcast_message, broadcast_progress, reminder_digest
from bot.services import broadcasts, draft_checks, holds, letters, reminders

log = logging.getLogger(__name__)
SWEEP_SECONDS = 600
REMINDER_SECONDS = 300  # the reminder sweep and delivery: often enough to catch each window early
PACER_KEY = "pacer"
SWEPT_KEY = "reminders-made-on"
DELIVERY_BUDGET = REMINDER_SECONDS - 60.0
DELIVER_SECONDS = 5  # the outbox is looked at this often: a broadcast begins within seconds of its confirmation
DELIVER_BUDGET = 60.0  # a round sends for at most this long, then the next goes on (a stop waits for one round)
PAID_PACER_KEY = "paid-pacer"


async def expire_holds(context: CallbackContext[Any, Any, Any, Any]) -> None:
    """Release holds whose time ran out, and delete what is kept no longer than /privacy says."""
    deps: Deps = context.application.bot_data["deps"]
    async with deps.db.transaction() as session:
        expired = await holds.expire(session, deps.clock())
        old_letters = await letters.expire(session, deps.today())
        await draft_checks.prune(session, deps.clock())
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


async def deliver_tick(context: CallbackContext[Any, Any, Any, Any]) -> None:
    """Every few seconds: whatever the outbox holds (broadcasts, and reminders queued by their job)."""
    deps: Deps = context.application.bot_data["deps"]
    pacer = context.application.bot_data.setdefault(PACER_KEY, pacer_for(deps))
    paid = (
        context.application.bot_data.setdefault(PAID_PACER_KEY, pacer_for(deps, paid=True))
        if deps.settings.bot_paid_broadcast
        else None
    )
    await sender.deliver_due(deps, context.bot, pacer, purposes(), budget=DELIVER_BUDGET, paid_pacer=paid)


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
    (unless `send` is off). The scheduled job and `letterbot reminders due` both run this. Expiry and
    pruning run only on the real clock (`at` not given): a look at another moment must not expire or
    delete anything now."""
    now = at or deps.clock()
    local = now.astimezone(deps.settings.timezone)
    real = at is None
    if real:  # (rows a stopped sender left are taken up by the next sender itself, under its lock)
        async with deps.db.transaction() as session:
            await sender.prune(session, now)
    stats = await reminders.sweep(deps.db, now, local.date(), local, make=make, expire=real)
    delivered = (
        await sender.deliver_due(deps, bot, pacer, purposes(), budget=budget) if send and bot is not None else None
    )
    made = sum(stats.made.values())
    if made or stats.digests or stats.expired:
        log.info("reminders: %d new, %d expired, %d messages queued", made, stats.expired, stats.digests)
    return stats, delivered


async def reminders_tick(context: CallbackContext[Any, Any, Any, Any]) -> None:
    """Every few minutes: the day's digests in their windows, and delivery. What is due is worked out
    once a day (the first tick of the day, and after a start): it changes by the day."""
    deps: Deps = context.application.bot_data["deps"]
    pacer = context.application.bot_data.setdefault(PACER_KEY, pacer_for(deps))
    today = deps.today()
    make = context.application.bot_data.get(SWEPT_KEY) != today
    # A round delivers for a few minutes at most, the next goes on: a stop (a deploy) waits for the job
    # running, and 20,000 messages at 25 a second would hold it for 13 minutes.
    await run_reminders(deps, context.bot, pacer, make=make, budget=DELIVERY_BUDGET)
    context.application.bot_data[SWEPT_KEY] = today


def schedule(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    assert application.job_queue is not None
    # misfire_grace_time: APScheduler silently skips a run that is more than a second late otherwise.
    application.job_queue.run_repeating(
        expire_holds, interval=SWEEP_SECONDS, first=60, name="expire-holds", job_kwargs={"misfire_grace_time": 300}
    )
    application.job_queue.run_repeating(
        deliver_tick, interval=DELIVER_SECONDS, first=5, name="deliver",
        job_kwargs={"misfire_grace_time": DELIVER_SECONDS, "max_instances": 1, "coalesce": True},
    )  # fmt: skip
    application.job_queue.run_repeating(
        broadcast_progress.refresh, interval=broadcast_progress.PROGRESS_SECONDS, first=3, name="progress",
        job_kwargs={"misfire_grace_time": 5, "max_instances": 1, "coalesce": True},
    )  # fmt: skip
    application.job_queue.run_repeating(
        reminders_tick, interval=REMINDER_SECONDS, first=30, name="reminders",
        job_kwargs={"misfire_grace_time": REMINDER_SECONDS, "max_instances": 1, "coalesce": True},
    )  # fmt: skip
