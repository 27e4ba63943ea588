"""The webhook replicas' ASGI app (bot/web), driven in process through httpx's ASGI transport: the real
Application, the emulated Bot API over HTTP, a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import hmac
import signal
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
import uvicorn
from sqlmodel import select
from starlette.applications import Starlette
from telegram import Update
from telegram.ext import Application, ContextTypes, TypeHandler

from bot import metrics, scheduling
from bot.app import build_application
from bot.db import Database
from bot.models import ProcessedUpdate
from bot.sandbox.http import Server, api_server
from bot.sandbox.telegram import EmulatedTelegram
from bot.services import processed_updates
from bot.web import app as web_app
from bot.web import intake, serve
from tests.harness import TOKEN, FakeClock, make_settings

SECRET = "s3cret-token_for-tests"
HEADER = "X-Telegram-Bot-Api-Secret-Token"
PATH = "/letterbot/hook"
MAX_BODY = 65_536


@dataclass
class Web:
    telegram: EmulatedTelegram
    server: Server
    client: httpx.AsyncClient
    readiness: web_app.Readiness
    database: Database
    clock: FakeClock
    application: Application[Any, Any, Any, Any, Any, Any]

    async def deliver(self, body: dict[str, Any], secret: str | None = SECRET) -> httpx.Response:
        headers = {HEADER: secret} if secret is not None else {}
        return await self.client.post(PATH, json=body, headers=headers)

    async def processed_ids(self) -> list[int]:
        async with self.database.transaction() as session:
            return list((await session.exec(select(ProcessedUpdate.update_id))).all())


@pytest.fixture
async def web(database_url: str) -> AsyncIterator[Web]:
    clock = FakeClock()
    telegram = EmulatedTelegram(TOKEN, clock=clock.monotonic)
    server = api_server(telegram)
    try:
        async with replica(database_url, telegram, server, server.start(), clock) as served:
            yield served
    finally:
        await server.stop()


@asynccontextmanager
async def replica(
    database_url: str, telegram: EmulatedTelegram, server: Server, port: int, clock: FakeClock
) -> AsyncIterator[Web]:
    """One replica's app, started, on the given database and emulated Telegram (served on `port`)."""
    settings = make_settings(
        database_url, port,
        BOT_WEBHOOK_URL=f"https://bot.example.org{PATH}", BOT_WEBHOOK_SECRET=SECRET,
        BOT_WEBHOOK_MAX_BODY=MAX_BODY,
    )  # fmt: skip
    application = build_application(settings, clock=clock.utc, sleep=clock.sleep, scheduled=False, webhook=True)
    assert application.updater is None
    readiness = web_app.Readiness()
    app = web_app.create(application, settings, readiness)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://bot") as client,
    ):
        yield Web(telegram, server, client, readiness, application.bot_data["deps"].db, clock, application)


