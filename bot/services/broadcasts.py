"""Broadcasts: a coordinator's draft, its audience counted, its recipients queued in one statement, and
the figures the sender keeps (pause, resume, cancel; done when nothing is left).

Coordinators see counts, never who: the outbox rows that link a supporter to a broadcast are deleted
when it ends, and the figures stay on the broadcast row.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, func, literal, true
from sqlalchemy import select as sa_select
from sqlmodel import col, delete, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import LOCALES, Locale
from bot.delivery.outcomes import CLAIMED, PENDING, Outcome
from bot.models import Broadcast, BroadcastStatus, Letter, Outbox, Supporter, table_of
from bot.rules import audiences
from bot.services import audit, upsert

PURPOSE = "broadcast"
OUTBOX = table_of(Outbox)
SUPPORTERS = table_of(Supporter)
PAUSED = "paused"  # an outbox row held back while its broadcast is paused
UNFINISHED = (PENDING, CLAIMED, "sending", PAUSED)
LOCKED = "locked-broadcasts"  # session.info: the broadcasts this transaction has locked already
RUNNING = (BroadcastStatus.SENDING.value, BroadcastStatus.PAUSED.value)
COUNTERS = {
    Outcome.SENT: "sent", Outcome.BLOCKED: "blocked", Outcome.FAILED: "failed",
    Outcome.UNCERTAIN: "uncertain", Outcome.DROPPED: "dropped",
}  # fmt: skip


def who(audience: audiences.Audience, default_locale: Locale) -> ColumnElement[bool]:
    """The supporters an audience names: always only those who have not blocked the bot."""
    active = SUPPORTERS.c.is_active == true()
    if audience.kind == "lang":
        return and_(active, func.coalesce(SUPPORTERS.c.locale, default_locale) == audience.value)
    if audience.kind == "pace":
        return and_(active, SUPPORTERS.c.writing_pace == audience.value)
    if audience.kind == "wrote":
        wrote = exists().where(
            col(Letter.supporter_id) == SUPPORTERS.c.id, col(Letter.prisoner_id) == audience.prisoner_id
        )
        return and_(active, wrote)
    return active


async def count(session: AsyncSession, audience: audiences.Audience, default_locale: Locale) -> int:
    result = await session.exec(select(func.count()).select_from(SUPPORTERS).where(who(audience, default_locale)))
    return int(result.one())


async def draft_of(session: AsyncSession, staff_id: int) -> Broadcast | None:
    """The staff member's draft being written, if any (one at a time)."""
    result = await session.exec(
        select(Broadcast)
        .where(col(Broadcast.created_by) == staff_id, col(Broadcast.status) == BroadcastStatus.DRAFT.value)
        .order_by(col(Broadcast.id).desc())
        .with_for_update()
    )
    return result.first()


async def start_draft(session: AsyncSession, staff_id: int, now: datetime) -> Broadcast:
    """A fresh draft: an older unsent one of the same person is thrown away."""
    await session.exec(
        delete(Broadcast).where(
            col(Broadcast.created_by) == staff_id, col(Broadcast.status) == BroadcastStatus.DRAFT.value
        )
    )
    draft = Broadcast(created_by=staff_id, created_at=now)
    session.add(draft)
    await session.flush()
    return draft


def texts(broadcast: Broadcast) -> dict[Locale, str]:
    """The language versions written so far."""
    given = {"be": broadcast.text_be, "ru": broadcast.text_ru, "en": broadcast.text_en}
    return {locale: text for locale in LOCALES if (text := given[locale])}


def set_text(broadcast: Broadcast, locale: Locale, text: str | None) -> None:
    setattr(broadcast, f"text_{locale}", text)
    given = texts(broadcast)
    if broadcast.fallback not in given:  # the fallback is always one of the versions written
        broadcast.fallback = next(iter(given), None)


def text_for(broadcast: Broadcast, locale: str | None) -> str | None:
    """What a recipient reads: their own language, else the fallback the coordinator chose."""
    given: dict[str, str] = {str(k): v for k, v in texts(broadcast).items()}
    if locale in given:
        return given[locale]
    return given.get(broadcast.fallback or "")


