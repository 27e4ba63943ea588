"""Migration 0003 on a database with data: a letter logged twice counts once (in the tallies and the
load too), facilities get their keys, a facility filter moves from the name to the key, and the
downgrade gives the name back."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa

from bot import db
from bot.rules import filters
from tests.test_import_boundaries import derived_values, empty_database_url, fill_revision_0001

__all__ = ["empty_database_url"]  # the fixture, shared with the 0002 test
FACILITY = "Исправительная колония №4 " + "очень длинное название " * 3


async def execute(url: str, *statements: str) -> list[list[tuple[object, ...]]]:
    engine = db.create_engine(url)
    try:
        async with engine.begin() as connection:
            results = [await connection.execute(sa.text(statement)) for statement in statements]
            return [[tuple(row) for row in result] if result.returns_rows else [] for result in results]
    finally:
        await engine.dispose()


def test_migration_0003_on_existing_data(empty_database_url: str) -> None:
    url = empty_database_url
    db.upgrade(url, "0001")
    asyncio.run(fill_revision_0001(url))  # three letters, two of them the same letter logged twice
    db.upgrade(url, "0002")
    asyncio.run(
        execute(
            url,
            "UPDATE letter SET reply_received = true WHERE id = 2",  # a reply marked on the second copy
            f"UPDATE prisoner SET institution_ru = '{FACILITY}' WHERE id = 1",
            "UPDATE prisoner SET institution_ru = 'ИК №2' WHERE id = 2",
            f"UPDATE supporter SET suggest_filter = 'fac:{FACILITY[:76]}'",
            "INSERT INTO supporter (id, telegram_id, is_active, created_at, last_seen_at, suggest_filter)"
            " VALUES (2, 78, true, '2024-03-02', '2024-03-02', 'fac:ИК №2')",
        )
    )
    db.upgrade(url, "0003")
    prisoners, tallies = asyncio.run(derived_values(url))
    assert [(p, str(day)[:10], n) for p, day, n in tallies] == [(1, "2024-01-31", 1), (1, "2024-03-01", 1)]
    assert prisoners[0][2] == pytest.approx(8.0 - 2.0)  # the duplicate's weight (2 on 31 January) is gone
    keys, letters, stored = asyncio.run(
        execute(
            url,
            "SELECT id, facility_key FROM prisoner ORDER BY id",
            "SELECT prisoner_id, sent_on, logged_on, reply_received FROM letter ORDER BY sent_on",
            "SELECT suggest_filter FROM supporter ORDER BY id",
        )
    )
    assert keys == [(1, filters.key(FACILITY)), (2, filters.key("ИК №2"))]
    assert [(p, str(sent)[:10], str(logged)[:10], bool(reply)) for p, sent, logged, reply in letters] == [
        (1, "2024-01-31", "2024-03-02", True),  # the reply marked on the copy is kept
        (1, "2024-03-01", "2024-03-02", False),
    ]
    # A filter saved with the old, cut name finds no facility: it is cleared rather than left broken.
    assert stored == [(None,), (f"fac:{filters.key('ИК №2')}",)]
    asyncio.run(execute(url, f"UPDATE supporter SET suggest_filter = 'fac:{filters.key(FACILITY)}' WHERE id = 1"))
    db.downgrade(url, "0002")
    (restored,) = asyncio.run(execute(url, "SELECT suggest_filter FROM supporter ORDER BY id"))
    assert restored == [(f"fac:{FACILITY[:76]}",), ("fac:ИК №2",)]
    db.upgrade(url, "head")
    db.check(url)
    if url.startswith("sqlite"):  # the rebuilt tables still refer to rows that exist
        (broken,) = asyncio.run(execute(url, "PRAGMA foreign_key_check"))
        assert broken == []
