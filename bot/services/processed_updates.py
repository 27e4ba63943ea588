"""Update ids a webhook replica has processed: Telegram delivers an update again when it got no 200 for
it (a replica crashed, a proxy timed out), and the repeat is answered without being handled twice.

An id is recorded after the update was handled, not before: a replica killed mid-update leaves no
record, so Telegram's redelivery is handled (by any replica). Recording first would make that
redelivery look done and lose the update. The price is the gap between the reply and the record: a
crash exactly there means the update is handled again (at least once, never lost).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.models import ProcessedUpdate
from bot.services import upsert

KEEP = timedelta(days=1)  # Telegram gives up redelivering long before (it keeps an update about a day)


async def seen(session: AsyncSession, update_id: int) -> bool:
    found = await session.exec(select(ProcessedUpdate.update_id).where(ProcessedUpdate.update_id == update_id))
    return found.first() is not None


async def record(session: AsyncSession, update_id: int, now: datetime) -> None:
    """Remember the id; one recorded already (two replicas raced on a redelivery) is left as it is."""
    await session.exec(
        upsert.insert_ignoring(session, ProcessedUpdate, ["update_id"]).values(update_id=update_id, at=now)
    )


async def prune(session: AsyncSession, now: datetime) -> int:
    """Forget ids older than a day (the periodic cleanup calls it); returns how many."""
    result = await session.exec(delete(ProcessedUpdate).where(col(ProcessedUpdate.at) < now - KEEP))
    return int(result.rowcount)
