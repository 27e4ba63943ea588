"""An update posted to the webhook, handled inside the request: Telegram gets its 200 only afterwards.

Telegram sends a chat's next update only once the request for the previous one has returned, and sends
again what was not answered 2xx. Handling inside the request therefore keeps each chat's updates in
order across any number of replicas, and a replica that dies mid-update has it redelivered.

Before handling, the update is claimed in the database (bot/services/processed_updates.py), across
replicas: a redelivery that arrives while the first delivery is still being handled (the proxy or
Telegram timed out waiting) is answered 503 and not handled a second time; one that arrives after it
was handled is answered 200 at once.

The update still goes through the application's `PerUserUpdateProcessor`, as in polling mode: one
user's updates one at a time, a cap on updates in flight, a flood dropped. A dropped update is answered
503, its claim given back, so Telegram delivers it again later instead of it being lost.

A handler that failed (PTB hands its error to bot/handlers/errors.py, which apologises and notes it)
had its transaction rolled back: the update is answered 500 and its claim given back, so Telegram
delivers it again. An update failing again and again is a bug, not bad luck: after FAILURES_ALLOWED
failures on this replica it is recorded as processed and answered 200, so it is not redelivered for a
day (the bot keeps running whatever users send).
"""

from __future__ import annotations

import enum
import logging
from collections import OrderedDict
from datetime import datetime
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.deps import Deps
from bot.handlers import common, errors
from bot.services import processed_updates
from bot.services.processed_updates import Claim

log = logging.getLogger(__name__)
FAILURES_ALLOWED = 3  # failed handlings of one update before it is given up (recorded, answered 200)
FAILURES_REMEMBERED = 1000  # updates whose failures are counted at once (the oldest is forgotten first)


class Outcome(enum.Enum):
    HANDLED = "handled"
    REPEATED = "repeated"  # processed before: answered 200 without handling it again
    BUSY = "busy"  # not handled now (a flood from its sender, or being handled already): deliver again
    FAILED = "failed"  # its handler failed and nothing of it was kept: deliver again
    GIVEN_UP = "given_up"  # failed FAILURES_ALLOWED times: recorded as processed, not to be delivered again


class Intake:
    def __init__(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        self.application = application
        self._failures: OrderedDict[int, int] = OrderedDict()  # update_id -> failed handlings on this replica

    @property
    def deps(self) -> Deps:
        deps: Deps = self.application.bot_data[common.DEPS_KEY]
        return deps

    async def handle(self, update: Update) -> Outcome:
        deps = self.deps
        update_id = update.update_id
        claimed_at = deps.clock()
        async with deps.db.transaction() as session:
            claim = await processed_updates.claim(session, update_id, claimed_at)
        if claim is Claim.DONE:
            return Outcome.REPEATED
        if claim is Claim.TAKEN:
            return Outcome.BUSY
        try:
            outcome = await self._handle(update)
        except BaseException:
            await self._release(update_id, claimed_at)
            raise
        if outcome is Outcome.HANDLED or outcome is Outcome.GIVEN_UP:
            async with deps.db.transaction() as session:
                await processed_updates.finish(session, update_id, claimed_at, deps.clock())
        else:
            await self._release(update_id, claimed_at)
        return outcome

    async def _handle(self, update: Update) -> Outcome:
        ran = False
        failures: list[str] = []

        async def process() -> None:
            nonlocal ran
            ran = True
            token = errors.failures.set(failures)
            try:
                # Errors of handlers go to the error handler (an apology), which notes them in `failures`.
                await self.application.process_update(update)
            finally:
                errors.failures.reset(token)

        await self.application.update_processor.process_update(update, process())
        if not ran:
            return Outcome.BUSY
        if not failures:
            self._failures.pop(update.update_id, None)
            return Outcome.HANDLED
        count = self._failures.pop(update.update_id, 0) + 1
        if count >= FAILURES_ALLOWED:
            log.warning(
                "update %d failed %d times (%s): recorded as processed, not delivered again",
                update.update_id, count, failures[-1],
            )  # fmt: skip
            return Outcome.GIVEN_UP
        self._failures[update.update_id] = count
        while len(self._failures) > FAILURES_REMEMBERED:
            self._failures.popitem(last=False)
        return Outcome.FAILED

    async def _release(self, update_id: int, claimed_at: datetime) -> None:
        deps = self.deps
        async with deps.db.transaction() as session:
            await processed_updates.release(session, update_id, claimed_at)
