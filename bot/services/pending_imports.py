"""An admin's import from the chat, between the dry run and Apply: the documents as they were
downloaded, kept in the database (a second replica may receive the press), for an hour at most.

The bytes are kept until the import is applied, cancelled or expired, and no longer: the periodic
cleanup deletes what ran out.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.models import PendingImport, PendingImportFile

LIFETIME = timedelta(hours=1)
NAME_LENGTH = 255  # PendingImportFile.name
OPEN, APPLIED, CANCELLED, EXPIRED = "open", "applied", "cancelled", "expired"


def is_expired(pending: PendingImport, now: datetime) -> bool:
    expires = pending.expires_at if pending.expires_at.tzinfo else pending.expires_at.replace(tzinfo=now.tzinfo)
    return pending.status == EXPIRED or (pending.status == OPEN and now >= expires)


async def start(session: AsyncSession, admin: int, now: datetime) -> tuple[PendingImport, PendingImport | None]:
    """A fresh import for this admin, and the one they had open, now cancelled (its files dropped): the
    caller says so and audits it."""
    current = await open_of(session, admin, now)
    if current is not None:
        await close(session, current, CANCELLED)
    pending = PendingImport(admin_telegram_id=admin, created_at=now, expires_at=now + LIFETIME, status=OPEN)
    session.add(pending)
    await session.flush()
    return pending, current


async def open_of(session: AsyncSession, admin: int, now: datetime) -> PendingImport | None:
    """The admin's newest import still waiting for files or a decision, if it has not run out."""
    newest = await session.exec(
        select(PendingImport)
        .where(col(PendingImport.admin_telegram_id) == admin, col(PendingImport.status) == OPEN)
        .order_by(col(PendingImport.id).desc())
        .limit(1)
    )
    pending = newest.first()
    return None if pending is None or is_expired(pending, now) else pending


async def get(session: AsyncSession, import_id: int) -> PendingImport | None:
    """The import a button names, locked against a second press handled at the same moment elsewhere."""
    found = await session.exec(select(PendingImport).where(col(PendingImport.id) == import_id).with_for_update())
    return found.first()


async def add_file(session: AsyncSession, pending: PendingImport, name: str, content: bytes) -> str | None:
    """Add a document to the import. One with the same name, or the same bytes, replaces the one sent
    before (its name is returned): a corrected file, or the same file sent twice, then mends the import
    rather than doubling every row."""
    assert pending.id is not None
    name = name[:NAME_LENGTH]
    rows = await session.exec(select(PendingImportFile).where(col(PendingImportFile.import_id) == pending.id))
    replaced = next((row for row in rows.all() if row.name == name or bytes(row.content) == content), None)
    session.add(PendingImportFile(import_id=pending.id, name=name, content=content))
    if replaced is None:
        return None
    await session.delete(replaced)
    return replaced.name


async def files_of(session: AsyncSession, pending: PendingImport) -> list[tuple[str, bytes]]:
    """(name, content) of each document, in the order they were sent."""
    rows = await session.exec(
        select(PendingImportFile.name, PendingImportFile.content)
        .where(col(PendingImportFile.import_id) == pending.id)
        .order_by(col(PendingImportFile.id))
    )
    return [(name, bytes(content)) for name, content in rows.all()]


async def close(session: AsyncSession, pending: PendingImport, status: str) -> None:
    """Applied, cancelled or expired: the status stays (a later press is told which), the bytes go."""
    pending.status = status
    session.add(pending)
    await session.exec(delete(PendingImportFile).where(col(PendingImportFile.import_id) == pending.id))


async def prune(session: AsyncSession, now: datetime) -> int:
    """Delete imports past their hour, whatever became of them (their files go with them)."""
    gone = await session.exec(select(PendingImport.id).where(col(PendingImport.expires_at) <= now))
    ids = list(gone.all())
    if ids:
        await session.exec(delete(PendingImportFile).where(col(PendingImportFile.import_id).in_(ids)))
        await session.exec(delete(PendingImport).where(col(PendingImport.id).in_(ids)))
    return len(ids)
