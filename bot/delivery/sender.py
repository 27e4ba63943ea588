"""The sender: delivers the outbox's pending rows, each rendered when it is sent, and records how each
ended, telling the purpose that wrote it (reminders, later broadcasts) through its `finished` hook.

A few rows at a time (about CHUNK_SECONDS of sending), three short steps: render them in one
transaction, send them outside any transaction (a send may wait for the pacer or Telegram; holding a
transaction, and on SQLite the write lock, meanwhile would stall every user's update), record them in
one transaction. Free messages go one request at a time, so a 429 is never answered by a request
already on its way (it would land inside the retry_after); paid ones (1,000 a second) go several at
once. The pacer's rate, not the round trip, sets the pace. A crash between the first and the last
step leaves at most one chunk "sending": the rows whose send may have begun.
Logs carry counts only: never an id or a text.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import col, delete, select, update
from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Bot

from bot import metrics, privacy
from bot.delivery import claims
from bot.delivery.outcomes import CLAIMED, PENDING, SENDING, Outcome
from bot.delivery.pacer import Pacer
from bot.delivery.send import Attempt, Rendered, attempt
from bot.deps import Deps
from bot.models import Outbox, Supporter, table_of

Render = Callable[[AsyncSession, Outbox, Supporter, Deps], Awaitable[Rendered | None]]
Finished = Callable[[AsyncSession, Outbox, Outcome], Awaitable[None]]
Resent = Callable[[AsyncSession, Outbox], Awaitable[None]]
SUPPORTERS = table_of(Supporter)
CHUNK_SECONDS = 0.2  # rows rendered (and recorded) together: about this long of sending at the fastest rate
PAID_LANES = 16  # paid messages in flight at once: 1,000 a second over a round trip of several ms
log = logging.getLogger(__name__)

__all__ = ["Finished", "Purpose", "Render", "Rendered", "Resent", "Stats", "deliver_due", "prune", "recover"]


async def _nothing_to_do(session: AsyncSession, outbox: Outbox, outcome: Outcome) -> None:
    return None


@dataclass(frozen=True)
class Purpose:
    """What the outbox rows of one purpose say (`render`: None when nothing is left to say) and whom
    to tell how each ended (`finished`, in the transaction that records it).

    A row whose send had begun when its sender died may or may not have arrived. Without `resent` it
    ends UNCERTAIN (a reminder twice is worse than one lost); with it, it is sent again and `resent`
    is told, so that the possible duplicates are counted (a broadcast must miss nobody)."""

    name: str
    render: Render
    finished: Finished = _nothing_to_do
    resent: Resent | None = None


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
    paid_pacer: Pacer | None = None,
) -> Stats:
    """Deliver pending rows of these purposes until none is left, `budget` seconds (on the pacer's
    clock) have passed, or `stop` is set; rows claimed and not attempted go back to pending. Messages
    rendered as paid (a paid broadcast) keep to `paid_pacer`'s rate when one is given."""
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
        # The only sender now: a row left claimed or sending belongs to one that died (kill -9, a
        # crashed machine). Taken up at once, so a restart resumes where the last sender stopped.
        async with deps.db.transaction() as session:
            await recover(session, deps.clock(), purposes, stale_after=timedelta(0))
        fastest = max(pacer.rate, paid_pacer.rate if paid_pacer else 0.0)
        chunk = max(1, min(batch, math.ceil(fastest * CHUNK_SECONDS)))
        while not stopping():
            async with deps.db.transaction() as session:
                claimed = deque(await claims.claim(session, deps.clock(), list(purposes), batch))
            if not claimed:
                break
            try:
                while claimed and not stopping():
                    ids = [claimed.popleft() for _ in range(min(chunk, len(claimed)))]
                    await _deliver_chunk(deps, bot, (pacer, paid_pacer), purposes, ids, stopping, stats)
            finally:
                if claimed:
                    async with deps.db.transaction() as session:
                        await claims.release(session, claimed)
    stats.seconds = pacer.clock() - started
    if stats.total:
        counts = ", ".join(f"{stats[outcome]} {outcome}" for outcome in Outcome if stats[outcome])
        log.info("outbox: %d messages in %.1f s: %s", stats.total, stats.seconds, counts)
    return stats


@dataclass
class _Send:
    outbox_id: int
    chat_id: int
    message: Rendered
    begun: bool = False  # its request may have left (even if no answer came: a cancel, a crash)
    result: Attempt | None = None


async def _deliver_chunk(
    deps: Deps, bot: Bot, pacers: tuple[Pacer, Pacer | None], purposes: Mapping[str, Purpose],
    ids: list[int], stopping: Callable[[], bool], stats: Stats,
) -> None:  # fmt: skip
    """Render a few claimed rows in one transaction, send them outside it, record them in another."""
    async with deps.db.transaction() as session:
        sends = await _prepare(session, deps, purposes, ids, stats)
    try:
        await _send_all(bot, pacers, sends, stopping)
    finally:  # also when cancelled: what was sent is recorded, what was not goes back
        async with deps.db.transaction() as session:
            await _record(session, deps, purposes, sends, stats)


