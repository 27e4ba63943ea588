"""The pacer on a virtual clock: the configured rate exactly, one message a second per chat, and nothing
released while a 429's retry_after is pending, with one caller or several at once."""

from __future__ import annotations

import asyncio
import bisect
import heapq
import itertools
from collections.abc import Awaitable, Callable

import pytest

from bot.delivery.pacer import CATCH_UP, Pacer
from tests.harness import FakeClock

RATE = 25.0


class VirtualTime:
    """A clock that moves only when every task is asleep, to the earliest moment one of them wakes:
    several waiters sleep at once as they would on a real clock, and no test really sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._tasks: list[asyncio.Future[None]] = []
        self._all_asleep = asyncio.Event()

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + seconds, next(self._order), future))
        self._notice()
        await future

    def _notice(self, _task: object = None) -> None:
        # Each unfinished task sleeps on one future of its own: as many sleepers as tasks, all asleep.
        if sum(not task.done() for task in self._tasks) == len(self._sleepers):
            self._all_asleep.set()

    async def run(self, *jobs: Awaitable[None]) -> None:
        self._tasks = [asyncio.ensure_future(job) for job in jobs]
        for task in self._tasks:
            task.add_done_callback(self._notice)
        while True:
            self._all_asleep.clear()
            self._notice()
            await self._all_asleep.wait()
            if not self._sleepers:
                break
            moment, _, future = heapq.heappop(self._sleepers)
            self.now = max(self.now, moment)
            future.set_result(None)
        for task in self._tasks:
            task.result()  # a failed job fails the test


def recorder(pacer: Pacer, released: list[tuple[float, int]]) -> Callable[[int], Awaitable[None]]:
    async def send(chat_id: int) -> None:
        await pacer.wait(chat_id)
        released.append((pacer.clock(), chat_id))

    return send


def gaps(moments: list[float]) -> list[float]:
    return [later - earlier for earlier, later in itertools.pairwise(moments)]


async def test_one_caller_is_released_at_the_configured_rate_exactly() -> None:
    clock = FakeClock()
    pacer = Pacer(RATE, clock=clock.monotonic, sleep=clock.sleep)
    released: list[tuple[float, int]] = []
    send = recorder(pacer, released)
    for chat_id in range(1000):
        await send(chat_id)
    moments = [moment for moment, _ in released]
    assert moments[0] == 0.0  # the first goes at once
    assert gaps(moments) == pytest.approx([1 / RATE] * 999)  # never faster, and no drift slower
    assert (len(moments) - 1) / (moments[-1] - moments[0]) == pytest.approx(RATE)


async def test_a_caller_a_little_late_catches_up_and_keeps_the_rate() -> None:
    clock = FakeClock()
    pacer = Pacer(RATE, clock=clock.monotonic, sleep=clock.sleep)
    released: list[float] = []
    for chat_id in range(250):
        await pacer.wait(chat_id)
        released.append(clock.monotonic())
        clock.advance(0.1 if chat_id % 10 == 0 else 0.002)  # now and then a slow commit: 60 ms late
    assert released[-1] == pytest.approx(249 / RATE)  # the missed slots were taken up: no time lost
    most_in_a_second = max(bisect.bisect_left(released, moment + 1) - index for index, moment in enumerate(released))
    assert most_in_a_second <= RATE + CATCH_UP


async def test_after_a_pause_the_rate_starts_afresh_without_a_burst() -> None:
    clock = FakeClock()
    pacer = Pacer(RATE, clock=clock.monotonic, sleep=clock.sleep)
    await pacer.wait(1)
    clock.advance(5)  # nothing to send for a while, or a caller far later than the catch-up
    released = []
    for chat_id in range(2, 6):
        await pacer.wait(chat_id)
        released.append(clock.monotonic())
    assert released == pytest.approx([5 + index / RATE for index in range(4)])


async def test_many_callers_at_once_share_the_rate_without_bursts() -> None:
    time = VirtualTime()
    pacer = Pacer(RATE, clock=time.clock, sleep=time.sleep)
    released: list[tuple[float, int]] = []
    send = recorder(pacer, released)
    await time.run(*(send(chat_id) for chat_id in range(200)))
    moments = [moment for moment, _ in released]
    assert [chat for _, chat in released] == list(range(200))  # in the order they asked
    assert gaps(moments) == pytest.approx([1 / RATE] * 199)
    assert moments[-1] == pytest.approx(199 / RATE)


async def test_one_chat_gets_one_message_a_second_while_others_keep_the_rate() -> None:
    time = VirtualTime()
    pacer = Pacer(RATE, clock=time.clock, sleep=time.sleep)
    released: list[tuple[float, int]] = []
    send = recorder(pacer, released)

    async def three_to_chat_7() -> None:
        for _ in range(3):
            await send(7)

    await time.run(three_to_chat_7(), *(send(chat_id) for chat_id in range(100, 160)))
    to_chat_7 = [moment for moment, chat in released if chat == 7]
    assert gaps(to_chat_7)[0] == pytest.approx(1.0)  # the first moment its chat allowed
    assert min(gaps(to_chat_7)) >= 1.0 - 1e-9  # the third asked later, behind the others in the queue
    # The others took the slots before chat 7's second message: none wasted, none closer than 1/rate.
    assert gaps([moment for moment, _ in released]) == pytest.approx([1 / RATE] * 62)


async def test_after_a_hold_nothing_is_released_before_it_has_passed() -> None:
    time = VirtualTime()
    pacer = Pacer(RATE, clock=time.clock, sleep=time.sleep)
    released: list[tuple[float, int]] = []
    send = recorder(pacer, released)
    held_at: list[float] = []

    async def told_to_wait_7_seconds() -> None:
        await time.sleep(0.1)  # while the waiters are queued, a 429 says retry_after 7
        held_at.append(time.now)
        pacer.hold(7)

    await time.run(told_to_wait_7_seconds(), *(send(chat_id) for chat_id in range(50)))
    before = [moment for moment, _ in released if moment <= held_at[0]]
    after = [moment for moment, _ in released if moment > held_at[0]]
    assert len(before) == 3  # 0, 0.04, 0.08
    assert after[0] == pytest.approx(held_at[0] + 7)  # exactly the retry_after, not more
    assert gaps(after) == pytest.approx([1 / RATE] * (len(after) - 1))  # and no burst once it passed
    assert len(released) == 50


async def test_a_hold_stops_a_single_caller_for_exactly_the_retry_after() -> None:
    clock = FakeClock()
    pacer = Pacer(RATE, clock=clock.monotonic, sleep=clock.sleep)
    await pacer.wait(1)
    pacer.hold(7)
    await pacer.wait(1)
    assert clock.monotonic() == 7.0
    pacer.hold(3)
    clock.advance(1)
    await pacer.wait(2)
    assert clock.monotonic() == 10.0  # a hold counts from when it was given


def test_the_rate_must_be_positive() -> None:
    with pytest.raises(ValueError, match="above 0"):
        Pacer(0)
