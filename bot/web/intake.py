"""An update posted to the webhook, handled inside the request: Telegram gets its 200 only afterwards.

Telegram sends a chat's next update only once the request for the previous one has returned, and sends
again what was not answered 2xx. Handling inside the request therefore keeps each chat's updates in
order across any number of replicas, and a replica that dies mid-update has it redelivered. Repeats
(a 200 lost on the way, a redelivery after a timeout) are recognised by their update_id, recorded once
handled (see bot/services/processed_updates.py for why after, not before).

The update still goes through the application's `PerUserUpdateProcessor`, as in polling mode: one
user's updates one at a time, a cap on updates in flight, a flood dropped. A dropped update is answered
503, unrecorded, so Telegram delivers it again later instead of it being lost.
"""

from __future__ import annotations

import enum
import logging
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.deps import Deps
from bot.handlers import common
from bot.services import processed_updates

log = logging.getLogger(__name__)


class Outcome(enum.Enum):
    HANDLED = "handled"
    REPEATED = "repeated"  # processed before: answered 200 without handling it again
    BUSY = "busy"  # not handled now (a flood from its sender, or the same id in flight here): deliver again


class Intake:
    def __init__(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        self.application = application
        self._in_flight: set[int] = set()

    @property
    def deps(self) -> Deps:
        deps: Deps = self.application.bot_data[common.DEPS_KEY]
        return deps

    async def handle(self, update: Update) -> Outcome:
        update_id = update.update_id
        if update_id in self._in_flight:  # a redelivery while the first is still being handled here
            return Outcome.BUSY
        self._in_flight.add(update_id)
        try:
            return await self._handle(update)
        finally:
            self._in_flight.discard(update_id)

    async def _handle(self, update: Update) -> Outcome:
        deps = self.deps
        async with deps.db.transaction() as session:
            if await processed_updates.seen(session, update.update_id):
                return Outcome.REPEATED
        ran = False

        async def process() -> None:
            nonlocal ran
            ran = True
            # Errors of handlers go to the error handler (an apology), as in polling: the update is done.
            await self.application.process_update(update)

        await self.application.update_processor.process_update(update, process())
        if not ran:
            return Outcome.BUSY
        async with deps.db.transaction() as session:
            await processed_updates.record(session, update.update_id, deps.clock())
        return Outcome.HANDLED
