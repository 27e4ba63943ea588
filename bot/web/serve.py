"""`letterbot run` in webhook mode: the app on uvicorn at BOT_WEBHOOK_LISTEN, stopped in order on SIGTERM.

On SIGTERM (or Ctrl-C): /readyz answers 503 at once, and the scheduler begins stopping at once too (a
round under way ends its chunk, no new one starts), in parallel with what follows rather than after it;
uvicorn stops accepting connections and waits for the requests in flight, so each update being handled
is handled and answered (at most GRACE_SECONDS, after which Telegram redelivers what got no answer);
then the app's lifespan stops the PTB application (the scheduler's `stop` waits for what began
stopping; outbox rows a delivery round had claimed and not begun are given back at the
end of that round, and rows of a round cut short are taken up by the next sender's `recover`), and the
process exits.

Replicas never call setWebhook: `letterbot webhook set` configures Telegram once (bot/cli_webhook.py).
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from types import FrameType
from typing import Any

import uvicorn
from telegram.ext import Application

from bot import scheduling
from bot.config import Settings
from bot.web import app as web_app

log = logging.getLogger(__name__)
GRACE_SECONDS = 30  # what the updates in flight may still take after SIGTERM; later, Telegram redelivers them


class _Server(uvicorn.Server):
    def __init__(
        self, config: uvicorn.Config, readiness: web_app.Readiness, on_stopping: Callable[[], None] | None = None
    ) -> None:
        super().__init__(config)
        self.readiness = readiness
        self.on_stopping = on_stopping

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self.readiness.stopping = True  # first: a balancer polling /readyz stops sending here
        if self.on_stopping is not None:
            _soon(self.on_stopping)
        super().handle_exit(sig, frame)


def serve(application: Application[Any, Any, Any, Any, Any, Any], settings: Settings) -> int:
    readiness = web_app.Readiness()
    host, port = settings.webhook_host_port
    config = uvicorn.Config(
        web_app.create(application, settings, readiness),
        host=host,
        port=port,
        lifespan="on",
        log_config=None,  # the command configured logging already
        access_log=False,  # one line per update, and nothing in it worth keeping
        server_header=False,
        timeout_graceful_shutdown=GRACE_SECONDS,
    )
    server = _Server(config, readiness, lambda: _begin_stopping(application))
    log.info("serving webhook updates, /healthz, /readyz and /metrics on %s:%d", host, port)
    # uvicorn raises the signal it stopped for again once its own handlers are gone, to the handlers it
    # found: these, which let the stop, complete by then, end as a clean exit (status 0).
    previous = {sig: signal.signal(sig, _stopped) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        server.run()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0 if server.started else 1


def _begin_stopping(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """The scheduler (if the application has one) begins stopping while the updates in flight drain."""
    scheduler = scheduling.of(application)
    if scheduler is not None:
        scheduler.begin_stop()


def _soon(callback: Callable[[], None]) -> None:
    """Run `callback` on the event loop, not inside the signal handler that interrupted it (which may
    be in the middle of the loop's own bookkeeping); at once when no loop runs."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        callback()
        return
    loop.call_soon_threadsafe(callback)


def _stopped(_sig: int, _frame: FrameType | None) -> None:
    """The shutdown this signal asked for has been done (see `serve`)."""
