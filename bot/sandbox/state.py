"""What the emulated Telegram holds: users, chats, messages, files, updates and the call log."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.limits import Limits, RateLimiter

# What Telegram leaves out for a bot that never named the update types it wants (or named none).
NOT_SENT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


class ApiError(Exception):
    """A refusal as Telegram words it: HTTP code, description, and `retry_after` for 429."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(detail: str) -> ApiError:
    return ApiError(400, detail if detail.startswith("Bad Request") else f"Bad Request: {detail}")


@dataclass
class EmulatedUser:
    id: int
    first_name: str
    language_code: str | None = None
    last_name: str | None = None
    username: str | None = None

    def as_telegram(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key):
                user[key] = getattr(self, key)
        return user


@dataclass
class Chat:
    id: int
    user: EmulatedUser | None = None  # the other side of a private chat
    type: str = "private"
    title: str | None = None
    blocked: bool = False
    next_message_id: int = 1
    answered: asyncio.Event = field(default_factory=asyncio.Event)  # set when the bot sends here
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)  # message_id -> Message
    commands: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    def as_telegram(self) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.user is not None:
            chat["first_name"] = self.user.first_name
            if self.user.last_name:
                chat["last_name"] = self.user.last_name
            if self.user.username:
                chat["username"] = self.user.username
        if self.title:
            chat["title"] = self.title
        return chat

    def new_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    path: str
    content: bytes
    file_name: str | None = None
    mime_type: str | None = None
    kind: str = "document"  # what it was sent as: a file_id of one kind is refused as another


@dataclass
class CallRecord:
    """One Bot API call the bot made, with its outcome: what the sandbox panel and tests read."""

    seq: int
    at: float
    method: str
    params: dict[str, Any]
    ok: bool
    error_code: int | None = None
    description: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": self.at,
            "method": self.method,
            "params": self.params,
            "ok": self.ok,
            "error_code": self.error_code,
            "description": self.description,
        }


@dataclass
class State:
    token: str
    clock: Callable[[], float] = time.monotonic
    limits: Limits = field(default_factory=Limits)
    bot_username: str = "letterbot_sandbox_bot"
    bot_first_name: str = "Letterbot (sandbox)"
    users: dict[int, EmulatedUser] = field(default_factory=dict)
    chats: dict[int, Chat] = field(default_factory=dict)
    files: dict[str, StoredFile] = field(default_factory=dict)
    updates: list[dict[str, Any]] = field(default_factory=list)
    calls: list[CallRecord] = field(default_factory=list)
    callback_queries: dict[str, dict[str, Any]] = field(default_factory=dict)
    callback_answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    callback_pressed_at: dict[str, float] = field(default_factory=dict)  # by query id, on `clock`
    default_commands: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    bot_texts: dict[str, str] = field(default_factory=dict)  # name, description, short description
    webhook_url: str = ""
    webhook_secret: str | None = None
    webhook_max_connections: int = 40
    webhook_backends: list[str] = field(default_factory=list)  # emulator allowance: see sandbox/webhook.py
    webhook_answers: Counter[int] = field(default_factory=Counter)  # 2xx answers per update_id
    webhook_last_error: tuple[int, str] | None = None  # when (unix time) and what, for getWebhookInfo
    allowed_updates: list[str] | None = None
    processed: set[int] = field(default_factory=set)
    active_polls: int = 0
    poll_generation: int = 0  # each getUpdates takes the next; an older one still waiting is ended
    deliverer: asyncio.Task[None] | None = None  # posts updates to the webhook while one is set

    def __post_init__(self) -> None:
        self.bot_id = int(self.token.split(":", 1)[0])
        self.rate = RateLimiter(self.limits, self.clock)
        self.changed = asyncio.Condition()
        self._update_ids = itertools.count(1)
        self._ids = itertools.count(1)
        self._call_seq = itertools.count(1)

    def now(self) -> int:
        return int(time.time())

    def webhook_error(self, message: str) -> None:
        self.webhook_last_error = (self.now(), message)

    def next_id(self) -> int:
        return next(self._ids)

    def bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def chat(self, chat_id: object) -> Chat:
        try:
            key = int(str(chat_id))
        except ValueError:
            raise bad_request("chat not found") from None
        chat = self.chats.get(key)
        if chat is None:
            raise bad_request("chat not found")
        return chat

    async def push_update(self, body: dict[str, Any]) -> int:
        """Queue an update for the bot, unless it is of a type the bot did not ask for: as on Telegram,
        allowed_updates decides which updates are made at all, so one queued before the bot named its
        types is still delivered."""
        update_id = next(self._update_ids)
        if self.wants(body):
            self.updates.append({"update_id": update_id, **body})
            await self.notify()
        return update_id

    def wants(self, body: dict[str, Any]) -> bool:
        kind = next(key for key in body if key != "update_id")
        if self.allowed_updates is None:
            return kind not in NOT_SENT_BY_DEFAULT
        return kind in self.allowed_updates

    async def notify(self) -> None:
        async with self.changed:
            self.changed.notify_all()

    def record(self, method: str, params: dict[str, Any], error: ApiError | None) -> CallRecord:
        record = CallRecord(
            seq=next(self._call_seq),
            at=self.clock(),
            method=method,
            params=params,
            ok=error is None,
            error_code=error.code if error else None,
            description=error.description if error else None,
        )
        self.calls.append(record)
        return record
