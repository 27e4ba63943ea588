"""Time comes from an injected clock so that tests never sleep or patch time."""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]
Sleep = Callable[[float], Awaitable[None]]  # waiting, injected beside the clock: tests advance a fake one


def system_clock() -> datetime:
    return datetime.now(UTC)


async def system_sleep(seconds: float) -> None:
    await asyncio.sleep(seconds)
