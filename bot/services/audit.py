"""The audit log of privileged actions: who (a staff member's Telegram id, or None for an operator at the
command line), what, and when. A supporter's id never goes in: refusals are counted without anyone
(bot/services/refusals.py), and a staff member's id stays after their /forget (README, "Roles and the
audit log")."""

from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.models import AuditEntry


def record(
    session: AsyncSession,
    *,
    at: datetime,
    actor: int | None,
    action: str,
    subject: int | None = None,
    detail: str | None = None,
) -> None:
    """Add an audit row in the caller's transaction (actor None: an operator at the command line)."""
    session.add(
        AuditEntry(
            at=at,
            actor_telegram_id=actor,
            action=action,
            subject_telegram_id=subject,
            detail=detail,
        )
    )


async def latest(session: AsyncSession, limit: int) -> list[AuditEntry]:
    """The newest `limit` entries, newest first."""
    newest = select(AuditEntry).order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
    rows = await session.exec(newest.limit(limit))
    return list(rows.all())
