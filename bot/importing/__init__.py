"""Importing and exporting the prisoner list: files in, checked rows out, one transaction to apply.

With any bad row nothing is written: the report names every bad row with its place and reason.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import db
from bot.clock import system_clock
from bot.importing import files, record, viasna
from bot.importing.changes import Changes, classify
from bot.services import prisoners


@dataclass
class Plan:
    """What an import would do: good rows to apply, rows skipped on purpose, and errors."""

    records: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)
    changes: Changes = field(default_factory=Changes)  # filled in by `run`, which knows the current rows


def plan(raw_files: list[files.RawFile], existing: dict[str, dict[str, str]]) -> Plan:
    """Check every row of every file; `existing` holds the current rows by source id (for Viasna)."""
    result = Plan()
    own_rows: list[tuple[str, dict[str, str]]] = []
    viasna_people: dict[str, viasna.Joined] = {}
    for raw in raw_files:
        result.errors.extend((f"{raw.path.name}: {where}", reason) for where, reason in raw.errors)
        if raw.kind == "own":
            own_rows.extend((f"{raw.path.name}: {where}", values) for where, values in raw.rows)
            continue
        language = raw.language or "ru"
        for where, values in raw.rows:
            person = viasna_people.setdefault(viasna.clean(values.get("id")), viasna.Joined())
            if language in person.by_language:
                result.errors.append(
                    (f"{raw.path.name}: {where}", f"two {language} exports give id {values.get('id')}")
                )
            person.by_language[language] = viasna.ViasnaRow(f"{raw.path.name}: {where}", values)
    for source_id, person in viasna_people.items():
        # A person never imported (status np) cannot spoil the import with an odd field.
        problems = [] if viasna.is_not_recognised(person) else viasna.problems(person)
        if problems:
            result.errors.extend(problems)
            continue
        row, reason = viasna.to_own_row(person, existing.get(source_id))
        if row is None:
            result.skipped.append((person.where, reason or "skipped"))
        else:
            own_rows.append((person.where, row))
    seen: dict[str, str] = {}
    for where, values in own_rows:
        parsed = record.parse_row(values, where)
        source_id = parsed.values.get("source_id", "")
        if source_id and source_id in seen:
            parsed.errors.append(f"source_id {source_id!r} also at {seen[source_id]}")
        seen.setdefault(source_id, where)
        if parsed.errors:
            result.errors.extend((where, reason) for reason in parsed.errors)
        else:
            result.records.append(parsed.values)
    return result


async def apply(
    database: db.Database, raw_files: list[files.RawFile], *, dry_run: bool, actor: int | None = None
) -> tuple[Plan, prisoners.Counts | None]:
    """Plan and, when every row is good (and not a dry run), apply in one transaction."""
    async with database.transaction() as session:
        result, counts = await run(session, raw_files, dry_run=dry_run, now=system_clock(), actor=actor)
    if not dry_run and counts is not None and counts.new + counts.updated:
        await database.analyze("prisoner")
    return result, counts


async def run(
    session: AsyncSession, raw_files: list[files.RawFile], *, dry_run: bool, now: datetime, actor: int | None
) -> tuple[Plan, prisoners.Counts | None]:
    """The import in the caller's transaction, for the command line and the chat alike: plan every row,
    name the changes that matter (`Plan.changes`), and, when every row is good, upsert. A dry run
    upserts inside a savepoint and rolls it back, so its counts are exactly what applying would give.

    Applying first waits for any other import being applied (`serialise`), so that it plans from what that
    one wrote, not from reads taken before it committed."""
    if not dry_run:
        await serialise(session)
    ids = [viasna.clean(v.get("id")) for raw in raw_files if raw.kind == "viasna" for _, v in raw.rows]
    current = await prisoners.by_source_id(session, ids)
    existing = {
        source_id: record.to_row({key: getattr(p, key) for key in prisoners.IMPORTED})
        for source_id, p in current.items()
    }
    result = plan(raw_files, existing)
    if result.errors:
        return result, None
    current.update(await prisoners.by_source_id(session, [values["source_id"] for values in result.records]))
    result.changes = classify(
        result.records,
        {source_id: {key: getattr(p, key) for key in prisoners.IMPORTED} for source_id, p in current.items()},
    )
    if not dry_run:
        counts = await prisoners.upsert(session, result.records, now=now, actor=actor, skipped=len(result.skipped))
        return result, counts
    savepoint = await session.begin_nested()
    try:
        counts = await prisoners.upsert(session, result.records, now=now, actor=actor, skipped=len(result.skipped))
    finally:
        await savepoint.rollback()
    return result, counts


APPLY_LOCK = 0x1E77E2B0  # pg_advisory_xact_lock's key for applying an import (any fixed number would do)


async def serialise(session: AsyncSession) -> None:
    """One import applied at a time, whoever applies it (two admins, the chat and the command line): on
    PostgreSQL an advisory lock held until the transaction ends; SQLite needs none, as the engine takes
    its one write lock at BEGIN (bot/db.py)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.exec(text("SELECT pg_advisory_xact_lock(:key)").bindparams(key=APPLY_LOCK))  # type: ignore[call-overload]


def version(raw_files: list[files.RawFile], result: Plan, counts: prisoners.Counts) -> tuple[int, str]:
    """What a dry run showed, small enough for a button: the number of files and a digest of the rows it
    would write, the rows it skips, the counts and the changes it names. Apply compares it with a plan
    made at the press, and applies only what was shown."""
    shown = {
        "records": result.records,
        "skipped": result.skipped,
        "counts": [counts.new, counts.updated, counts.unchanged, counts.skipped],
        "changes": [[kind, [person.source_id for person in people]] for kind, people in result.changes.by_kind()],
    }
    encoded = json.dumps(shown, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")
    return len(raw_files), hashlib.sha256(encoded).hexdigest()[:DIGEST_LENGTH]


DIGEST_LENGTH = 12  # hex digits: a chance collision between two plans of one import is beyond concern


FLAGS = ("in_custody", "can_write", "letters_blocked", "incommunicado")


def write_export(path: Path, rows: list[dict[str, str]]) -> None:
    path.write_bytes(export_bytes(rows, "json" if path.suffix.lower() == ".json" else "csv"))


def export_bytes(rows: list[dict[str, str]], kind: str) -> bytes:
    """The list in the own format, CSV or JSON: the same bytes for the command line and the chat."""
    if kind == "json":
        typed = [
            {key: (value == "true" if key in FLAGS else value or None) for key, value in row.items()} for row in rows
        ]
        return (json.dumps(typed, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    text = io.StringIO(newline="")
    writer = csv.DictWriter(text, fieldnames=record.COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return text.getvalue().encode("utf-8")


async def export_rows(database: db.Database) -> list[dict[str, str]]:
    async with database.transaction() as session:
        return await rows_of(session)


async def rows_of(session: AsyncSession) -> list[dict[str, str]]:
    return [record.to_row(values) for values in await prisoners.all_values(session)]
