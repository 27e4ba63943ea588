"""Importing and exporting the prisoner list: files in, checked rows out, one transaction to apply.

With any bad row nothing is written: the report names every bad row with its place and reason.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot import db
from bot.clock import system_clock
from bot.importing import files, record, viasna
from bot.services import prisoners


@dataclass
class Plan:
    """What an import would do: good rows to apply, rows skipped on purpose, and errors."""

    records: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)


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
        ids = [viasna.clean(v.get("id")) for raw in raw_files if raw.kind == "viasna" for _, v in raw.rows]
        current = await prisoners.by_source_id(session, ids)
        existing = {
            source_id: record.to_row({key: getattr(p, key) for key in prisoners.IMPORTED})
            for source_id, p in current.items()
        }
        result = plan(raw_files, existing)
        if result.errors:
            return result, None
        counts = await prisoners.upsert(
            session, result.records, now=system_clock(), actor=actor, skipped=len(result.skipped)
        )
        if dry_run:
            await session.rollback()
    if not dry_run and counts.new + counts.updated:
        await database.analyze("prisoner")
    return result, counts


FLAGS = ("in_custody", "can_write", "letters_blocked", "incommunicado")


def write_export(path: Path, rows: list[dict[str, str]]) -> None:
    if path.suffix.lower() == ".json":
        typed = [
            {key: (value == "true" if key in FLAGS else value or None) for key, value in row.items()} for row in rows
        ]
        path.write_text(json.dumps(typed, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=record.COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


async def export_rows(database: db.Database) -> list[dict[str, str]]:
    async with database.transaction() as session:
        return [record.to_row(values) for values in await prisoners.all_values(session)]
