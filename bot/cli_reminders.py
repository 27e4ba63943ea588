"""`letterbot reminders due [--at DATETIME] [--send]`: what is due at a moment, counted by kind, and,
with --send, delivered through the Bot API the settings name. The same code path as the scheduled job
(bot/jobs.run_reminders): what it writes, the job would have written too. Prints nothing personal."""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime
from typing import Any

from bot.clock import system_clock
from bot.config import ConfigError, Settings


def add_parser(commands: Any) -> None:
    reminders = commands.add_parser("reminders", help="reminders: what is due, and sending it").add_subparsers(
        dest="reminders_command", required=True, metavar="ACTION"
    )
    due = reminders.add_parser("due", help="what is due at a moment, counted by kind; --send delivers it")
    due.add_argument("--at", default=None, metavar="DATETIME",
                     help="ISO date-time, in BOT_TIMEZONE unless it has an offset (default: now)")  # fmt: skip
    due.add_argument("--send", action="store_true", help="deliver what is due through the Bot API")


def moment(text: str | None, settings: Settings) -> datetime:
    if text is None:
        return datetime.now(UTC)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"--at: {text!r} is not an ISO date-time such as 2026-05-01T19:00") from None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=settings.timezone)).astimezone(UTC)


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.send and args.at is not None:
        raise ConfigError("--send delivers what is due now: leave out --at")
    at = moment(args.at, settings)
    stats, counts, delivered = asyncio.run(_due(settings, at, send=args.send, real=args.at is None))
    local = at.astimezone(settings.timezone)
    print(f"at {local:%Y-%m-%d %H:%M} ({settings.bot_timezone}): {sum(stats.made.values())} new reminders")
    for kind, count in sorted(counts.items()):
        print(f"  {kind}: {count} due")
    print(f"messages queued now: {stats.digests}")
    if delivered is not None:
        outcomes = ", ".join(f"{outcome.value} {count}" for outcome, count in sorted(delivered.counts.items()))
        print(f"delivered: {outcomes or 'nothing'}")
    return 0


async def _due(settings: Settings, at: datetime, *, send: bool, real: bool) -> tuple[Any, dict[str, int], Any]:
    from bot import jobs
    from bot.app import build_application, make_deps
    from bot.services import reminders

    clock = system_clock if real else (lambda: at)
    if send:
        application = build_application(settings, clock=clock, scheduled=False)  # one round, run here
        await application.initialize()
        deps = application.bot_data["deps"]
        bot = application.bot
    else:
        application, deps, bot = None, make_deps(settings, clock=clock), None
    try:
        stats, delivered = await jobs.run_reminders(deps, bot, jobs.pacer_for(deps), at=None if real else at, send=send)
        async with deps.db.transaction() as session:
            local = at.astimezone(settings.timezone)
            counts = await reminders.due_counts(session, local.date())
    finally:
        if application is not None:
            await application.shutdown()
        await deps.db.dispose()
    return stats, counts, delivered
