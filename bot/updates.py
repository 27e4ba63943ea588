"""Updates of different users run side by side; the updates of one user run in the order they came.

PTB's built-in `concurrent_updates(True)` gives no order per user, and its default handles one update
at a time, so one slow database call would make everyone wait. This processor keeps one lock per user
who has updates in flight, and forgets it when they have none.

One user must not stall the others: an update first waits for its user's lock and only then takes one
of the shared slots, so a user's queue holds at most one slot; and a user who already has
`MAX_BACKLOG_PER_USER` updates in flight or waiting has further ones dropped, so a flood cannot pile up
without end. Once their backlog drains, that user's updates are handled again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot import metrics

log = logging.getLogger(__name__)

MAX_CONCURRENT_UPDATES = 64
MAX_BACKLOG_PER_USER = 8  # a person taps and types far slower; more than this is a flood or a stuck client


@dataclass
class _Backlog:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    size: int = 0  # updates in flight or waiting for the lock


class PerUserUpdateProcessor(BaseUpdateProcessor):
    def __init__(
        self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES, max_backlog: int = MAX_BACKLOG_PER_USER
    ) -> None:
        super().__init__(max_concurrent_updates)
        if max_backlog < 1:
            raise ValueError("max_backlog must be at least 1")
        self.max_backlog = max_backlog
        self._backlogs: dict[int, _Backlog] = {}

    # PTB marks process_update final, and it takes a slot before do_process_update runs: a user's queued
    # updates would each hold a slot while waiting for their own lock. The order is reversed here; the
    # base class's semaphore is still the one taken, so `current_concurrent_updates` stays right.
    async def process_update(self, update: object, coroutine: Awaitable[Any]) -> None:  # type: ignore[misc]
        user = update.effective_user if isinstance(update, Update) else None
        if user is None:
            async with self._semaphore:
                await self.do_process_update(update, coroutine)
            return
        backlog = self._backlogs.setdefault(user.id, _Backlog())
        if backlog.size >= self.max_backlog:
            _discard(coroutine)
            metrics.updates_dropped.inc()
            log.info("update dropped: its sender already has %d in flight or waiting", backlog.size)
            return
        backlog.size += 1
        try:
            async with backlog.lock, self._semaphore:
                await self.do_process_update(update, coroutine)
        finally:
            backlog.size -= 1
            if not backlog.size:
                del self._backlogs[user.id]

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        with metrics.handling(update):  # by type, and how long: in polling and webhook mode alike
            await coroutine

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None


def _discard(coroutine: Awaitable[Any]) -> None:
    """Close an update's handling that will never run, so Python does not warn it was never awaited."""
    if isinstance(coroutine, Coroutine):
        coroutine.close()
