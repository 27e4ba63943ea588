"""The draft check a supporter has open: where it was opened from, and what the parts of a long draft
contained so far (list entries only: the draft itself is never stored, docs/domain.md, Writer safety).

The screen opens at /check or a "Check my draft" button and waits for a draft as long as it takes.
After a report it stays open for SCREEN_OPEN: the next text is checked again without /check. A text
that follows a long part within PART_GAP is the next part of the same draft (Telegram clients split a
text over 4096 characters into messages sent one right after another) and extends the same result.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import col, delete, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.models import DraftCheck, Supporter
from bot.rules.draft_check import Earlier, Report

PENDING = "draft"  # Supporter.pending_input while the check is open
SCREEN_OPEN = timedelta(hours=1)
KEEP = timedelta(days=1)  # a check left open (waiting for a draft) is closed a day after it was last used
PART_GAP = timedelta(seconds=30)  # the parts come within a second or two; a revised draft takes longer
PART_MIN = 3000  # characters: Telegram cuts at 4096, clients at a line or a space before it
FOUND_MAX = 4000  # characters of entry keys kept (the column's length); more are not needed to warn


async def open_screen(session: AsyncSession, supporter_id: int, now: datetime, back_to: str | None) -> DraftCheck:
    """Open (or open again) the check: waiting for a draft, nothing of an earlier one kept."""
    row = await session.get(DraftCheck, supporter_id)
    if row is None:
        row = DraftCheck(supporter_id=supporter_id, opened_at=now)
    row.opened_at, row.back_to, row.parts, row.length, row.found = now, back_to, 0, 0, None
    session.add(row)
    return row


async def get(session: AsyncSession, supporter_id: int) -> DraftCheck | None:
    return await session.get(DraftCheck, supporter_id)


def is_open(row: DraftCheck, now: datetime) -> bool:
    return row.parts == 0 or now - _aware(row.opened_at) <= SCREEN_OPEN


def earlier(row: DraftCheck | None, now: datetime) -> Earlier | None:
    """The parts before, if a text arriving now continues them."""
    if row is None or row.found is None or now - _aware(row.opened_at) > PART_GAP:
        return None
    return Earlier.from_marks(row.found.split("\n") if row.found else [], row.length, row.parts)


async def record(session: AsyncSession, row: DraftCheck, now: datetime, report: Report, part_length: int) -> None:
    """A part was checked: keep the screen open, and what it found only if another part may follow."""
    row.opened_at, row.parts, row.length = now, report.parts, report.length
    row.found = _fitting(report.kept().marks()) if part_length >= PART_MIN else None
    session.add(row)


async def close(session: AsyncSession, supporter_id: int) -> None:
    await session.exec(delete(DraftCheck).where(col(DraftCheck.supporter_id) == supporter_id))


def _fitting(marks: list[str]) -> str:
    kept: list[str] = []
    for mark in marks:
        if sum(len(m) + 1 for m in kept) + len(mark) > FOUND_MAX:
            break
        kept.append(mark)
    return "\n".join(kept)


def _aware(moment: datetime) -> datetime:
    """SQLite hands datetimes back without their zone; they are stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


async def prune(session: AsyncSession, now: datetime) -> None:
    """A check left open is closed a day after it was last used (bot/privacy.py says so)."""
    await session.exec(delete(DraftCheck).where(col(DraftCheck.opened_at) < now - KEEP))
    still_open = select(DraftCheck.supporter_id)
    await session.exec(
        update(Supporter)
        .where(col(Supporter.pending_input) == PENDING, col(Supporter.id).not_in(still_open))
        .values(pending_input=None)
    )
