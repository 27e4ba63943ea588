"""The sender: delivers the outbox's pending rows, each rendered when it is sent, and records how each
ended, telling the purpose that wrote it (reminders, later broadcasts) through its `finished` hook.

Per row, three short steps: render in a transaction, send outside any transaction (a send may wait
seconds for the pacer or Telegram; holding a transaction, and on SQLite the write lock, meanwhile
would stall every user's update), record in a transaction. One request is in flight at a time, so a
429 is never answered by a request already on its way (it would land inside the retry_after); the
pacer's rate, not the round trip, sets the pace while a send takes less than 1/BOT_SEND_RATE.
Logs carry counts only: never an id or a text.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import col, delete, select, update
from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Bot

from bot import privacy
from bot.delivery import claims
from bot.delivery.outcomes import SENDING, Outcome
from bot.delivery.pacer import Pacer
from bot.delivery.send import Rendered, attempt
from bot.deps import Deps
from bot.models import Outbox, Supporter, table_of

Render = Callable[[AsyncSession, Outbox, Supporter, Deps], Awaitable[Rendered | None]]
Finished = Callable[[AsyncSession, Outbox, Outcome], Awaitable[None]]
SUPPORTERS = table_of(Supporter)
log = logging.getLogger(__name__)

__all__ = ["Finished", "Purpose", "Render", "Rendered", "Stats", "deliver_due", "prune", "recover"]


async def _nothing_to_do(session: AsyncSession, outbox: Outbox, outcome: Outcome) -> None:
    return None


@dataclass(frozen=True)
class Purpose:
    """What the outbox rows of one purpose say (`render`: None when nothing is left to say) and whom
    to tell how each ended (`finished`, in the transaction that records it)."""

    name: str
    render: Render
    finished: Finished = _nothing_to_do


@dataclass
class Stats:
    counts: dict[Outcome, int] = field(default_factory=dict)
    seconds: float = 0.0  # on the pacer's clock
    busy: bool = False  # another sender was at work, so this one did nothing

    def __getitem__(self, outcome: Outcome) -> int:
        return self.counts.get(outcome, 0)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def add(self, outcome: Outcome) -> None:
        self.counts[outcome] = self[outcome] + 1


async def deliver_due(
    deps: Deps,
    bot: Bot,
    pacer: Pacer,
    purposes: Mapping[str, Purpose],
    *,
    batch: int = 100,
    budget: float | None = None,
    stop: asyncio.Event | None = None,
) -> Stats:
    """Deliver pending rows of these purposes until none is left, `budget` seconds (on the pacer's
    clock) have passed, or `stop` is set; rows claimed and not attempted go back to pending."""
    for name, purpose in purposes.items():
        if name != purpose.name:
            raise ValueError(f"purpose {purpose.name!r} registered as {name!r}")
    started = pacer.clock()

    def stopping() -> bool:
        return (stop is not None and stop.is_set()) or (budget is not None and pacer.clock() - started >= budget)

    stats = Stats()
    async with claims.only_sender(deps.db) as alone:
        if not alone:
            log.info("another sender is at work: this one stands down")
            return Stats(busy=True)
        while not stopping():
            async with deps.db.transaction() as session:
                claimed = deque(await claims.claim(session, deps.clock(), list(purposes), batch))
            if not claimed:
                break
            try:
                while claimed and not stopping():
                    # Taken off the queue first: a row whose send began is never given back.
                    outcome = await _deliver_one(deps, bot, pacer, purposes, claimed.popleft())
                    if outcome is not None:
                        stats.add(outcome)
            finally:
                if claimed:
                    async with deps.db.transaction() as session:
                        await claims.release(session, claimed)
    stats.seconds = pacer.clock() - started
    if stats.total:
        counts = ", ".join(f"{stats[outcome]} {outcome}" for outcome in Outcome if stats[outcome])
        log.info("outbox: %d messages in %.1f s: %s", stats.total, stats.seconds, counts)
    return stats


async def _deliver_one(
    deps: Deps, bot: Bot, pacer: Pacer, purposes: Mapping[str, Purpose], outbox_id: int
) -> Outcome | None:
    """How the row ended; None if it was no longer there to deliver."""
    try:
        prepared = await _prepare(deps, purposes, outbox_id)
    except Exception:  # a renderer's bug must not hold up the rest of the outbox
        log.exception("a message could not be rendered")
        await _record(deps, purposes, outbox_id, Outcome.FAILED, requests=0)
        return Outcome.FAILED
    if prepared is None or isinstance(prepared, Outcome):
        return prepared
    chat_id, message = prepared
    result = await attempt(bot, pacer, chat_id, message)
    await _record(deps, purposes, outbox_id, result.outcome, requests=result.requests)
    return result.outcome


async def _prepare(
    deps: Deps, purposes: Mapping[str, Purpose], outbox_id: int
) -> Outcome | tuple[int, Rendered] | None:
    """The chat and the message to send, the outcome already recorded without sending, or None if the
    row is no longer there to deliver (deleted by /forget, or recover() spoke for it meanwhile)."""
    async with deps.db.transaction() as session:
        row = await session.get(Outbox, outbox_id, with_for_update=True)
        supporter = None if row is None else await session.get(Supporter, row.supporter_id)
        if row is None or supporter is None or row.status != SENDING:
            return None
        purpose = purposes[row.purpose]
        if not supporter.is_active:
            outcome = Outcome.BLOCKED  # Telegram refused them before: a send would be refused again
        else:
            message = await purpose.render(session, row, supporter, deps)
            if message is not None:
                return supporter.telegram_id, message
            outcome = Outcome.DROPPED
        await _finish(session, row, outcome, purpose, deps.clock(), requests=0)
        return outcome


async def _record(
    deps: Deps, purposes: Mapping[str, Purpose], outbox_id: int, outcome: Outcome, *, requests: int
) -> None:
    async with deps.db.transaction() as session:
        row = await session.get(Outbox, outbox_id, with_for_update=True)
        if row is not None and row.status == SENDING:  # else deleted by /forget, or recovered meanwhile
            await _finish(session, row, outcome, purposes[row.purpose], deps.clock(), requests=requests)


async def _finish(
    session: AsyncSession, row: Outbox, outcome: Outcome, purpose: Purpose, now: datetime, *, requests: int
) -> None:
    row.status = outcome.value
    row.finished_at = now
    row.attempts += requests
    session.add(row)
    if outcome is Outcome.BLOCKED:
        await session.exec(update(SUPPORTERS).where(SUPPORTERS.c.id == row.supporter_id).values(is_active=False))
    await purpose.finished(session, row, outcome)


async def recover(
    session: AsyncSession, now: datetime, purposes: Mapping[str, Purpose], *, stale_after: timedelta
) -> int:
    """Rows left "sending" longer than `stale_after` (a sender crashed mid-delivery) become UNCERTAIN:
    each may have arrived, so none is sent again. Their purposes are told; returns how many.

    A batch's rows are claimed together, so the last may wait batch/BOT_SEND_RATE seconds plus any 429
    holds before it is sent: choose `stale_after` well above that. Too short a one costs messages (rows
    not yet sent become uncertain), never a duplicate: a sender sends and records a row only while it
    is still "sending"."""
    rows = await session.exec(
        select(Outbox)
        .where(
            col(Outbox.status) == SENDING,
            col(Outbox.claimed_at) < now - stale_after,
            col(Outbox.purpose).in_(list(purposes)),
        )
        .with_for_update(skip_locked=True)  # a sender recording one of them right now has the last word
    )
    stale = list(rows)
    for row in stale:
        await _finish(session, row, Outcome.UNCERTAIN, purposes[row.purpose], now, requests=0)
    if stale:
        log.warning("outbox: %d messages left half-sent by a stopped sender are marked uncertain", len(stale))
    return len(stale)


async def prune(session: AsyncSession, now: datetime) -> int:
    """Delete rows finished longer ago than /privacy promises to keep them; returns how many."""
    oldest = now - timedelta(days=privacy.OUTBOX_KEEP_DAYS)
    result = await session.exec(delete(Outbox).where(col(Outbox.finished_at) < oldest))
    return int(result.rowcount)
