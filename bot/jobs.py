"""Scheduled work: what is due lives in the database, and a periodic sweep finds it, so a restart
neither loses nor repeats anything."""

from __future__ import annotations

import logging
from typing import Any

from telegram.ext import Application, CallbackContext

from bot.deps import Deps
from bot.services import holds, letters

log = logging.getLogger(__name__)
SWEEP_SECONDS = 600


async def expire_holds(context: CallbackContext[Any, Any, Any, Any]) -> None:
    """Release holds whose time ran out, and delete what is kept no longer than /privacy says."""
    deps: Deps = context.application.bot_data["deps"]
    async with deps.db.transaction() as session:
        expired = await holds.expire(session, deps.clock())
        old_letters = await letters.expire(session, deps.today())
    if expired or old_letters:
        log.info("released %d expired holds, deleted %d letter rows past their keeping time", expired, old_letters)


def schedule(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    assert application.job_queue is not None
    # misfire_grace_time: APScheduler silently skips a run that is more than a second late otherwise.
    application.job_queue.run_repeating(
        expire_holds, interval=SWEEP_SECONDS, first=60, name="expire-holds", job_kwargs={"misfire_grace_time": 300}
    )
