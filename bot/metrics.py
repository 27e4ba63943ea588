"""What the bot counts for Prometheus, in one place: `GET /metrics` (bot/web) serves this registry.

The metrics are module-level on a registry of their own, as prometheus_client intends: each replica is
one process with one set of counters, and a count is one line where it happens (`metrics.X.inc()`)
without threading an object through handlers, jobs and the delivery module. The dedicated registry
keeps the library's process and platform collectors (and anything an imported library registers on
the global one) out of what is served, so the page lists exactly what is documented in the README.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST as CONTENT_TYPE
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from telegram import Update
from telegram.constants import UpdateType
from telegram.request import HTTPXRequest, RequestData

REGISTRY = CollectorRegistry(auto_describe=True)
# Latency buckets around what matters here: a reply well under 100 ms, a slow one at a second or more.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

updates = Counter("letterbot_updates", "Updates handled, by type", ["type"], registry=REGISTRY)
updates_dropped = Counter(
    "letterbot_updates_dropped", "Updates dropped: their sender already had too many in flight", registry=REGISTRY
)
handler_seconds = Histogram(
    "letterbot_handler_seconds", "Time to handle one update", ["type"], buckets=LATENCY_BUCKETS, registry=REGISTRY
)
errors = Counter(
    "letterbot_errors", "Updates whose handling raised an error, by error type", ["error"], registry=REGISTRY
)
webhook_refused = Counter(
    "letterbot_webhook_refused", "Webhook requests refused, by reason", ["reason"], registry=REGISTRY
)
webhook_repeated = Counter(
    "letterbot_webhook_repeated", "Webhook deliveries of an update already processed", registry=REGISTRY
)
api_calls = Counter(
    "letterbot_api_calls", "Bot API calls, by method and outcome", ["method", "outcome"], registry=REGISTRY
)
api_flood = Counter("letterbot_api_429", "Bot API calls answered 429 Too Many Requests", ["method"], registry=REGISTRY)
outbox_depth = Gauge(
    "letterbot_outbox_depth",
    "Outbox rows waiting to be sent (pending or claimed), at the last scrape",
    registry=REGISTRY,
)
outbox_sent = Counter(
    "letterbot_outbox_sent", "Outbox messages finished, by outcome (its rate is the send rate)", ["outcome"],
    registry=REGISTRY,
)  # fmt: skip
sweep_seconds = Histogram(
    "letterbot_sweep_seconds", "Duration of the periodic sweeps, by sweep", ["sweep"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0), registry=REGISTRY,
)  # fmt: skip

_UPDATE_TYPES = tuple(kind.value for kind in UpdateType)


def update_type(update: object) -> str:
    """The kind of an update as Telegram names it (message, callback_query, ...)."""
    if isinstance(update, Update):
        return next((kind for kind in _UPDATE_TYPES if getattr(update, kind, None) is not None), "other")
    return type(update).__name__


@contextmanager
def handling(update: object) -> Iterator[None]:
    """Count an update and time its handling (the per-user update processor wraps every update in it,
    in polling and webhook mode alike)."""
    kind = update_type(update)
    updates.labels(kind).inc()
    started = time.perf_counter()
    try:
        yield
    finally:
        handler_seconds.labels(kind).observe(time.perf_counter() - started)


@contextmanager
def sweep(name: str) -> Iterator[None]:
    with sweep_seconds.labels(name).time():
        yield


def render() -> tuple[bytes, str]:
    """The page for `GET /metrics` and its content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE


class CountingRequest(HTTPXRequest):
    """PTB's HTTP client, counting every Bot API call by method and outcome: the one place all calls pass.

    The outcome is the HTTP status ("200", "400", "403", "429", ...) or, when no answer came, the
    exception's name (TimedOut, NetworkError): the method is the URL's last part, never the token. A
    file download (PTB fetches those with GET from under base_file_url, and calls the API with POST) is
    counted as `file`: its URL ends in a file's name, one label per file otherwise.
    """

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> tuple[int, bytes]:
        name = "file" if method == "GET" else url.rsplit("/", 1)[-1]
        try:
            status, payload = await super().do_request(url, method, request_data, *args, **kwargs)
        except Exception as exc:
            api_calls.labels(name, type(exc).__name__).inc()
            raise
        api_calls.labels(name, str(status)).inc()
        if status == 429:
            api_flood.labels(name).inc()
        return status, payload


# The job worker (bot/scheduling/queue.py): 1 while procrastinate's worker runs in this process; its
# restarts after a failure (a database restart, a connection lost), each logged with its reason.
job_worker_up = Gauge("letterbot_job_worker_up", "1 while this process's job worker runs", registry=REGISTRY)
job_worker_restarts = Counter(
    "letterbot_job_worker_restarts", "Restarts of the job worker after it stopped on a failure", registry=REGISTRY
)