async def confirm(
    session: AsyncSession, broadcast: Broadcast, *, now: datetime, default_locale: Locale, paid: bool
) -> int:
    """Queue one outbox row per recipient, in one statement, and start; how many were queued."""
    audience = audiences.parse(broadcast.audience)
    chosen = sa_select(
        SUPPORTERS.c.id, literal(PURPOSE), literal(str(broadcast.id)), literal(PENDING), literal(0), literal(now)
    ).where(who(audience, default_locale))
    statement = upsert.insert_ignoring(session, Outbox, ["supporter_id", "purpose", "key"]).from_select(
        ["supporter_id", "purpose", "key", "status", "attempts", "created_at"], chosen
    )
    result = await session.exec(statement)
    broadcast.total = int(result.rowcount)
    broadcast.status = BroadcastStatus.SENDING.value
    broadcast.paid = paid
    broadcast.started_at = now
    session.add(broadcast)
    audit.record(
        session, at=now, actor=broadcast.created_by, action="broadcast.send",
        detail=f"#{broadcast.id} audience={broadcast.audience} recipients={broadcast.total} "
        f"languages={','.join(texts(broadcast))} fallback={broadcast.fallback} paid={int(paid)}",
    )  # fmt: skip
    if broadcast.total == 0:
        await _complete(session, broadcast, now)
    return broadcast.total


def _rows_of(broadcast: Broadcast, *statuses: str) -> ColumnElement[bool]:
    return and_(OUTBOX.c.purpose == PURPOSE, OUTBOX.c.key == str(broadcast.id), OUTBOX.c.status.in_(statuses))


async def get(session: AsyncSession, broadcast_id: int, *, lock: bool = False) -> Broadcast | None:
    """The broadcast; with `lock`, locked for the rest of the transaction (taken once per transaction:
    the sender records a chunk of its messages in one)."""
    if not lock:
        return await session.get(Broadcast, broadcast_id)
    locked: set[int] = session.info.setdefault(LOCKED, set())
    if broadcast_id in locked:
        return await session.get(Broadcast, broadcast_id)
    locked.add(broadcast_id)
    return await session.get(Broadcast, broadcast_id, with_for_update=True)


async def _lock(session: AsyncSession, broadcast: Broadcast) -> None:
    """Lock the broadcast and read it afresh. Taken after its outbox rows, as the sender takes them
    (rows, then the broadcast), so that a press and a round never wait for each other in a circle."""
    await session.refresh(broadcast, with_for_update=True)
    session.info.setdefault(LOCKED, set()).add(broadcast.id)


async def pause(session: AsyncSession, broadcast: Broadcast, staff_id: int, now: datetime) -> bool:
    """Hold back what is not yet being sent; False if it was not sending."""
    if broadcast.status != BroadcastStatus.SENDING.value:
        return False
    await session.exec(update(OUTBOX).where(_rows_of(broadcast, PENDING, CLAIMED)).values(status=PAUSED))
    await _lock(session, broadcast)
    broadcast.status = BroadcastStatus.PAUSED.value
    session.add(broadcast)
    audit.record(session, at=now, actor=staff_id, action="broadcast.pause", detail=f"#{broadcast.id}")
    return True


async def resume(session: AsyncSession, broadcast: Broadcast, staff_id: int, now: datetime) -> bool:
    if broadcast.status != BroadcastStatus.PAUSED.value:
        return False
    await session.exec(update(OUTBOX).where(_rows_of(broadcast, PAUSED)).values(status=PENDING, claimed_at=None))
    await _lock(session, broadcast)
    broadcast.status = BroadcastStatus.SENDING.value
    session.add(broadcast)
    audit.record(session, at=now, actor=staff_id, action="broadcast.resume", detail=f"#{broadcast.id}")
    return True


async def cancel(session: AsyncSession, broadcast: Broadcast, staff_id: int, now: datetime) -> bool:
    """Drop every message not yet begun; the one being sent, if any, finishes. False if not running."""
    if broadcast.status not in RUNNING:
        return False
    result = await session.exec(
        update(OUTBOX)
        .where(_rows_of(broadcast, PENDING, CLAIMED, PAUSED))
        .values(status=Outcome.DROPPED.value, finished_at=now)
    )
    await _lock(session, broadcast)
    broadcast.dropped += int(result.rowcount)
    broadcast.status = BroadcastStatus.CANCELLED.value
    session.add(broadcast)
    audit.record(
        session, at=now, actor=staff_id, action="broadcast.cancel",
        detail=f"#{broadcast.id} not sent={result.rowcount}",
    )  # fmt: skip
    if remaining(broadcast) == 0:
        await _complete(session, broadcast, now)
    return True


