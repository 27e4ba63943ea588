"""Webhook delivery: while a webhook is set, post each update to it in order, as Telegram does."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import httpx

from bot.sandbox.state import State

log = logging.getLogger(__name__)
RETRY_SECONDS = 1.0


async def deliver(state: State) -> None:
    """Post the oldest pending update until the bot answers 2xx; stop when the webhook is deleted."""
    async with httpx.AsyncClient(timeout=30) as client:
        while state.webhook_url:
            if not state.updates:
                async with state.changed:
                    await state.changed.wait_for(lambda: bool(state.updates) or not state.webhook_url)
                continue
            update = state.updates[0]
            headers = {"X-Telegram-Bot-Api-Secret-Token": state.webhook_secret} if state.webhook_secret else {}
            try:
                response = await client.post(state.webhook_url, json=update, headers=headers)
                delivered = response.is_success
            except httpx.HTTPError as exc:
                log.info("webhook delivery failed: %s", type(exc).__name__)
                delivered = False
            if delivered:
                if state.updates and state.updates[0] is update:
                    state.updates.pop(0)
                continue
            async with state.changed:  # wait before retrying, unless the webhook changes
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(state.changed.wait_for(lambda: not state.webhook_url), RETRY_SECONDS)
