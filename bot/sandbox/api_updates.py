"""Getting updates: long polling, and the webhook that replaces it."""

from __future__ import annotations

import asyncio
import contextlib
import re
from typing import Any
from urllib.parse import urlsplit

from bot.sandbox import webhook
from bot.sandbox.botapi import BotApi, Upload, method
from bot.sandbox.params import as_bool, as_int, as_json, as_str
from bot.sandbox.state import ApiError, State, bad_request


@method("getUpdates")
async def get_updates(api: BotApi, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    state = api.state
    if state.webhook_url:
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    # As on Telegram, the newest request wins: a long poll still waiting (another instance, or a client
    # that gave up on it, as PTB does at shutdown) ends with 409.
    state.poll_generation += 1
    generation = state.poll_generation
    offset = as_int(params, "offset", 0) or 0
    limit = max(1, min(100, as_int(params, "limit", 100) or 100))
    timeout = max(0, as_int(params, "timeout", 0) or 0)
    remember_allowed_updates(state, params)
    if offset:
        state.updates[:] = [update for update in state.updates if update["update_id"] >= offset]

    def pending() -> list[dict[str, Any]]:
        return state.updates[:limit]

    def superseded() -> bool:
        return state.poll_generation != generation

    state.active_polls += 1
    try:
        async with state.changed:
            state.changed.notify_all()  # ends an older poll; tells anyone watching that a poll is here
            if not pending() and timeout:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(state.changed.wait_for(lambda: bool(pending()) or superseded()), timeout)
        if superseded():
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
            )
        return pending()
    finally:
        state.active_polls -= 1


# Emulator allowance: plain http on loopback, so tests and the sandbox need no certificate.
LOOPBACK_HTTP = ("http://127.0.0.1:", "http://127.0.0.1/", "http://localhost:", "http://localhost/", "http://[::1]:")
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]*")


@method("setWebhook", "url")
async def set_webhook(api: BotApi, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    state = api.state
    url = str(params["url"])
    if url and not url.startswith(("https://", *LOOPBACK_HTTP)):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    if url and not urlsplit(url).hostname:
        raise bad_request("bad webhook: Failed to resolve host: Name or service not known")
    secret = as_str(params, "secret_token") or None
    if secret is not None and not SECRET_TOKEN.fullmatch(secret):
        raise bad_request("secret token contains unallowed characters")
    if secret is not None and len(secret) > 256:
        raise bad_request("secret token is too long")
    max_connections = as_int(params, "max_connections", 40) or 0
    if not 1 <= max_connections <= 100:
        raise bad_request("bad webhook: invalid max_connections")  # Telegram's own words are not documented
    if url != state.webhook_url:
        state.webhook_last_error = None
    state.webhook_url = url
    state.webhook_secret = secret
    state.webhook_max_connections = max_connections
    remember_allowed_updates(state, params)
    if as_bool(params, "drop_pending_updates"):
        state.updates.clear()
    if url and (state.deliverer is None or state.deliverer.done()):
        state.deliverer = asyncio.get_running_loop().create_task(webhook.deliver(state))
    await state.notify()
    return True


@method("deleteWebhook")
async def delete_webhook(api: BotApi, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    api.state.webhook_url = ""
    api.state.webhook_secret = None
    api.state.webhook_last_error = None
    if as_bool(params, "drop_pending_updates"):
        api.state.updates.clear()
    await api.state.notify()  # the deliverer sees the webhook is gone and stops
    return True


@method("getWebhookInfo")
async def get_webhook_info(api: BotApi, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    state = api.state
    info: dict[str, Any] = {
        "url": state.webhook_url,
        "has_custom_certificate": False,
        "pending_update_count": len(state.updates),
    }
    if state.webhook_url:
        info["max_connections"] = state.webhook_max_connections
    if state.webhook_last_error is not None:
        info["last_error_date"], info["last_error_message"] = state.webhook_last_error
    if state.allowed_updates is not None:
        info["allowed_updates"] = state.allowed_updates
    return info


def remember_allowed_updates(state: State, params: dict[str, Any]) -> None:
    """Telegram keeps the last list a bot gave to getUpdates or setWebhook; leaving it out keeps the one
    before, and an empty list brings back the default (see `State.wants`)."""
    allowed = as_json(params, "allowed_updates")
    if isinstance(allowed, list):
        state.allowed_updates = [str(kind) for kind in allowed] or None
