"""Which webhook updates are being handled and which are done, across replicas: Telegram delivers an
update again when it got no 2xx for it (a replica crashed, a proxy or Telegram timed out while the
update was still being handled), and the repeat may reach another replica.

One table, two kinds of row, told apart by the key's sign (no column more is needed):

- a claim, keyed by the negated update_id, `at` = when it was claimed: the update is being handled.
  The claim is committed before handling starts, so a redelivery reaching any replica meanwhile finds
  it and is answered "busy, deliver again" instead of being handled a second time;
- a record, keyed by the update_id itself, `at` = when it was done: the update has been handled, and a
  redelivery is answered 200 at once.

Finishing replaces the claim by the record in one transaction. A failed or refused handling gives its
claim back, so the redelivery is handled. A replica killed mid-update leaves its claim behind: after
LEASE it counts as abandoned, and the next delivery takes it over and handles the update (nothing is
lost). LEASE is longer than anything waits for one answer (the proxy gives up after 60 s, Telegram
about then), so a claim still being worked on is not taken over in practice. The one gap left is a
crash between the reply and the record: the update is then handled a second time (at least once).
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from sqlmodel import col, delete, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.models import ProcessedUpdate
from bot.services import upsert

KEEP = timedelta(days=1)  # Telegram gives up redelivering long before (it keeps an update about a day)
LEASE = timedelta(seconds=90)  # a claim older than this was abandoned (its replica died): it may be taken over


class Claim(enum.Enum):
    MINE = "mine"  # handle it, then `finish` or `release`
    DONE = "done"  # handled before: answer 200
    TAKEN = "taken"  # being handled elsewhere (or here) right now: answer "deliver again later"


def _claim_key(update_id: int) -> int:
    return -update_id  # Telegram's update ids are positive


async def seen(session: AsyncSession, update_id: int) -> bool:
    found = await session.exec(select(ProcessedUpdate.update_id).where(ProcessedUpdate.update_id == update_id))
    return found.first() is not None


async def claim(session: AsyncSession, update_id: int, now: datetime) -> Claim:
    """Claim the update for handling (commit before handling it). `now` is kept as the claim's identity
    for `finish` and `release`."""
    key = _claim_key(update_id)
    inserted = await session.exec(
        upsert.insert_ignoring(session, ProcessedUpdate, ["update_id"]).values(update_id=key, at=now)
    )
    mine = bool(inserted.rowcount)
    if not mine:  # claimed already: take it over only if it was abandoned
        taken_over = await session.exec(
            update(ProcessedUpdate)
            .where(col(ProcessedUpdate.update_id) == key, col(ProcessedUpdate.at) <= now - LEASE)
            .values(at=now)
        )
        mine = bool(taken_over.rowcount)
    # Looked up after claiming, not before: a replica finishing meanwhile deletes its claim and records
    # the id in one commit, so a claim inserted after that commit sees the record here.
    if await seen(session, update_id):
        if mine:
            await _drop_claim(session, update_id, now)
        return Claim.DONE
    return Claim.MINE if mine else Claim.TAKEN


async def finish(session: AsyncSession, update_id: int, claimed_at: datetime, now: datetime) -> None:
    """The update was handled: the claim becomes the record."""
    await _drop_claim(session, update_id, claimed_at)
    await record(session, update_id, now)


async def release(session: AsyncSession, update_id: int, claimed_at: datetime) -> None:
    """The update was not handled (refused as a flood, or it failed): its redelivery will be."""
    await _drop_claim(session, update_id, claimed_at)


async def _drop_claim(session: AsyncSession, update_id: int, claimed_at: datetime) -> None:
    # Only this claim: one taken over by another replica after LEASE is theirs now.
    await session.exec(
        delete(ProcessedUpdate).where(
            col(ProcessedUpdate.update_id) == _claim_key(update_id), col(ProcessedUpdate.at) == claimed_at
        )
    )


async def record(session: AsyncSession, update_id: int, now: datetime) -> None:
    """Remember the id as done; one recorded already is left as it is."""
    await session.exec(
        upsert.insert_ignoring(session, ProcessedUpdate, ["update_id"]).values(update_id=update_id, at=now)
    )


async def prune(session: AsyncSession, now: datetime) -> int:
    """Forget records (and abandoned claims) older than a day (the periodic cleanup calls it); returns
    how many."""
    result = await session.exec(delete(ProcessedUpdate).where(col(ProcessedUpdate.at) < now - KEEP))
    return int(result.rowcount)
