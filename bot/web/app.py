"""The ASGI app a webhook replica serves (Starlette, as in PTB's custom-webhook example):

- POST on BOT_WEBHOOK_URL's path: an update from Telegram, refused (403) without the secret header,
  refused (413) when larger than BOT_WEBHOOK_MAX_BODY, handled inside the request (bot/web/intake.py);
- GET /healthz: the process answers;
- GET /readyz: the database answers and no shutdown has begun (a balancer stops sending here first),
  asked on a connection of its own: a pool busy with updates is no reason to stop sending them here;
- GET /metrics: Prometheus text (bot/metrics.py).

The app's lifespan starts and stops the PTB application (with no updater: Telegram posts the updates).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import col, select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import Application

from bot import db, metrics
from bot.config import Settings
from bot.delivery.outcomes import CLAIMED, PENDING
from bot.models import Outbox
from bot.web.intake import Intake, Outcome

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
READY_TIMEOUT = 2.0  # seconds for the database to answer /readyz


@dataclass
class Readiness:
    """False from the moment shutdown begins (SIGTERM), before the port closes and in-flight work ends."""

    stopping: bool = False


def create(
    application: Application[Any, Any, Any, Any, Any, Any], settings: Settings, readiness: Readiness | None = None
) -> Starlette:
    if not settings.bot_webhook_url or settings.bot_webhook_secret is None:
        raise ValueError("webhook mode needs BOT_WEBHOOK_URL and BOT_WEBHOOK_SECRET")  # the settings ensure both
    secret = settings.bot_webhook_secret.get_secret_value().encode()
    limit = settings.bot_webhook_max_body
    ready = readiness or Readiness()
    intake = Intake(application)
    # One connection, kept for /readyz alone (created once, closed with the app).
    readiness_engine = db.create_engine(settings.database_url, pool_size=1, max_overflow=0)

    async def telegram(request: Request) -> Response:
        # Constant time: how much of a guess matched must not show in how long the refusal takes.
        if not hmac.compare_digest(request.headers.get(SECRET_HEADER, "").encode(), secret):
            metrics.webhook_refused.labels("secret").inc()
            return PlainTextResponse("forbidden", status_code=403)
        body = await _read_at_most(request, limit)
        if body is None:
            metrics.webhook_refused.labels("too_large").inc()
            return PlainTextResponse("body too large", status_code=413)
        update: Update | None
        try:
            data = json.loads(body)
            update = Update.de_json(data, application.bot) if isinstance(data, dict) else None
        except (ValueError, TypeError, KeyError):
            update = None
        if update is None:  # not JSON, or JSON but not an object ([], null), or an object but not an update
            metrics.webhook_refused.labels("malformed").inc()
            return PlainTextResponse("not an update", status_code=400)
        outcome = await intake.handle(update)
        if outcome is Outcome.BUSY:
            return PlainTextResponse("busy, deliver again", status_code=503)
        if outcome is Outcome.FAILED:
            return PlainTextResponse("failed, deliver again", status_code=500)
        if outcome is Outcome.REPEATED:
            metrics.webhook_repeated.inc()
        return Response(status_code=200)

    async def healthz(_request: Request) -> Response:
        return PlainTextResponse("ok")

    async def readyz(_request: Request) -> Response:
        if ready.stopping:
            return PlainTextResponse("shutting down", status_code=503)
        try:
            async with asyncio.timeout(READY_TIMEOUT), readiness_engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except (SQLAlchemyError, OSError, TimeoutError) as exc:
            log.warning("not ready: the database did not answer (%s)", type(exc).__name__)
            return PlainTextResponse("database unavailable", status_code=503)
        return PlainTextResponse("ready")

    async def metrics_page(_request: Request) -> Response:
        try:
            async with intake.deps.db.transaction() as session:
                waiting = select(func.count()).select_from(Outbox).where(col(Outbox.status).in_([PENDING, CLAIMED]))
                metrics.outbox_depth.set((await session.exec(waiting)).one())
        except SQLAlchemyError as exc:  # the rest of the page is still worth serving
            log.warning("outbox depth not read: %s", type(exc).__name__)
        page, content_type = metrics.render()
        return Response(page, media_type=content_type)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await application.initialize()
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        try:
            yield
        finally:
            ready.stopping = True
            await application.stop()
            if application.post_shutdown is not None:
                await application.post_shutdown(application)
            await application.shutdown()
            await readiness_engine.dispose()

    routes = [
        Route(urlsplit(settings.bot_webhook_url).path or "/", telegram, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics_page, methods=["GET"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


async def _read_at_most(request: Request, limit: int) -> bytes | None:
    """The body, or None once it is longer than `limit` bytes (read no further than that)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)