def update_for(web: Web, user_id: int, text: str, update_id: int) -> dict[str, Any]:
    """A message update as Telegram would post it (its id chosen by the test)."""
    telegram = web.telegram
    if user_id not in telegram.state.users:
        telegram.add_user(user_id, "Test", "en")
    chat = telegram.chat(user_id)
    message: dict[str, Any] = {
        "message_id": chat.new_message_id(),
        "from": telegram.state.users[user_id].as_telegram(),
        "chat": chat.as_telegram(),
        "date": telegram.state.now(),
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": update_id, "message": message}


async def test_an_update_is_answered_only_after_it_was_handled(web: Web) -> None:
    response = await web.deliver(update_for(web, 4001, "/privacy", 101))
    assert response.status_code == 200
    # By the time the 200 came, the reply had been sent and the update recorded.
    assert len(web.telegram.bot_messages(4001)) == 1
    assert await web.processed_ids() == [101]


async def test_a_wrong_or_missing_secret_is_refused_and_nothing_is_handled(
    web: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(given: bytes, expected: bytes) -> bool:
        compared.append((given, expected))
        return real(given, expected)

    monkeypatch.setattr(hmac, "compare_digest", spy)  # the app calls it through the module
    assert (await web.deliver(update_for(web, 4002, "/privacy", 201), secret="not-" + SECRET)).status_code == 403
    assert (await web.deliver(update_for(web, 4002, "/privacy", 202), secret=None)).status_code == 403
    assert (await web.deliver(update_for(web, 4002, "/privacy", 203), secret=SECRET[:-1])).status_code == 403
    assert web.telegram.bot_messages(4002) == []
    assert await web.processed_ids() == []
    assert len(compared) == 3  # every refusal went through the constant-time comparison
    assert (await web.deliver(update_for(web, 4002, "/privacy", 204))).status_code == 200
    assert len(web.telegram.bot_messages(4002)) == 1


async def test_a_repeated_update_id_is_handled_once(web: Web) -> None:
    body = update_for(web, 4003, "/privacy", 301)
    for _ in range(3):  # the 200 was lost on its way, twice: Telegram posts it again
        assert (await web.deliver(body)).status_code == 200
    assert len(web.telegram.bot_messages(4003)) == 1
    assert await web.processed_ids() == [301]


async def test_a_body_too_large_is_refused(web: Web) -> None:
    body = update_for(web, 4004, "/privacy " + "x" * MAX_BODY, 401)
    assert (await web.deliver(body)).status_code == 413

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: the limit holds while reading
        for _ in range(3):
            yield b" " * (MAX_BODY // 2)

    response = await web.client.post(PATH, content=chunks(), headers={HEADER: SECRET})
    assert response.status_code == 413
    assert (await web.client.post(PATH, content=b"{not json", headers={HEADER: SECRET})).status_code == 400
    assert web.telegram.bot_messages(4004) == []
    assert await web.processed_ids() == []


async def test_health_and_readiness(web: Web) -> None:
    assert (await web.client.get("/healthz")).status_code == 200
    ready = await web.client.get("/readyz")
    assert (ready.status_code, ready.text) == (200, "ready")
    web.readiness.stopping = True  # what SIGTERM does first (see test_sigterm_makes_readiness_false_first)
    assert (await web.client.get("/readyz")).status_code == 503
    assert (await web.client.get("/healthz")).status_code == 200  # the process still lives


async def test_readiness_fails_when_the_database_does_not_answer(unused_tcp_port: int) -> None:
    settings = make_settings(
        f"postgresql+asyncpg://postgres@127.0.0.1:{unused_tcp_port}/none", 9,
        BOT_WEBHOOK_URL=f"https://bot.example.org{PATH}", BOT_WEBHOOK_SECRET=SECRET,
    )  # fmt: skip
    application = build_application(settings, scheduled=False, webhook=True)
    app = web_app.create(application, settings)  # not started: /readyz needs only the database
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bot") as client:
        assert (await client.get("/healthz")).status_code == 200
        assert (await client.get("/readyz")).status_code == 503
    await application.bot_data["deps"].db.dispose()


async def test_metrics_after_some_updates(web: Web) -> None:
    await web.deliver(update_for(web, 4005, "/privacy", 501))
    await web.deliver(update_for(web, 4005, "/privacy", 501))  # a repeat
    await web.deliver(update_for(web, 4005, "/help", 502), secret="wrong")
    page = await web.client.get("/metrics")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/plain")
    text = page.text
    for name in (
        'letterbot_updates_total{type="message"}',
        'letterbot_handler_seconds_bucket{le="0.1",type="message"}',
        'letterbot_api_calls_total{method="sendMessage",outcome="200"}',
        'letterbot_webhook_refused_total{reason="secret"}',
        "letterbot_webhook_repeated_total",
        "letterbot_outbox_depth 0.0",
        "letterbot_errors_total",
        "letterbot_api_429_total",
        "letterbot_outbox_sent_total",
        "letterbot_sweep_seconds",
    ):
        assert name in text, name


async def test_processed_ids_are_forgotten_after_a_day(web: Web) -> None:
    await web.deliver(update_for(web, 4006, "/privacy", 601))
    async with web.database.transaction() as session:
        assert await processed_updates.prune(session, web.clock.utc() + timedelta(hours=23)) == 0
    async with web.database.transaction() as session:
        assert await processed_updates.prune(session, web.clock.utc() + timedelta(days=1, seconds=1)) == 1
    assert await web.processed_ids() == []


@pytest.fixture
def counting_server() -> Iterator[tuple[serve._Server, web_app.Readiness]]:
    readiness = web_app.Readiness()
    yield serve._Server(uvicorn.Config(Starlette()), readiness), readiness


def test_sigterm_makes_readiness_false_first(counting_server: tuple[serve._Server, web_app.Readiness]) -> None:
    server, readiness = counting_server
    assert not readiness.stopping and not server.should_exit
    server.handle_exit(signal.SIGTERM, None)
    assert readiness.stopping and server.should_exit


def test_metrics_count_in_one_registry() -> None:
    assert metrics.update_type(object()) == "object"
    page, content_type = metrics.render()
    assert content_type.startswith("text/plain")
    assert b"python_gc_objects_collected_total" not in page  # the library's default collectors stay out


async def test_two_replicas_given_the_same_update_at_once_handle_it_once(database_url: str) -> None:
    """The proxy (or Telegram) gave up waiting on the first replica and the update is delivered again,
    to the second, while the first is still handling it: the second answers 503 (deliver again later),
    and once the first has finished, 200 without handling it."""
    clock = FakeClock()
    telegram = EmulatedTelegram(TOKEN, clock=clock.monotonic)
    server = api_server(telegram)
    port = server.start()
    held, release = asyncio.Event(), asyncio.Event()

    async def hold(_update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        held.set()
        await release.wait()

    try:
        async with (
            replica(database_url, telegram, server, port, clock) as first,
            replica(database_url, telegram, server, port, clock) as second,
        ):
            first.application.add_handler(TypeHandler(Update, hold), group=-1)  # before the bot's handlers
            body = update_for(first, 4101, "/privacy", 1101)
            answer = asyncio.create_task(first.deliver(body))
            await held.wait()
            assert (await second.deliver(body)).status_code == 503
            release.set()
            assert (await answer).status_code == 200
            assert (await second.deliver(body)).status_code == 200
            assert len(telegram.bot_messages(4101)) == 1
            assert await first.processed_ids() == [1101]
    finally:
        await server.stop()


async def test_an_update_abandoned_mid_handling_is_handled_once_its_claim_expires(web: Web) -> None:
    # A replica claimed the update and was killed while handling it: its claim stays behind.
    async with web.database.transaction() as session:
        claim = await processed_updates.claim(session, 1201, web.clock.utc())
    assert claim is processed_updates.Claim.MINE
    body = update_for(web, 4102, "/privacy", 1201)
    assert (await web.deliver(body)).status_code == 503  # it may still be at work: not yet
    web.clock.advance(processed_updates.LEASE.total_seconds())
    assert (await web.deliver(body)).status_code == 200  # abandoned: taken over and handled
    assert (await web.deliver(body)).status_code == 200
    assert len(web.telegram.bot_messages(4102)) == 1
    assert await web.processed_ids() == [1201]


def failing(web: Web, times: int) -> list[int]:
    """A handler bug that makes every update fail, `times` times in all; returns the failed update ids."""
    failed: list[int] = []

    async def broken(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        if len(failed) < times:
            failed.append(update.update_id)
            raise RuntimeError("a bug")

    web.application.add_handler(TypeHandler(Update, broken), group=-1)
    return failed


async def test_a_failed_update_is_answered_500_unrecorded_and_handled_when_delivered_again(web: Web) -> None:
    failed = failing(web, times=1)
    body = update_for(web, 4103, "/privacy", 1301)
    assert (await web.deliver(body)).status_code == 500
    assert failed == [1301]
    assert await web.processed_ids() == []
    apologised = len(web.telegram.bot_messages(4103))  # the apology (and what other handler groups sent)
    assert apologised >= 1
    assert (await web.deliver(body)).status_code == 200  # delivered again: handled this time
    assert len(web.telegram.bot_messages(4103)) > apologised
    assert await web.processed_ids() == [1301]


async def test_an_update_that_always_fails_is_given_up_after_a_few_deliveries(web: Web) -> None:
    failed = failing(web, times=100)
    body = update_for(web, 4104, "/privacy", 1401)
    answers = [(await web.deliver(body)).status_code for _ in range(intake.FAILURES_ALLOWED + 1)]
    assert answers == [500] * (intake.FAILURES_ALLOWED - 1) + [200, 200]
    assert failed == [1401] * intake.FAILURES_ALLOWED  # the last delivery was a repeat, not handled
    assert await web.processed_ids() == [1401]
    # Another update is still handled (and fails on its own account).
    assert (await web.deliver(update_for(web, 4104, "/privacy", 1402))).status_code == 500


async def test_json_that_is_not_an_object_is_refused(web: Web) -> None:
    for body in (b"[]", b"null", b"3", b'"update"', b"{}"):
        response = await web.client.post(PATH, content=body, headers={HEADER: SECRET})
        assert response.status_code == 400, body
    assert await web.processed_ids() == []


async def test_readiness_does_not_wait_for_a_pool_busy_with_updates(web: Web) -> None:
    pool = web.database.engine.pool
    held = [await web.database.engine.connect() for _ in range(pool.size() + pool._max_overflow)]  # type: ignore[attr-defined]
    try:
        ready = await web.client.get("/readyz")
        assert (ready.status_code, ready.text) == (200, "ready")
    finally:
        for connection in held:
            await connection.close()


async def test_file_downloads_are_counted_under_one_label(web: Web) -> None:
    request = metrics.CountingRequest()
    await request.initialize()
    file_url = f"http://127.0.0.1:{web.server.port}/file/bot{TOKEN}/documents/file_93817.pdf"
    try:
        with pytest.raises(Exception):  # noqa: B017  # no such file: what matters is how it was counted
            await request.retrieve(file_url)
    finally:
        await request.shutdown()
    page = metrics.render()[0].decode()
    assert 'method="file"' in page
    assert "file_93817" not in page


def test_sigterm_begins_stopping_the_scheduler_at_once(database_url: str) -> None:
    settings = make_settings(
        database_url, 9, BOT_WEBHOOK_URL=f"https://bot.example.org{PATH}", BOT_WEBHOOK_SECRET=SECRET
    )
    application = build_application(settings, webhook=True)
    scheduler = scheduling.of(application)
    assert scheduler is not None
    readiness = web_app.Readiness()
    server = serve._Server(uvicorn.Config(Starlette()), readiness, lambda: serve._begin_stopping(application))
    stopping = scheduler.run.stopping  # type: ignore[attr-defined]  # both runners keep the jobs' Runtime
    assert not stopping.is_set()
    server.handle_exit(signal.SIGTERM, None)
    assert readiness.stopping and stopping.is_set() and server.should_exit


async def test_of_claims_made_at_once_one_wins(database: Database) -> None:
    """Eight replicas claiming one update at the same moment (each in its own transaction), then eight
    taking over its claim once abandoned: one wins each time; once it is finished, it is done for all."""
    clock = FakeClock()

    async def claim() -> processed_updates.Claim:
        async with database.transaction() as session:
            return await processed_updates.claim(session, 1501, clock.utc())

    first = await asyncio.gather(*(claim() for _ in range(8)))
    assert sorted(c.value for c in first) == ["mine"] + ["taken"] * 7
    claimed_at = clock.utc()
    clock.advance(processed_updates.LEASE.total_seconds())
    again = await asyncio.gather(*(claim() for _ in range(8)))
    assert sorted(c.value for c in again) == ["mine"] + ["taken"] * 7
    async with database.transaction() as session:  # the first claimant wakes up late: not its claim any more
        await processed_updates.finish(session, 1501, claimed_at, clock.utc())
    assert await claim() is processed_updates.Claim.DONE
