"""`letterbot run` in webhook mode: the app on uvicorn at BOT_WEBHOOK_LISTEN, stopped in order on SIGTERM.

On SIGTERM (or Ctrl-C): /readyz answers 503 at once; uvicorn stops accepting connections and waits for
the requests in flight, so each update being handled is handled and answered (at most GRACE_SECONDS,
after which Telegram redelivers what got no answer); then the app's lifespan stops the PTB application
(its jobs end their round; outbox rows a delivery round had claimed and not begun are given back at the
end of that round, and rows of a round cut short are taken up by the next sender's `recover`), and the
process exits.

Replicas never call setWebhook: `letterbot webhook set` configures Telegram once (bot/cli_webhook.py).
"""

from __future__ import annotations

import logging
import signal
from types import FrameType
from typing import Any

import uvicorn
from telegram.ext import Application

from bot.config import Settings
from bot.web import app as web_app

log = logging.getLogger(__name__)
GRACE_SECONDS = 30  # what the updates in flight may still take after SIGTERM; later, Telegram redelivers them


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, readiness: web_app.Readiness) -> None:
        super().__init__(config)
        self.readiness = readiness

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self.readiness.stopping = True  # first: a balancer polling /readyz stops sending here
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
    server = _Server(config, readiness)
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


def _stopped(_sig: int, _frame: FrameType | None) -> None:
    """The shutdown this signal asked for has been done (see `serve`)."""