async def _prepare(
    session: AsyncSession, deps: Deps, purposes: Mapping[str, Purpose], ids: list[int], stats: Stats
) -> list[_Send]:
    """The messages to send, each row marked "sending" (from now on it may have arrived); rows with
    nothing to send get their outcome at once. Rows no longer claimed (deleted by /forget, paused or
    cancelled, or recovered) are left alone."""
    rows = await session.exec(
        select(Outbox).where(col(Outbox.id).in_(ids), col(Outbox.status) == CLAIMED).with_for_update()
    )
    taken = sorted(rows, key=lambda row: row.id or 0)
    people = await session.exec(select(Supporter).where(col(Supporter.id).in_([row.supporter_id for row in taken])))
    by_supporter = {person.id: person for person in people}
    sends: list[_Send] = []
    for row in taken:
        purpose = purposes[row.purpose]
        supporter = by_supporter.get(row.supporter_id)
        if supporter is None:
            continue
        if not supporter.is_active:  # Telegram refused them before: a send would be refused again
            outcome = Outcome.BLOCKED
        else:
            try:
                message = await purpose.render(session, row, supporter, deps)
            except Exception:  # a renderer's bug must not hold up the rest of the outbox
                log.exception("a message could not be rendered")
                message, outcome = None, Outcome.FAILED
            else:
                outcome = Outcome.DROPPED
            if message is not None:
                row.status = SENDING
                session.add(row)
                sends.append(_Send(row.id or 0, supporter.telegram_id, message))
                continue
        await _finish(session, row, outcome, purpose, deps.clock(), requests=0)
        stats.add(outcome)
    return sends


async def _send_all(
    bot: Bot, pacers: tuple[Pacer, Pacer | None], sends: list[_Send], stopping: Callable[[], bool]
) -> None:
    """Free messages one at a time (a 429 is then never answered by a request already on its way);
    paid ones, at up to 1,000 a second, several at once: the pacer spaces them, the round trip does not."""
    free, paid = pacers
    pending = deque(sends)
    gone: set[int] = set()  # chats that refused a message of this chunk: the rest for them are not tried

    async def lane() -> None:
        while pending and not stopping():
            item = pending.popleft()  # taken off first: a send begun is never given back
            if item.chat_id in gone:
                item.result = Attempt(Outcome.BLOCKED, 0)
                continue
            chosen = paid if item.message.paid and paid is not None else free
            item.begun = True
            item.result = await attempt(bot, chosen, item.chat_id, item.message)
            if item.result.outcome is Outcome.BLOCKED:
                gone.add(item.chat_id)

    lanes = PAID_LANES if paid is not None and any(item.message.paid for item in sends) else 1
    async with asyncio.TaskGroup() as group:  # one lane failing stops the others before the chunk is recorded
        for _ in range(lanes):
            group.create_task(lane())


async def _record(
    session: AsyncSession, deps: Deps, purposes: Mapping[str, Purpose], sends: list[_Send], stats: Stats
) -> None:
    by_id = {item.outbox_id: item for item in sends}
    if not by_id:
        return
    rows = await session.exec(select(Outbox).where(col(Outbox.id).in_(list(by_id))).with_for_update())
    for row in sorted(rows, key=lambda row: row.id or 0):
        item = by_id[row.id or 0]
        if row.status != SENDING:  # deleted by /forget meanwhile, or recovered
            continue
        if item.result is None:
            if not item.begun:
                row.status, row.claimed_at = PENDING, None  # never sent: the next round takes it
                session.add(row)
            # Begun with no answer (cancelled mid-request): left "sending", for recover() to decide.
            continue
        await _finish(session, row, item.result.outcome, purposes[row.purpose], deps.clock(),
                      requests=item.result.requests)  # fmt: skip
        stats.add(item.result.outcome)
        metrics.outbox_sent.labels(item.result.outcome.value).inc()


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
    """Rows a sender took more than `stale_after` ago and never finished (it crashed): those it had
    only claimed go back to pending (they were never sent); those it had begun to send become UNCERTAIN,
    or, for a purpose that resends (see `Purpose`), pending again with the purpose told. Returns how
    many rows were begun and not finished.

    The sender calls it with no delay when it starts, holding the only-sender lock. With a delay, it
    takes only rows older than any a live sender could hold: a batch's last row may wait
    batch/BOT_SEND_RATE seconds plus any 429 holds. A sender sends and records a row only while it is
    still its own ("claimed", then "sending"), so a recovered row is never sent by the old sender too."""
    rows = await session.exec(
        select(Outbox)
        .where(
            col(Outbox.status).in_([CLAIMED, SENDING]),
            col(Outbox.claimed_at) <= now - stale_after,
            col(Outbox.purpose).in_(list(purposes)),
        )
        .with_for_update(skip_locked=True)  # a sender recording one of them right now has the last word
    )
    begun = 0
    for row in rows:
        purpose = purposes[row.purpose]
        begun += row.status == SENDING
        if row.status == SENDING and purpose.resent is None:
            await _finish(session, row, Outcome.UNCERTAIN, purpose, now, requests=0)
            continue
        resend = row.status == SENDING
        row.status, row.claimed_at = PENDING, None
        session.add(row)
        if resend and purpose.resent is not None:
            await purpose.resent(session, row)  # it may hold the row back (a paused broadcast)
    if begun:
        log.warning("outbox: %d messages were being sent when their sender stopped", begun)
    return begun


async def prune(session: AsyncSession, now: datetime) -> int:
    """Delete rows finished longer ago than /privacy promises to keep them; returns how many."""
    oldest = now - timedelta(days=privacy.OUTBOX_KEEP_DAYS)
    result = await session.exec(delete(Outbox).where(col(Outbox.finished_at) < oldest))
    return int(result.rowcount)
