"""The sender end to end: outbox rows on a real database (SQLite and PostgreSQL), sent over real HTTP to
the emulated Bot API, on a fake clock. The emulator's call log is the evidence of what was sent."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Bot
from telegram.request import HTTPXRequest

from bot import LOCALES_DIR, TEMPLATES_DIR
from bot.db import Database
from bot.delivery import sender
from bot.delivery.outcomes import Outcome
from bot.delivery.pacer import Pacer
from bot.delivery.sender import Purpose, Rendered
from bot.deps import Deps
from bot.i18n import I18n
from bot.models import Outbox, Supporter
from bot.sandbox.http import Server, api_server
from bot.sandbox.telegram import EmulatedTelegram
from bot.services.letter_texts import Library
from tests.harness import TOKEN, FakeClock, make_settings

TEXT = "<b>Three people you wrote to</b> have a birthday soon"


@dataclass
class Told:
    """What the test purpose's `finished` hook was told: (outbox id, outcome), in order."""

    outcomes: list[tuple[int, Outcome]] = field(default_factory=list)

    async def finished(self, session: AsyncSession, outbox: Outbox, outcome: Outcome) -> None:
        assert outbox.id is not None and outbox.status == outcome  # told after the row says it
        self.outcomes.append((outbox.id, outcome))


async def fixed_text(session: AsyncSession, outbox: Outbox, supporter: Supporter, deps: Deps) -> Rendered | None:
    return Rendered(TEXT)


@dataclass
class Rig:
    telegram: EmulatedTelegram
    server: Server
    deps: Deps
    bot: Bot
    clock: FakeClock
    told: Told = field(default_factory=Told)

    def pacer(self) -> Pacer:
        return Pacer(25, clock=self.clock.monotonic, sleep=self.clock.sleep)

    def purposes(self, render: sender.Render = fixed_text) -> dict[str, Purpose]:
        return {"test": Purpose(name="test", render=render, finished=self.told.finished)}

    async def deliver(self, render: sender.Render = fixed_text, **options: Any) -> sender.Stats:
        return await sender.deliver_due(self.deps, self.bot, self.pacer(), self.purposes(render), **options)

    async def queue(self, *telegram_ids: int, key: str = "2026-03-01", known: bool = True) -> list[int]:
        """A supporter for each id (a user of the emulated Telegram unless `known` is False), and a pending
        outbox row for each; the rows' ids."""
        now = self.clock.utc()
        async with self.deps.db.transaction() as session:
            rows = []
            for telegram_id in telegram_ids:
                if known:
                    self.telegram.add_user(telegram_id, "Ala")
                found = (await session.exec(select(Supporter).where(Supporter.telegram_id == telegram_id))).first()
                supporter = found or Supporter(telegram_id=telegram_id, created_at=now, last_seen_at=now)
                session.add(supporter)
                await session.flush()
                assert supporter.id is not None
                rows.append(Outbox(supporter_id=supporter.id, purpose="test", key=key, created_at=now))
            session.add_all(rows)
            await session.flush()
            return [row.id for row in rows if row.id is not None]

    async def rows(self) -> dict[int, Outbox]:
        async with self.deps.db.transaction() as session:
            return {row.id: row for row in await session.exec(select(Outbox)) if row.id is not None}

    async def supporter(self, telegram_id: int) -> Supporter:
        async with self.deps.db.transaction() as session:
            return (await session.exec(select(Supporter).where(Supporter.telegram_id == telegram_id))).one()

    def sends(self, chat_id: int | None = None) -> list[Any]:
        """Every sendMessage the emulator answered (refused ones too), to one chat or all."""
        return [
            call
            for call in self.telegram.state.calls
            if call.method == "sendMessage" and (chat_id is None or int(call.params["chat_id"]) == chat_id)
        ]


def build_deps(database_url: str, port: int, clock: FakeClock) -> Deps:
    """As bot/app.py builds them, on the fake clock."""
    settings = make_settings(database_url, port)
    return Deps(
        settings=settings,
        db=Database(database_url),
        i18n=I18n(LOCALES_DIR, TEMPLATES_DIR, settings.bot_default_locale),
        clock=clock.utc,
        library=Library(TEMPLATES_DIR),
        sleep=clock.sleep,
    )


@pytest.fixture
async def rig(database_url: str) -> AsyncIterator[Rig]:
    clock = FakeClock()
    telegram = EmulatedTelegram(TOKEN, clock=clock.monotonic)
    server = api_server(telegram)
    port = server.start()
    deps = build_deps(database_url, port, clock)
    try:
        async with Bot(TOKEN, base_url=deps.settings.telegram_api_base_url) as bot:
            yield Rig(telegram, server, deps, bot, clock)
    finally:
        await deps.db.dispose()
        await server.stop()
    assert not telegram.violations(), "a message was sent while a retry_after was pending"


async def test_pending_rows_are_sent_once_and_marked_sent(rig: Rig) -> None:
    ids = await rig.queue(101, 102, 103)
    stats = await rig.deliver()
    assert stats.counts == {Outcome.SENT: 3} and not stats.busy
    for chat_id in (101, 102, 103):
        assert [message["text"] for message in rig.telegram.bot_messages(chat_id)] == [
            "Three people you wrote to have a birthday soon"  # sent as HTML: the tags became entities
        ]
    rows = await rig.rows()
    assert {(row.status, row.attempts) for row in rows.values()} == {("sent", 1)}
    assert all(row.claimed_at is not None and row.finished_at is not None for row in rows.values())
    assert rig.told.outcomes == [(row_id, Outcome.SENT) for row_id in ids]


