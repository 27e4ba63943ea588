"""The audit log of privileged actions."""

from datetime import datetime

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
