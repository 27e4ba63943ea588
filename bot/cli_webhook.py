"""`letterbot webhook set|delete|info`: tell Telegram where to post updates, once, for all replicas.

Replicas never call setWebhook themselves (PTB's `run_webhook` would, at every start): ten replicas
starting would set it ten times, and one with an old setting would undo the others. `set` uses
BOT_WEBHOOK_URL, BOT_WEBHOOK_SECRET and the update types the bot handles; nothing printed names the
token or the secret.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC
from typing import Any

from telegram import Bot, WebhookInfo
from telegram.error import TelegramError

from bot.config import ConfigError, Settings


def add_parser(commands: Any) -> None:
    webhook = commands.add_parser("webhook", help="Telegram's webhook: set, delete, info").add_subparsers(
        dest="webhook_command", required=True, metavar="ACTION"
    )
    set_ = webhook.add_parser("set", help="post updates to BOT_WEBHOOK_URL with BOT_WEBHOOK_SECRET")
    set_.add_argument("--drop-pending-updates", action="store_true", help="drop the updates waiting now")
    set_.add_argument("--max-connections", type=int, default=40, metavar="N",
                      help="requests Telegram makes at once, 1-100 (default 40)")  # fmt: skip
    delete = webhook.add_parser("delete", help="stop posting updates (back to polling)")
    delete.add_argument("--drop-pending-updates", action="store_true", help="drop the updates waiting now")
    webhook.add_parser("info", help="what Telegram has: the URL, updates waiting, the last error")


def run(args: argparse.Namespace, settings: Settings) -> int:
    bot = Bot(settings.require_token(), base_url=settings.telegram_api_base_url)
    try:
        if args.webhook_command == "set":
            if not 1 <= args.max_connections <= 100:
                raise ConfigError("--max-connections: expected 1-100")
            return asyncio.run(set_webhook(bot, settings, args.drop_pending_updates, args.max_connections))
        if args.webhook_command == "delete":
            return asyncio.run(delete_webhook(bot, args.drop_pending_updates))
        return asyncio.run(show_info(bot))
    except TelegramError as exc:  # Telegram's own words (a bad URL, a wrong token): never the token itself
        print(f"letterbot: the Bot API call failed: {exc.message}", file=sys.stderr)
        return 1


def parameters(settings: Settings) -> dict[str, Any]:
    """What setWebhook is given: BOT_WEBHOOK_URL, BOT_WEBHOOK_SECRET, and the update types the bot handles."""
    from bot.handlers import ALLOWED_UPDATES

    if not settings.bot_webhook_url or settings.bot_webhook_secret is None:
        raise ConfigError("BOT_WEBHOOK_URL: required to set the webhook (with BOT_WEBHOOK_SECRET)")
    return {
        "url": settings.bot_webhook_url,
        "secret_token": settings.bot_webhook_secret.get_secret_value(),
        "allowed_updates": list(ALLOWED_UPDATES),
    }


async def set_webhook(bot: Bot, settings: Settings, drop_pending: bool = False, max_connections: int = 40) -> int:
    given = parameters(settings)
    async with bot:
        await bot.set_webhook(**given, drop_pending_updates=drop_pending, max_connections=max_connections)
    print(f"webhook set: {given['url']}")
    return 0


async def delete_webhook(bot: Bot, drop_pending: bool = False) -> int:
    async with bot:
        await bot.delete_webhook(drop_pending_updates=drop_pending)
    print("webhook deleted" + (", pending updates dropped" if drop_pending else ""))
    return 0


async def show_info(bot: Bot) -> int:
    async with bot:
        info = await bot.get_webhook_info()
    print(describe(info))
    return 0


def describe(info: WebhookInfo) -> str:
    lines = [f"url: {info.url or '(none: the bot polls)'}", f"pending updates: {info.pending_update_count}"]
    if info.max_connections is not None:
        lines.append(f"max connections: {info.max_connections}")
    if info.allowed_updates:
        lines.append(f"allowed updates: {', '.join(info.allowed_updates)}")
    if info.last_error_date is not None:
        when = info.last_error_date.astimezone(UTC).isoformat(timespec="seconds")
        lines.append(f"last error: {when} {info.last_error_message or ''}".rstrip())
    return "\n".join(lines)
