"""One user cannot stall the others: a user's queue holds no shared slot, and a flood is cut short."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Coroutine
from typing import Any

import pytest
from telegram import CallbackQuery, Update, User
from telegram.ext import TypeHandler

from bot.updates import MAX_BACKLOG_PER_USER, PerUserUpdateProcessor
from tests.harness import HUMAN_PACE, Harness


def update_from(user_id: int | None, update_id: int) -> Update:
    if user_id is None:
        return Update(update_id)  # an update without a sender, as a poll's state is
    user = User(user_id, "Test", is_bot=False)
    return Update(update_id, callback_query=CallbackQuery(str(update_id), user, chat_instance="c"))


class Work:
    """Stands in for the handling of updates: records which ran, and holds those given a gate."""

    def __init__(self) -> None:
        self.started: list[int] = []
        self.running = 0
        self.most_running_at_once = 0

    async def handle(self, update_id: int, gate: asyncio.Event | None = None) -> None:
        self.started.append(update_id)
        self.running += 1
        self.most_running_at_once = max(self.most_running_at_once, self.running)
        try:
            if gate is not None:
                await gate.wait()
        finally:
            self.running -= 1


def submit(
    processor: PerUserUpdateProcessor, user_id: int | None, update_id: int, job: Coroutine[Any, Any, None]
) -> asyncio.Task[None]:
    """What PTB's Application does with each fetched update: one task per update."""
    return asyncio.create_task(processor.process_update(update_from(user_id, update_id), job))


async def finished(*tasks: asyncio.Task[None]) -> None:
    async with asyncio.timeout(5):  # a bound for a failing test, not a wait: these finish at once or never
        await asyncio.gather(*tasks)


async def test_a_user_waiting_for_their_own_turn_holds_no_slot() -> None:
    processor = PerUserUpdateProcessor(max_concurrent_updates=2)
    work, hold = Work(), asyncio.Event()
    first = submit(processor, 1, 1, work.handle(1, hold))
    queued = [submit(processor, 1, n, work.handle(n)) for n in (2, 3)]
    other = submit(processor, 2, 10, work.handle(10))
    await finished(other)  # with a slot taken before the lock, user 1's queue would hold both slots
    assert work.started == [1, 10]
    assert processor.current_concurrent_updates == 1  # only user 1's running update holds one
    hold.set()
    await finished(first, *queued)
    assert work.started == [1, 10, 2, 3]
    assert processor.current_concurrent_updates == 0


async def test_one_users_updates_run_one_at_a_time_in_order() -> None:
    processor = PerUserUpdateProcessor(max_concurrent_updates=4)
    work = Work()
    gates = {n: asyncio.Event() for n in range(1, 6)}
    tasks = [submit(processor, 1, n, work.handle(n, gates[n])) for n in range(1, 6)]
    for n in reversed(range(1, 6)):  # later updates are let go first: they still wait their turn
        gates[n].set()
    await finished(*tasks)
    assert work.started == [1, 2, 3, 4, 5]
    assert work.most_running_at_once == 1


async def test_a_backlog_beyond_the_limit_is_dropped_and_later_updates_run(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bot.updates")
    processor = PerUserUpdateProcessor(max_concurrent_updates=4, max_backlog=3)
    work, hold = Work(), asyncio.Event()
    user = 770_001
    jobs = [work.handle(1, hold)] + [work.handle(n) for n in range(2, 7)]
    tasks = [submit(processor, user, n, job) for n, job in enumerate(jobs, start=1)]
    await finished(*tasks[3:])  # the 4th to 6th are dropped at once, while the 1st still runs
    assert work.started == [1]
    assert all(inspect.getcoroutinestate(job) == inspect.CORO_CLOSED for job in jobs[3:])  # never run, no warning
    drops = [record for record in caplog.records if record.name == "bot.updates"]
    assert len(drops) == 3
    assert all(record.levelno == logging.INFO for record in drops)
    assert not any(str(user) in record.getMessage() for record in drops)

    hold.set()
    await finished(*tasks[:3])
    assert work.started == [1, 2, 3]
    hold = asyncio.Event()  # once drained, the user has a whole backlog again
    later = [submit(processor, user, 7, work.handle(7, hold))] + [
        submit(processor, user, n, work.handle(n)) for n in (8, 9, 10)
    ]
    await finished(later[3])
    assert len([record for record in caplog.records if record.name == "bot.updates"]) == 4  # the 10th
    hold.set()
    await finished(*later)
    assert work.started == [1, 2, 3, 7, 8, 9]


async def test_an_update_without_a_sender_is_handled() -> None:
    processor = PerUserUpdateProcessor(max_concurrent_updates=1, max_backlog=1)
    work = Work()
    await finished(*[submit(processor, None, n, work.handle(n)) for n in (1, 2, 3)])
    assert work.started == [1, 2, 3]


async def test_a_flood_from_one_user_does_not_hold_up_another(bot: Harness, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bot.updates")
    flooder, other = bot.person(5001, "Flood"), bot.person(5002, "Other")
    release = asyncio.Event()
    entered: list[int] = []

    async def slow_for_the_flooder(update: Update, _context: object) -> None:
        if update.effective_user is not None and update.effective_user.id == flooder.id:
            entered.append(update.update_id)
            await release.wait()
            bot.clock.advance(HUMAN_PACE)  # the bot takes its time: its replies stay within the per-chat limit

    bot.application.add_handler(TypeHandler(Update, slow_for_the_flooder), group=-1)
    flood = [await bot.telegram.send_text(flooder.id, f"spam {n}") for n in range(200)]
    try:
        reply = await other.send("/start")  # comes after all 200 in Telegram's queue
        assert reply["chat"]["id"] == other.id
        assert entered == [flood[0]]  # the flooder's first update is still being handled
        assert bot.telegram.bot_messages(flooder.id) == []
    finally:
        release.set()  # else a failure here would leave the bot unable to stop
    await bot.telegram.wait_processed(flood[MAX_BACKLOG_PER_USER - 1])
    await flooder.send("/help")  # once the backlog drained, the flooder is answered again
    handled = [update_id for update_id in flood if update_id in bot.telegram.state.processed]
    assert handled == flood[:MAX_BACKLOG_PER_USER]
    assert len(bot.telegram.bot_messages(flooder.id)) == MAX_BACKLOG_PER_USER + 1
    drops = [record.getMessage() for record in caplog.records if record.name == "bot.updates"]
    assert len(drops) == 200 - MAX_BACKLOG_PER_USER
    assert not any(str(flooder.id) in message or "spam" in message for message in drops)
