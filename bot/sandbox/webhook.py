"""Webhook delivery as Telegram does it: while a webhook is set, each pending update is posted to it.

- A chat's next update is posted only after the request for its previous one has returned, so a bot
  that answers after handling keeps each chat in order; other chats are posted at the same time, up
  to setWebhook's max_connections requests at once.
- An update not answered 2xx (or not answered at all) is posted again after RETRY_SECONDS, holding its
  chat back meanwhile; the error is kept for getWebhookInfo (last_error_date, last_error_message).
- An update answered 2xx is done: it leaves the queue, counts in `State.webhook_answers`, and is
  marked processed (the bot answers only after handling it), so tests wait on `wait_processed`.

Emulator allowance for tests and benchmarks: `State.webhook_backends`, when not empty, are the
addresses behind the one webhook URL, each request going to the next in turn, as a load balancer in
front of several replicas would. Telegram itself knows only the one URL.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from typing import Any

import httpx

from bot.sandbox.state import State

log = logging.getLogger(__name__)
RETRY_SECONDS = 1.0
TIMEOUT_SECONDS = 60.0  # how long a request may take before it counts as failed
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def chat_of(update: dict[str, Any]) -> object:
    """What Telegram keeps in order: the chat an update belongs to (its sender's, when it has no chat)."""
    for key, value in update.items():
        if key == "update_id" or not isinstance(value, dict):
            continue
        chat = value.get("chat") or (value.get("message") or {}).get("chat")
        if isinstance(chat, dict):
            return chat.get("id")
        sender = value.get("from") or value.get("user")
        if isinstance(sender, dict):
            return ("user", sender.get("id"))
    return ("update", update.get("update_id"))


async def deliver(state: State) -> None:
    """Post pending updates until the webhook is deleted; see the module's docstring for the rules."""
    busy: set[object] = set()  # chats with a request in flight (or waiting to retry)
    tasks: set[asyncio.Task[None]] = set()
    turn = itertools.count()
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS, limits=limits) as client:

        def next_ones() -> list[tuple[object, dict[str, Any]]]:
            room = state.webhook_max_connections - len(tasks)
            chosen: list[tuple[object, dict[str, Any]]] = []
            seen: set[object] = set()
            for update in state.updates:
                if len(chosen) >= room:
                    break
                chat = chat_of(update)
                if chat in seen:
                    continue
                seen.add(chat)
                if chat not in busy:
                    chosen.append((chat, update))
            return chosen

        async def post(chat: object, update: dict[str, Any]) -> None:
            task = asyncio.current_task()
            assert task is not None
            try:
                if not await _post_once(client, state, update, next(turn)):
                    async with state.changed:  # hold the chat back a while, unless the webhook goes
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(state.changed.wait_for(lambda: not state.webhook_url), RETRY_SECONDS)
            finally:
                busy.discard(chat)
                tasks.discard(task)  # before telling the loop: it counts the requests in flight
                await state.notify()

        try:
            while state.webhook_url:
                chosen = next_ones()
                if not chosen:
                    async with state.changed:
                        await state.changed.wait_for(lambda: not state.webhook_url or bool(next_ones()))
                    continue
                for chat, update in chosen:
                    busy.add(chat)
                    task = asyncio.create_task(post(chat, update))
                    tasks.add(task)
        finally:
            for running in tasks:
                running.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)


async def _post_once(client: httpx.AsyncClient, state: State, update: dict[str, Any], turn: int) -> bool:
    """One request for one update; True when it was answered 2xx (and the update is then done)."""
    backends = state.webhook_backends or [state.webhook_url]
    url = backends[turn % len(backends)]
    headers = {SECRET_HEADER: state.webhook_secret} if state.webhook_secret else {}
    try:
        response = await client.post(url, json=update, headers=headers)
    except httpx.HTTPError as exc:
        log.info("webhook delivery failed: %s", type(exc).__name__)
        state.webhook_error(_error_text(exc))
        return False
    if not response.is_success:
        state.webhook_error(f"Wrong response from the webhook: {response.status_code} {response.reason_phrase}")
        return False
    for index, pending in enumerate(state.updates):
        if pending is update:
            del state.updates[index]
            break
    state.webhook_answers[update["update_id"]] += 1
    state.processed.add(update["update_id"])
    return True


def _error_text(exc: httpx.HTTPError) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "Read timeout expired"
    if isinstance(exc, httpx.ConnectError):
        return "Connection refused"
    return f"Connection error: {type(exc).__name__}"
