"""The outbox rows as a sender takes them: claimed in one statement, given back when not attempted, and
one sender at a time.

On PostgreSQL several processes may run a sender. The scheduled one runs under procrastinate's job
lock (bot/scheduling), which keeps a second deliver job from starting anywhere while one is "doing".
That lock is a row's state, not a process's life: after a worker stops beating for a while its job is
handed to another, and a worker that was only paused (a frozen VM, a long stall, a network split)
would wake up and go on sending the rows the new sender has just recovered. So the sender also holds
a session-level advisory lock, which PostgreSQL lets go exactly when the holder's connection ends
(kill -9: at once; a lost machine: after the TCP keepalives set below): the new sender stands down
until the old one is really gone, and recovery never takes rows a live sender holds. It also keeps out
a sender started outside the job engine (`letterbot reminders due --send`). The claim skips rows
another transaction holds (FOR UPDATE SKIP LOCKED), so even two senders could never take the same row.

SQLite has one writer and, by default, one process: a set of the databases this process is delivering
to, and a lock on a file beside the database for another process (a `letterbot reminders due --send`
run beside the bot), are enough there.
"""

from __future__ import annotations

import fcntl
import logging
from collections.abc import AsyncIterator, Collection, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy import make_url, text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import Database
from bot.delivery.outcomes import CLAIMED, PENDING
from bot.models import Outbox, table_of

OUTBOX = table_of(Outbox)
# Any constant will do, as long as nothing else in the database uses it: "letterbo" in ASCII.
ADVISORY_LOCK_KEY = 0x6C65_7474_6572_626F
# Server-side TCP keepalives of the lock's session (ignored over a Unix socket): probes after 10 s of
# silence, every 5 s, 3 unanswered end it. Kernel defaults would keep a dead peer's session two hours.
KEEPALIVES = (
    "SELECT set_config('tcp_keepalives_idle', '10', false), set_config('tcp_keepalives_interval', '5', false),"
    " set_config('tcp_keepalives_count', '3', false)"
)
_delivering: set[str] = set()  # SQLite databases a sender of this process is delivering to now
log = logging.getLogger(__name__)


async def claim(session: AsyncSession, now: datetime, purposes: Collection[str], limit: int) -> list[int]:
    """Mark up to `limit` pending rows of these purposes "claimed", oldest first; their ids.

    One statement, so a row is never seen pending by two claims. Only purposes this sender can render
    are taken: a row of another purpose waits for a process that knows it.
    """
    due = (
        select(OUTBOX.c.id)
        .where(OUTBOX.c.status == PENDING, OUTBOX.c.purpose.in_(purposes))
        .order_by(OUTBOX.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)  # SQLite leaves it out: it has no row locks, one writer
    )
    result = await session.exec(
        update(OUTBOX)
        .where(OUTBOX.c.id.in_(due.scalar_subquery()))
        .values(status=CLAIMED, claimed_at=now)
        .returning(OUTBOX.c.id)
    )
    return sorted(result.scalars())


async def release(session: AsyncSession, ids: Collection[int]) -> None:
    """Give claimed rows that were not attempted back to the next run (a stop, a time budget, an error)."""
    await session.exec(
        update(OUTBOX)
        .where(OUTBOX.c.id.in_(list(ids)), OUTBOX.c.status == CLAIMED)
        .values(status=PENDING, claimed_at=None)
    )


@contextmanager
def _file_lock(database: Database) -> Iterator[bool]:
    """An exclusive lock on a file beside an SQLite database, held while this process sends: the kernel
    lets it go when the process ends, kill -9 included. An in-memory database needs none."""
    path = make_url(database.url).database
    if not path or path == ":memory:":
        yield True
        return
    with Path(f"{path}.sender-lock").open("a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@asynccontextmanager
async def only_sender(database: Database) -> AsyncIterator[bool]:
    """True inside if this is the only sender at work on the database; False if another one is."""
    if database.url.startswith("sqlite"):
        if database.url in _delivering:
            yield False
            return
        with _file_lock(database) as locked:
            if not locked:  # another process (`letterbot reminders due --send` beside the bot)
                yield False
                return
            _delivering.add(database.url)
            try:
                yield True
            finally:
                _delivering.discard(database.url)
        return
    async with database.engine.connect() as connection:
        lock = {"key": ADVISORY_LOCK_KEY}
        locked = bool(await connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), lock))
        if locked:  # a lost machine's connection, and with it the lock, is dropped in about 25 s, not hours
            await connection.execute(text(KEEPALIVES))
        # The lock belongs to the connection's session, not to this transaction: end the transaction,
        # so the connection does not sit "idle in transaction" (holding back vacuum) for the whole run.
        await connection.commit()
        if not locked:
            yield False
            return
        try:
            yield True
        finally:
            try:
                await connection.scalar(text("SELECT pg_advisory_unlock(:key)"), lock)
                await connection.commit()
            except SQLAlchemyError:
                # Back in the pool, a connection still holding the lock would keep every sender out.
                log.warning("the sender's lock could not be released: closing its connection")
                await connection.invalidate()
