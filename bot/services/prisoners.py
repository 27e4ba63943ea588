"""The prisoner list: upsert imported rows by source id, and read it back for export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.importing.record import COLUMNS
from bot.models import Prisoner
from bot.rules import filters, names
from bot.services import audit

# The model columns an import sets (everything but the key and what the bot derives or counts).
DERIVED = ("id", "updated_at", "search_key", "facility_key", "load_ref")
IMPORTED = tuple(name for name in Prisoner.model_fields if name not in DERIVED)


@dataclass
class Counts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, datetime) and isinstance(b, datetime):  # SQLite hands back naive UTC
        return (a if a.tzinfo else a.replace(tzinfo=UTC)) == (b if b.tzinfo else b.replace(tzinfo=UTC))
    return bool(a == b)


async def by_source_id(session: AsyncSession, source_ids: list[str]) -> dict[str, Prisoner]:
    found: dict[str, Prisoner] = {}
    for start in range(0, len(source_ids), 500):  # stay below the databases' parameter limits
        chunk = source_ids[start : start + 500]
        result = await session.exec(select(Prisoner).where(col(Prisoner.source_id).in_(chunk)))
        found.update({prisoner.source_id: prisoner for prisoner in result.all()})
    return found


async def upsert(
    session: AsyncSession,
    records: list[dict[str, Any]],
    *,
    now: datetime,
    actor: int | None,
    skipped: int = 0,
) -> Counts:
    """Insert new people, update changed ones, leave the rest; one audit row for the whole import."""
    counts = Counts(skipped=skipped)
    existing = await by_source_id(session, [values["source_id"] for values in records])
    for values in records:
        prisoner = existing.get(values["source_id"])
        if prisoner is None:
            prisoner = Prisoner(**{k: values[k] for k in IMPORTED}, updated_at=now)
            derive(prisoner)
            session.add(prisoner)
            counts.new += 1
        elif all(_same(getattr(prisoner, key), values[key]) for key in IMPORTED):
            counts.unchanged += 1
        else:
            for key in IMPORTED:
                setattr(prisoner, key, values[key])
            derive(prisoner)
            prisoner.updated_at = now
            session.add(prisoner)
            counts.updated += 1
    detail = f"new={counts.new} updated={counts.updated} unchanged={counts.unchanged} skipped={counts.skipped}"
    audit.record(session, at=now, actor=actor, action="prisoners.import", detail=detail)
    return counts


def derive(prisoner: Prisoner) -> None:
    """What the bot keeps beside the imported values: the search key and the facility's key (also after
    an admin's change in the chat: bot/services/prisoner_edits.py)."""
    prisoner.search_key = names.search_key(prisoner.name_be, prisoner.name_ru, prisoner.name_en)
    prisoner.facility_key = filters.key(prisoner.institution_ru) if prisoner.institution_ru else None


async def all_values(session: AsyncSession) -> list[dict[str, Any]]:
    result = await session.exec(select(Prisoner).order_by(col(Prisoner.source_id)))
    return [{key: getattr(prisoner, key) for key in IMPORTED} for prisoner in result.all()]


assert set(COLUMNS) - {"birth_date"} <= set(IMPORTED), "every import column has a model field"
