"""Updates of different users run side by side; the updates of one user run in the order they came.

PTB's built-in `concurrent_updates(True)` gives no order per user, and its default handles one update
at a time, so one slow database call would make everyone wait. This processor keeps one lock per user
who has updates in flight, and forgets it when they have none.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


class PerUserUpdateProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = 64) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._pending: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        user = update.effective_user if isinstance(update, Update) else None
        if user is None:
            await coroutine
            return
        lock = self._locks.setdefault(user.id, asyncio.Lock())
        self._pending[user.id] = self._pending.get(user.id, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._pending[user.id] -= 1
            if not self._pending[user.id]:
                del self._pending[user.id]
                del self._locks[user.id]

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None
