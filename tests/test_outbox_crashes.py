"""The sender when things go wrong around it: a crash mid-delivery, a stop half-way through a batch, two
senders (or two claims) at the same moment. Same rig as tests/test_outbox_delivery.py."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.db import Database
from bot.delivery import claims, sender
from bot.delivery.outcomes import PENDING, SENDING, Outcome
from bot.models import Outbox
from tests.test_outbox_delivery import Rig, build_deps, rig

__all__ = ["rig"]  # the fixture, shared with tests/test_outbox_delivery.py


async def test_rows_left_sending_by_a_crash_become_uncertain_and_are_not_sent(rig: Rig) -> None:
    crashed, recent = await rig.queue(171), await rig.queue(172)
    now = rig.clock.utc()
    await claim_as_a_sender_did(rig.deps.db, crashed[0], now - timedelta(minutes=20))
    await claim_as_a_sender_did(rig.deps.db, recent[0], now - timedelta(minutes=1))
    async with rig.deps.db.transaction() as session:
        assert await sender.recover(session, now, rig.purposes(), stale_after=timedelta(minutes=10)) == 1
    rows = await rig.rows()
    assert (rows[crashed[0]].status, utc(rows[crashed[0]].finished_at)) == ("uncertain", now)
    assert rows[recent[0]].status == SENDING  # perhaps a sender still at work on it
    assert rig.told.outcomes == [(crashed[0], Outcome.UNCERTAIN)]
    assert (await rig.deliver()).total == 0 and rig.sends() == []


def utc(moment: datetime | None) -> datetime | None:
    """SQLite gives back the stored UTC moment without its time zone."""
    return moment if moment is None or moment.tzinfo is not None else moment.replace(tzinfo=UTC)


async def claim_as_a_sender_did(database: Database, row_id: int, at: datetime) -> None:
    async with database.transaction() as session:
        row = await session.get(Outbox, row_id)
        assert row is not None
        row.status, row.claimed_at = SENDING, at
        session.add(row)


async def test_a_stop_gives_the_rows_not_attempted_back(rig: Rig) -> None:
    await rig.queue(*range(181, 191))
    # At 25 a second: rows begun until 0.1 s had passed, sent at 0, 0.04, 0.08 and 0.12 s.
    stats = await rig.deliver(budget=0.1)
    assert stats.counts == {Outcome.SENT: 4}
    rows = await rig.rows()
    assert sorted(row.status for row in rows.values()) == ["pending"] * 6 + ["sent"] * 4
    assert all(row.claimed_at is None for row in rows.values() if row.status == PENDING)
    assert (await rig.deliver()).counts == {Outcome.SENT: 6}
    assert [len(rig.sends(chat)) for chat in range(181, 191)] == [1] * 10


async def test_two_senders_at_once_send_every_row_exactly_once(rig: Rig, database_url: str) -> None:
    await rig.queue(*range(201, 231))
    other = build_deps(database_url, rig.server.port, rig.clock)  # its own engine, as another process has
    try:
        first, second = await asyncio.gather(
            rig.deliver(), sender.deliver_due(other, rig.bot, rig.pacer(), rig.purposes())
        )
    finally:
        await other.db.dispose()
    assert sorted([first.busy, second.busy]) == [False, True]  # one stood down at once
    assert first[Outcome.SENT] + second[Outcome.SENT] == 30
    assert [len(rig.sends(chat)) for chat in range(201, 231)] == [1] * 30


@pytest.mark.parametrize("database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
async def test_two_claims_at_once_take_different_rows(rig: Rig, database_url: str) -> None:
    """Even without the sender's lock, two transactions claiming at the same moment never share a row:
    the second skips the rows the first has locked instead of waiting for them (or taking them too)."""
    ids = await rig.queue(*range(241, 251))
    other = Database(database_url)
    now = rig.clock.utc()
    try:
        async with asyncio.timeout(10), rig.deps.db.transaction() as one, other.transaction() as two:
            first = await claims.claim(one, now, ["test"], 6)
            second = await claims.claim(two, now, ["test"], 6)
    finally:
        await other.dispose()
    assert (first, second) == (ids[:6], ids[6:])
