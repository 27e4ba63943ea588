"""Refused privileged commands and buttons, counted per day and what was tried.

A refusal names nobody: most come from supporters (never kept in the audit log), and a forged press
repeated a million times must add to a count, not a million rows.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.models import RefusalTally
from bot.services import upsert

WHAT_LENGTH = 64  # RefusalTally.what


async def tally(session: AsyncSession, day: date, what: str) -> None:
    """Count one refusal: one statement, so that presses at the same moment on several replicas all count."""
    statement = (
        upsert.insert(session, RefusalTally)
        .values(day=day, what=what[:WHAT_LENGTH], times=1)
        .on_conflict_do_update(index_elements=["day", "what"], set_={"times": col(RefusalTally.times) + 1})
    )
    await session.exec(statement)


async def since(session: AsyncSession, first_day: date) -> list[tuple[str, int]]:
    """What was refused from `first_day` on, most refused first."""
    total = func.sum(RefusalTally.times)
    rows = await session.exec(
        select(RefusalTally.what, total)
        .where(col(RefusalTally.day) >= first_day)
        .group_by(col(RefusalTally.what))
        .order_by(total.desc(), col(RefusalTally.what))
    )
    return [(what, int(times)) for what, times in rows.all()]
