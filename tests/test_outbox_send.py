"""What each of Telegram's answers means for one message: Telegram's words as PTB turns them into errors,
fed through a request class that answers as told (PTB's own tests do the same), and a real refused
connection. Sending again is allowed only where the request certainly did not reach Telegram."""

from __future__ import annotations

import json
import socket
from typing import Any

import httpx
import pytest
from telegram import Bot
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

from bot.delivery import send as delivery
from bot.delivery.outcomes import Outcome
from bot.delivery.pacer import Pacer
from bot.delivery.send import Rendered
from tests.harness import TOKEN, FakeClock

Answer = tuple[int, dict[str, Any]] | Exception
SENT = (200, {"ok": True, "result": {"message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"}}})


def refusal(code: int, description: str, **parameters: int) -> Answer:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return code, body


class Answers(BaseRequest):
    """Answers each request with the next answer given (the last one again when they run out)."""

    def __init__(self, *answers: Answer) -> None:
        self.answers = list(answers)
        self.requests = 0

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, *args: Any, **kwargs: Any
    ) -> tuple[int, bytes]:
        self.requests += 1
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        code, body = answer
        return code, json.dumps(body).encode()


def wrapped(error: Exception, cause: Exception) -> Exception:
    """An error as PTB's HTTPXRequest raises it: the httpx error kept as the cause."""
    error.__cause__ = cause
    return error


async def outcome_of(*answers: Answer) -> tuple[Outcome, int, float]:
    """The outcome of one message, the requests it took, and the seconds the pacer made it wait."""
    clock = FakeClock()
    request = Answers(*answers)
    pacer = Pacer(25, clock=clock.monotonic, sleep=clock.sleep)
    outcome = await delivery.send(Bot(TOKEN, request=request), pacer, 5, Rendered("<b>Hello</b>"))
    return outcome, request.requests, clock.monotonic()


@pytest.mark.parametrize(
    ("answer", "outcome"),
    [
        (SENT, Outcome.SENT),
        (refusal(403, "Forbidden: bot was blocked by the user"), Outcome.BLOCKED),
        (refusal(403, "Forbidden: user is deactivated"), Outcome.BLOCKED),
        (refusal(400, "Bad Request: chat not found"), Outcome.BLOCKED),
        (refusal(400, "Bad Request: user is deactivated"), Outcome.BLOCKED),
        (refusal(400, "Bad Request: can't parse entities: unclosed start tag"), Outcome.FAILED),
        (refusal(400, "Bad Request: message is too long"), Outcome.FAILED),
        (refusal(401, "Unauthorized"), Outcome.FAILED),
        # A response came, but not Telegram's: it may have been sent before the failure.
        (refusal(502, "Bad Gateway"), Outcome.UNCERTAIN),
        (wrapped(TimedOut(), httpx.ReadTimeout("read")), Outcome.UNCERTAIN),
        (wrapped(TimedOut(), httpx.WriteTimeout("write")), Outcome.UNCERTAIN),
        (wrapped(NetworkError("httpx.ReadError"), httpx.ReadError("reset")), Outcome.UNCERTAIN),
    ],
)
async def test_an_answer_that_ends_the_message_is_asked_once(answer: Answer, outcome: Outcome) -> None:
    assert (await outcome_of(answer, SENT))[:2] == (outcome, 1)


async def test_a_429_is_waited_as_told_and_the_message_sent_again() -> None:
    assert await outcome_of(refusal(429, "Too Many Requests: retry after 7", retry_after=7), SENT) == (
        Outcome.SENT,
        2,
        7.0,
    )


async def test_telegram_refusing_with_429_again_and_again_gives_the_message_up() -> None:
    flood = refusal(429, "Too Many Requests: retry after 3", retry_after=3)
    tries = delivery.FLOOD_TRIES
    assert await outcome_of(flood) == (Outcome.FAILED, tries, 3.0 * (tries - 1))  # the last wait is the next one's


@pytest.mark.parametrize(
    "not_sent",
    [
        wrapped(NetworkError("httpx.ConnectError"), httpx.ConnectError("refused")),
        wrapped(TimedOut(), httpx.ConnectTimeout("connect")),
        wrapped(TimedOut("Pool timeout"), httpx.PoolTimeout("pool")),
    ],
)
async def test_a_request_that_never_left_is_tried_again_a_second_later(not_sent: Exception) -> None:
    assert await outcome_of(not_sent, SENT) == (Outcome.SENT, 2, 1.0)  # the chat's second, as the pacer keeps it


async def test_no_connection_at_all_gives_the_message_up_after_a_few_tries() -> None:
    with socket.socket() as probe:  # a port nothing listens on: the connection is refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    clock = FakeClock()
    pacer = Pacer(25, clock=clock.monotonic, sleep=clock.sleep)
    request = HTTPXRequest(connect_timeout=2)
    async with request:  # started on its own: Bot.initialize would ask getMe first, and fail the same way
        bot = Bot(TOKEN, base_url=f"http://127.0.0.1:{port}/bot", request=request)
        attempt = await delivery.attempt(bot, pacer, 5, Rendered("Hello"))
    assert (attempt.outcome, attempt.requests) == (Outcome.FAILED, delivery.CONNECT_TRIES)
    assert clock.monotonic() == delivery.CONNECT_TRIES - 1  # a second apart