def remaining(broadcast: Broadcast) -> int:
    done = broadcast.sent + broadcast.blocked + broadcast.failed + broadcast.uncertain + broadcast.dropped
    return max(broadcast.total - done, 0)


async def finished(session: AsyncSession, row: Outbox, outcome: Outcome) -> None:
    """The sender's word on one message (in its transaction): count it, and end the broadcast with its last."""
    broadcast = await get(session, int(row.key), lock=True)
    if broadcast is None:
        return
    name = COUNTERS[outcome]
    setattr(broadcast, name, getattr(broadcast, name) + 1)
    session.add(broadcast)
    if remaining(broadcast) == 0:
        await _complete(session, broadcast, row.finished_at or broadcast.created_at)


async def resent(session: AsyncSession, row: Outbox) -> None:
    """A message whose send had begun when the sender died goes out again: it may arrive twice."""
    broadcast = await get(session, int(row.key), lock=True)
    if broadcast is not None and broadcast.status in RUNNING:  # a cancelled one drops the row instead
        broadcast.resent += 1
        session.add(broadcast)
        if broadcast.status == BroadcastStatus.PAUSED.value:
            row.status = PAUSED
            session.add(row)


async def _complete(session: AsyncSession, broadcast: Broadcast, now: datetime) -> None:
    """The last message is done: keep the figures, delete who the recipients were, and audit."""
    await session.flush()
    await session.exec(delete(Outbox).where(col(Outbox.purpose) == PURPOSE, col(Outbox.key) == str(broadcast.id)))
    if broadcast.status != BroadcastStatus.CANCELLED.value:
        broadcast.status = BroadcastStatus.DONE.value
    broadcast.finished_at = now
    session.add(broadcast)
    audit.record(
        session, at=now, actor=broadcast.created_by, action=f"broadcast.{broadcast.status}",
        detail=f"#{broadcast.id} recipients={broadcast.total} sent={broadcast.sent} blocked={broadcast.blocked} "
        f"failed={broadcast.failed} uncertain={broadcast.uncertain} not sent={broadcast.dropped} "
        f"sent twice at most={broadcast.resent}",
    )  # fmt: skip


async def recent(session: AsyncSession, limit: int = 10) -> list[Broadcast]:
    """The latest broadcasts that were sent (drafts are their writers' own business)."""
    result = await session.exec(
        select(Broadcast)
        .where(col(Broadcast.status) != BroadcastStatus.DRAFT.value)
        .order_by(col(Broadcast.id).desc())
        .limit(limit)
    )
    return list(result)


async def running(session: AsyncSession) -> list[Broadcast]:
    """Broadcasts whose progress message may need a new figure: running, or ended and not yet shown so."""
    result = await session.exec(
        select(Broadcast).where(
            col(Broadcast.progress_message).is_not(None),
            col(Broadcast.progress_chat).is_not(None),
            col(Broadcast.status).in_([*RUNNING, BroadcastStatus.DONE.value, BroadcastStatus.CANCELLED.value]),
            col(Broadcast.progress_shown).is_(None) | ~col(Broadcast.progress_shown).startswith("end:"),
        )
    )
    return list(result)


async def forget(session: AsyncSession, *, supporter_id: int | None, telegram_id: int, now: datetime) -> None:
    """/forget: a recipient leaves every broadcast under way (it can then still end and forget its
    recipients); a coordinator's drafts go, and the broadcasts they sent stay with their id, as a record
    of what they did (README, "Roles and the audit log"); the chat that showed the progress is forgotten."""
    if supporter_id is not None:
        rows = await session.exec(
            select(Outbox).where(
                col(Outbox.supporter_id) == supporter_id,
                col(Outbox.purpose) == PURPOSE,
                col(Outbox.status).in_(UNFINISHED),
            )
        )
        for row in list(rows):
            await session.delete(row)
            broadcast = await get(session, int(row.key), lock=True)
            if broadcast is not None and broadcast.finished_at is None:
                broadcast.total -= 1
                session.add(broadcast)
                if broadcast.status != BroadcastStatus.DRAFT.value and remaining(broadcast) == 0:
                    await _complete(session, broadcast, now)
    await session.exec(
        delete(Broadcast).where(
            col(Broadcast.created_by) == telegram_id, col(Broadcast.status) == BroadcastStatus.DRAFT.value
        )
    )
    await session.exec(update(Broadcast).where(col(Broadcast.progress_chat) == telegram_id).values(progress_chat=None))
