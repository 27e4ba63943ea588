"""The pace of everything the bot sends on its own: a global rate and one message a second per chat,
and a full stop for as long as a 429 says.

Hand-written rather than PTB's AIORateLimiter, which has no per-private-chat limit, does not retry a
429 by default, and when it does, pauses every request of the process, replies to users included (see
TECH-NOTES, "Sending many messages"). Interactive replies therefore do not pass through here: they go
straight out, within the headroom BOT_SEND_RATE leaves under Telegram's ~30 a second.

Each wait reserves a slot before it sleeps: the earliest moment at least 1/rate away from every other
slot, a second after the chat's previous one, and after any hold. So several callers interleave without
bursts; a message waiting for its chat's second leaves the slots before it to others; and slots follow
the schedule rather than when a sleeper happened to wake, so the rate does not drift below the one
configured. A caller a little late (a slow commit, a busy event loop) may take the slots it missed,
up to CATCH_UP of them, at once; one later than that, or the first after a pause, starts afresh: no
burst. A hold voids the slots of those asleep; they queue again behind it. Clock and sleep are
injected: tests run on a fake clock and never sleep.
"""

from __future__ import annotations

import bisect
import math
import time
from collections.abc import Callable

from bot.clock import Sleep, system_sleep

PER_CHAT_SECONDS = 1.0  # Telegram's bot FAQ: avoid more than about one message a second to one chat
# Missed slots a late caller may still take: at most this many messages over the rate in any second
# (28 at the default 25, under Telegram's ~30).
CATCH_UP = 3
SLACK = 1e-9  # seconds: sums of intervals drift in floating point; a gap this much short still fits
FORGET_AFTER = 4096  # chats remembered before those whose next slot has passed are forgotten


class Pacer:
    def __init__(
        self,
        rate: float,
        *,
        per_chat_seconds: float = PER_CHAT_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = system_sleep,
    ) -> None:
        if not rate > 0:
            raise ValueError("the rate must be above 0 messages a second")
        self.rate = rate
        self.clock = clock
        self._interval = 1.0 / rate
        self._per_chat = per_chat_seconds
        self._sleep = sleep
        self._slots: list[float] = []  # moments reserved for sends, in order: the last one past, those to come
        self._chats: dict[int, float] = {}  # chat -> the earliest moment of its next send
        self._held_until = -math.inf
        self._holds = 0  # counts holds: a wait that slept across one takes a new slot after it

    async def wait(self, chat_id: int) -> None:
        """Return when a message to this chat may go; call it right before each send."""
        while True:
            now = self.clock()
            prior = self._chats.get(chat_id)
            start = self._reserve(max(self._held_until, -math.inf if prior is None else prior), now)
            self._chats[chat_id] = max(start, now) + self._per_chat  # a second after it really goes
            if start <= now:
                self._forget_passed(now)
                return
            holds = self._holds
            await self._sleep(start - now)
            if holds == self._holds:
                return
            # A 429 came meanwhile and voided this slot. Give the chat's slot back unless a later send
            # to the same chat already queued behind it (then keeping it only waits longer).
            if self._chats.get(chat_id) == max(start, now) + self._per_chat:
                if prior is None:
                    del self._chats[chat_id]
                else:
                    self._chats[chat_id] = prior

    def hold(self, seconds: float) -> None:
        """Telegram answered 429 with this retry_after: nothing is released until it has passed."""
        now = self.clock()
        self._held_until = max(self._held_until, now + seconds)
        self._slots = [slot for slot in self._slots if slot <= now]  # their sleepers queue again after it
        self._holds += 1

    def _reserve(self, earliest: float, now: float) -> float:
        """The first moment from `earliest` at least an interval away from every reserved slot; taken.
        It is in the past when a late caller takes a slot it missed."""
        catch_up = CATCH_UP * self._interval
        self._slots = [slot for slot in self._slots if slot > now - catch_up - self._interval]
        last = max((slot for slot in self._slots if slot <= now), default=-math.inf)
        # Late by no more than the catch-up: the schedule goes on from the last slot. Else from now.
        start = max(earliest, min(now, last + self._interval) if last + self._interval >= now - catch_up else now)
        for slot in self._slots:  # in order, each an interval or more after the one before
            if start + self._interval <= slot + SLACK:
                break  # a free gap before this slot
            if slot + self._interval > start + SLACK:
                start = slot + self._interval
        bisect.insort(self._slots, start)
        return start

    def _forget_passed(self, now: float) -> None:
        # A chat whose next slot has passed constrains nothing: drop such entries now and then, so a
        # broadcast to many thousands of chats does not keep one entry per chat for ever.
        if len(self._chats) > FORGET_AFTER:
            self._chats = {chat: moment for chat, moment in self._chats.items() if moment > now}