async def test_a_second_run_sends_only_what_was_added_since(rig: Rig) -> None:
    await rig.queue(111, 112)
    assert (await rig.deliver())[Outcome.SENT] == 2
    again = await rig.deliver()
    assert again.total == 0 and len(rig.sends()) == 2
    await rig.queue(113)
    assert (await rig.deliver())[Outcome.SENT] == 1
    assert [len(rig.sends(chat)) for chat in (111, 112, 113)] == [1, 1, 1]


async def test_a_user_who_blocked_the_bot_is_marked_inactive_and_never_asked_again(rig: Rig) -> None:
    first, later = await rig.queue(121), await rig.queue(121, key="2026-03-02")
    await rig.queue(122, known=False)  # Telegram does not know the chat: "chat not found"
    await rig.telegram.block(121)
    stats = await rig.deliver()
    assert stats.counts == {Outcome.BLOCKED: 3}
    assert len(rig.sends(121)) == 1  # the second row of the same person was not even tried
    assert len(rig.sends(122)) == 1
    assert not (await rig.supporter(121)).is_active and not (await rig.supporter(122)).is_active
    rows = await rig.rows()
    assert (rows[first[0]].attempts, rows[later[0]].attempts) == (1, 0)
    assert (await rig.deliver()).total == 0 and len(rig.sends()) == 2


async def test_a_429_is_waited_exactly_and_the_same_message_sent_again(rig: Rig) -> None:
    ids = await rig.queue(131, 132, 133)
    rig.telegram.flood(retry_after=7)
    stats = await rig.deliver()
    assert stats.counts == {Outcome.SENT: 3}
    refused, *accepted = rig.sends()
    assert refused.error_code == 429 and int(refused.params["chat_id"]) == 131
    assert accepted[0].params["chat_id"] == refused.params["chat_id"]
    assert accepted[0].at - refused.at == 7  # no sooner (a violation), no later
    assert rig.telegram.violations() == []
    assert [len(rig.telegram.bot_messages(chat)) for chat in (131, 132, 133)] == [1, 1, 1]
    assert (await rig.rows())[ids[0]].attempts == 2


async def test_a_send_that_timed_out_is_uncertain_and_not_sent_again(rig: Rig) -> None:
    await rig.queue(141, 142)
    rig.telegram.answer_late(141, seconds=10)
    impatient = Bot(TOKEN, base_url=rig.deps.settings.telegram_api_base_url, request=HTTPXRequest(read_timeout=0.3))
    async with impatient:
        pacer, purposes = rig.pacer(), rig.purposes()
        stats = await sender.deliver_due(rig.deps, impatient, pacer, purposes)
        assert stats.counts == {Outcome.UNCERTAIN: 1, Outcome.SENT: 1}
        assert (await sender.deliver_due(rig.deps, impatient, pacer, purposes)).total == 0
    assert len(rig.sends(141)) == 1
    assert len(rig.telegram.bot_messages(141)) == 1  # it did arrive: a second copy would have been a duplicate
    assert sorted(row.status for row in (await rig.rows()).values()) == ["sent", "uncertain"]


async def test_a_renderer_with_nothing_to_say_drops_the_row(rig: Rig) -> None:
    async def nothing_left(session: AsyncSession, outbox: Outbox, supporter: Supporter, deps: Deps) -> Rendered | None:
        return None

    [row_id] = await rig.queue(151)
    assert (await rig.deliver(nothing_left)).counts == {Outcome.DROPPED: 1}
    assert rig.sends() == []
    assert (await rig.rows())[row_id].status == "dropped"
    assert rig.told.outcomes == [(row_id, Outcome.DROPPED)]


async def test_a_message_telegram_refuses_fails_and_a_broken_renderer_stops_nothing(rig: Rig) -> None:
    async def unclosed_tag_or_bug(
        session: AsyncSession, outbox: Outbox, supporter: Supporter, deps: Deps
    ) -> Rendered | None:
        if supporter.telegram_id == 162:
            raise RuntimeError("a bug in a renderer")
        return Rendered("<b>unclosed" if supporter.telegram_id == 161 else TEXT)

    await rig.queue(161, 162, 163)
    stats = await rig.deliver(unclosed_tag_or_bug)
    assert stats.counts == {Outcome.FAILED: 2, Outcome.SENT: 1}
    assert [call.error_code for call in rig.sends()] == [400, None]  # the refused one was not retried
    assert (await rig.supporter(161)).is_active  # the message was wrong, not the person gone


async def test_finished_rows_are_pruned_after_the_privacy_promise(rig: Rig) -> None:
    old, recent, pending = await rig.queue(191), await rig.queue(192), await rig.queue(193)
    now = rig.clock.utc()
    async with rig.deps.db.transaction() as session:
        for row_id, days in ((old[0], 31), (recent[0], 29)):
            row = await session.get(Outbox, row_id)
            assert row is not None
            row.status, row.finished_at = "sent", now - timedelta(days=days)
            session.add(row)
    async with rig.deps.db.transaction() as session:
        assert await sender.prune(session, now) == 1
    assert sorted(await rig.rows()) == [recent[0], pending[0]]
