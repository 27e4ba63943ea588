"""Two replicas on one PostgreSQL database: two real Applications, built by the wiring function, get the
same users' first updates at the same moment (as webhook replicas would) and neither fails."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import select
from telegram import Update

from bot.app import build_application
from bot.db import Database
from bot.importing import record
from bot.models import AuditEntry, Letter, LetterKind, LetterTally, Role, RoleGrant, Supporter
from bot.sandbox.http import api_server
from bot.sandbox.telegram import EmulatedTelegram
from bot.services import letters, prisoners, roles, supporters
from tests.harness import TOKEN, FakeClock, make_settings

pytestmark = pytest.mark.postgres
NEW_USERS = 20


@pytest.fixture
async def replicas(postgres_url: str) -> AsyncIterator[tuple[EmulatedTelegram, list[Any]]]:
    clock = FakeClock()
    telegram = EmulatedTelegram(TOKEN, clock=clock.monotonic)
    server = api_server(telegram)
    settings = make_settings(postgres_url, server.start())
    applications = [build_application(settings, clock=clock.utc, sleep=clock.sleep) for _ in range(2)]
    for application in applications:
        await application.initialize()
    try:
        yield telegram, applications
    finally:
        for application in applications:
            await application.bot_data["deps"].db.dispose()
            await application.shutdown()
        await server.stop()


async def test_first_contact_on_two_replicas_at_once(
    replicas: tuple[EmulatedTelegram, list[Any]], caplog: pytest.LogCaptureFixture
) -> None:
    telegram, applications = replicas
    caplog.set_level(logging.ERROR)
    for user_id in range(5001, 5001 + NEW_USERS):
        telegram.add_user(user_id, "New", "en")
        await telegram.send_text(user_id, "/start")
    updates = list(telegram.state.updates)
    # Every update reaches both replicas at the same moment (a redelivery, or a second replica).
    await asyncio.gather(
        *(app.process_update(Update.de_json(body, app.bot)) for body in updates for app in applications)
    )
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR], caplog.text
    database: Database = applications[0].bot_data["deps"].db
    async with database.transaction() as session:
        per_user = (
            await session.exec(select(Supporter.telegram_id, func.count()).group_by(Supporter.telegram_id))
        ).all()
    assert sorted(per_user) == [(user_id, 1) for user_id in range(5001, 5001 + NEW_USERS)]
    for user_id in range(5001, 5001 + NEW_USERS):
        greetings = [m for m in telegram.bot_messages(user_id) if "/suggest" in m["text"] or "Hello" in m["text"]]
        assert len(greetings) >= 2  # each replica answered its copy: no apology instead
    assert not any("Sorry" in m["text"] for uid in range(5001, 5001 + NEW_USERS) for m in telegram.bot_messages(uid))


async def test_a_role_granted_twice_at_once_is_granted_once(replicas: tuple[EmulatedTelegram, list[Any]]) -> None:
    _, applications = replicas
    databases: list[Database] = [app.bot_data["deps"].db for app in applications]
    now = datetime(2026, 3, 1, tzinfo=UTC)

    async def grant(database: Database) -> bool:
        async with database.transaction() as session:
            return await roles.grant(session, telegram_id=777, role=Role.COORDINATOR, by=900, now=now)

    results = await asyncio.gather(*(grant(database) for database in databases * 5))
    assert sorted(results) == [False] * 9 + [True]
    async with databases[0].transaction() as session:
        assert (await session.exec(select(func.count()).select_from(RoleGrant))).one() == 1
        audited = (await session.exec(select(func.count()).select_from(AuditEntry))).one()
    assert audited == 1  # only the grant that happened is audited


async def test_the_same_letter_logged_on_two_replicas_at_once_counts_once(
    replicas: tuple[EmulatedTelegram, list[Any]],
) -> None:
    _, applications = replicas
    databases: list[Database] = [app.bot_data["deps"].db for app in applications]
    now = datetime(2026, 3, 1, tzinfo=UTC)
    row = record.parse_row({"source_id": "p", "name_be": "А", "name_ru": "А", "status": "former"}, "line 2")
    async with databases[0].transaction() as session:
        await prisoners.upsert(session, [row.values], now=now, actor=None)
        pid = (await prisoners.by_source_id(session, ["p"]))["p"].id or 0
        sid = (await supporters.touch(session, 4321, now)).id or 0

    async def log(database: Database) -> letters.Outcome:
        async with database.transaction() as session:
            return await letters.record(
                session, supporter_id=sid, prisoner_id=pid, sent_on=now.date(), kind=LetterKind.LETTER,
                occasion=None, now=now, today=now.date(), daily_cap=10,
            )  # fmt: skip

    outcomes = await asyncio.gather(*(log(database) for database in databases * 3))
    assert Counter(outcomes) == Counter({letters.Outcome.SAVED: 1, letters.Outcome.ALREADY: 5})
    async with databases[0].transaction() as session:
        assert (await session.exec(select(func.count()).select_from(Letter))).one() == 1
        assert (await session.exec(select(func.sum(LetterTally.letters)))).one() == 1


async def test_two_replicas_sweeping_and_sending_at_once_send_each_reminder_once(
    replicas: tuple[EmulatedTelegram, list[Any]],
) -> None:
    from bot import jobs

    telegram, applications = replicas
    at = datetime(2026, 4, 30, 16, 0, tzinfo=UTC)  # 19:00 in Minsk, 21 days before 21 May
    first = applications[0].bot_data["deps"]
    clock = first.clock.__self__  # the FakeClock both replicas run on
    clock.advance((at - clock.utc()).total_seconds())
    users = range(6001, 6031)
    async with first.db.transaction() as session:
        for user_id in users:
            telegram.add_user(user_id, "Ala", "en")
            await supporters.touch(session, user_id, at)
    await asyncio.gather(
        *(
            jobs.run_reminders(app.bot_data["deps"], app.bot, jobs.pacer_for(app.bot_data["deps"]))
            for app in applications
            for _ in range(2)
        )
    )
    for app in applications:  # whoever stood down the first time finds nothing left, or sends the rest
        await jobs.run_reminders(app.bot_data["deps"], app.bot, jobs.pacer_for(app.bot_data["deps"]))
    for user_id in users:
        assert [m["text"][:1] for m in telegram.bot_messages(user_id)] == ["🔔"], user_id
