"""Telegram's flood limits as the emulator enforces them, on an injected clock.

Token buckets: about one message a second to a private chat (with a small burst), 30 a second
overall (1000 with `allow_paid_broadcast`), 20 a minute to a group. Exceeding any answers 429 with
`retry_after`; a send made while a `retry_after` it was given is still pending is recorded as a
violation, which tests of a broadcast sender assert never happens.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Limits:
    per_chat_per_second: float = 1.0
    per_chat_burst: int = 3
    global_per_second: float = 30.0
    paid_per_second: float = 1000.0
    group_per_minute: int = 20
    enabled: bool = True


@dataclass
class Bucket:
    rate: float  # tokens per second
    capacity: float
    tokens: float
    updated: float

    def take(self, now: float) -> float:
        """Take one token; return 0, or the seconds until one is available."""
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


@dataclass
class RateLimiter:
    limits: Limits
    clock: Callable[[], float]
    _chats: dict[int, Bucket] = field(default_factory=dict)
    _global: dict[bool, Bucket] = field(default_factory=dict)
    _blocked_until: float = 0.0
    _forced: int = 0  # a test asked for the next send to be answered 429 with this retry_after
    violations: list[tuple[float, int]] = field(default_factory=list)

    def force(self, retry_after: int) -> None:
        """Answer the next send 429 with this `retry_after`, as Telegram does when it judges the bot too
        fast by rules of its own; sends before it has passed are violations, as for any other 429."""
        if retry_after < 1:
            raise ValueError("Telegram's retry_after is a whole number of seconds, at least 1")
        self._forced = retry_after

    def check(self, chat_id: int, *, is_group: bool, paid: bool) -> int:
        """0 if the send may go, else the `retry_after` (whole seconds) to answer with 429."""
        now = self.clock()
        if now < self._blocked_until:
            self.violations.append((now, chat_id))
            return max(1, math.ceil(self._blocked_until - now))
        if self._forced:
            retry_after, self._forced = self._forced, 0
            self._blocked_until = now + retry_after
            return retry_after
        if not self.limits.enabled:
            return 0
        chat_bucket = self._chats.get(chat_id)
        if chat_bucket is None:
            rate, capacity = (
                (self.limits.group_per_minute / 60, float(self.limits.group_per_minute))
                if is_group
                else (self.limits.per_chat_per_second, float(self.limits.per_chat_burst))
            )
            chat_bucket = self._chats[chat_id] = Bucket(rate, capacity, capacity, now)
        global_rate = self.limits.paid_per_second if paid else self.limits.global_per_second
        global_bucket = self._global.get(paid)
        if global_bucket is None:
            global_bucket = self._global[paid] = Bucket(global_rate, global_rate, global_rate, now)
        wait = max(global_bucket.take(now), chat_bucket.take(now))
        if wait > 0:
            retry_after = max(1, math.ceil(wait))
            self._blocked_until = now + retry_after
            return retry_after
        return 0
