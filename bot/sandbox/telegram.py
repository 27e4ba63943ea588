"""The emulated Telegram as its users see it: people who write, press buttons, upload and block.

Tests and the sandbox page drive the bot through this; the bot itself only sees the Bot API.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import Any

from bot.sandbox.botapi import BotApi, Upload
from bot.sandbox.limits import Limits
from bot.sandbox.state import Chat, EmulatedUser, State

COMMAND = re.compile(r"^/[a-zA-Z0-9_]{1,32}(@[a-zA-Z0-9_]+)?")


class EmulatedTelegram:
    def __init__(self, token: str, *, clock: Callable[[], float] | None = None, limits: Limits | None = None) -> None:
        kwargs: dict[str, Any] = {}
        if clock is not None:
            kwargs["clock"] = clock
        self.state = State(token=token, limits=limits or Limits(), **kwargs)
        self.api = BotApi(self.state)
        self._queries: dict[int, str] = {}  # update id -> callback query id

    # --- people ------------------------------------------------------------------------------

    def add_user(
        self, user_id: int, first_name: str, language_code: str | None = None, last_name: str | None = None
    ) -> EmulatedUser:
        user = EmulatedUser(user_id, first_name, language_code, last_name)
        self.state.users[user_id] = user
        self.state.chats.setdefault(user_id, Chat(id=user_id, user=user))
        return user

    def add_group(self, chat_id: int, title: str) -> Chat:
        """A group the bot is in (ids of groups are negative, as on Telegram)."""
        chat = Chat(id=chat_id, type="group", title=title)
        self.state.chats[chat_id] = chat
        return chat

    def chat(self, user_id: int) -> Chat:
        """The user's private chat with the bot (or any chat, by its id)."""
        return self.state.chats[user_id]

    async def send_text(self, user_id: int, text: str, *, chat_id: int | None = None) -> int:
        """The user sends a message, in their private chat unless a group's id is given; commands carry
        a bot_command entity as Telegram adds one."""
        chat = self.chat(user_id if chat_id is None else chat_id)
        message = self._user_message(chat, {"text": text}, self.state.users[user_id])
        command = COMMAND.match(text)
        if command:
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command.group(0))}]
        return await self.state.push_update({"message": message})

    async def upload(
        self,
        user_id: int,
        filename: str,
        content: bytes,
        mime_type: str | None = None,
        caption: str | None = None,
    ) -> int:
        stored = self.api.store_file(Upload(filename, content, mime_type), "document")
        document: dict[str, Any] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": filename,
            "file_size": len(content),
        }
        if mime_type:
            document["mime_type"] = mime_type
        body: dict[str, Any] = {"document": document}
        if caption:
            body["caption"] = caption
        message = self._user_message(self.chat(user_id), body)
        return await self.state.push_update({"message": message})

    async def press(self, user_id: int, message_id: int, callback_data: str, *, chat_id: int | None = None) -> int:
        """The user presses a button (tests may also forge data no button carries)."""
        chat = self.chat(user_id if chat_id is None else chat_id)
        user = self.state.users[user_id]
        query_id = str(self.state.next_id() * 1000 + user_id % 1000)
        query: dict[str, Any] = {
            "id": query_id,
            "from": user.as_telegram(),
            "chat_instance": f"ci{chat.id}",
            "data": callback_data,
        }
        message = chat.messages.get(message_id)
        if message is not None:
            query["message"] = message
        self.state.callback_queries[query_id] = query
        self.state.callback_pressed_at[query_id] = self.state.clock()
        update_id = await self.state.push_update({"callback_query": query})
        self._queries[update_id] = query_id
        return update_id

    async def block(self, user_id: int, blocked: bool = True) -> int:
        """The user blocks (or unblocks) the bot; Telegram tells the bot with `my_chat_member`."""
        chat = self.chat(user_id)
        chat.blocked = blocked
        user = self.state.users[user_id]
        member = {"status": "member", "user": self.state.bot_user()}
        kicked = {"status": "kicked", "user": self.state.bot_user(), "until_date": 0}
        old, new = (member, kicked) if blocked else (kicked, member)
        return await self.state.push_update(
            {
                "my_chat_member": {
                    "chat": chat.as_telegram(),
                    "from": user.as_telegram(),
                    "date": self.state.now(),
                    "old_chat_member": old,
                    "new_chat_member": new,
                }
            }
        )

    # --- trouble a test asks for ---------------------------------------------------------------

    def flood(self, retry_after: int) -> None:
        """Telegram answers the bot's next message 429 with this `retry_after` (counted in seconds, on
        the emulator's clock), whatever the flood limits say; a send before it passed is a violation."""
        self.state.rate.force(retry_after)

    def answer_late(self, chat_id: int, seconds: float) -> None:
        """The bot's next message to this chat arrives, but Telegram's answer takes `seconds` (real
        time): a client with a shorter read timeout times out not knowing it arrived."""
        self.api.late_answers[chat_id] = seconds

    def balance(self, backends: list[str]) -> None:
        """Emulator allowance: the webhook URL is a load balancer in front of these addresses (replicas),
        each delivery going to the next in turn (see bot/sandbox/webhook.py)."""
        self.state.webhook_backends = list(backends)

    def violations(self) -> list[tuple[float, int]]:
        """Sends made while a `retry_after` the bot was given had not passed: (moment, chat id)."""
        return list(self.state.rate.violations)

    def _user_message(self, chat: Chat, content: dict[str, Any], sender: EmulatedUser | None = None) -> dict[str, Any]:
        sender = sender or chat.user
        assert sender is not None
        message = {
            "message_id": chat.new_message_id(),
            "from": sender.as_telegram(),
            "date": self.state.now(),
            "chat": chat.as_telegram(),
            **content,
        }
        chat.messages[message["message_id"]] = message
        return message

    # --- what the bot did ----------------------------------------------------------------------

    def transcript(self, user_id: int) -> list[dict[str, Any]]:
        """Every message in the chat, in order, with the bot's edits applied."""
        return [self.chat(user_id).messages[key] for key in sorted(self.chat(user_id).messages)]

    def bot_messages(self, user_id: int) -> list[dict[str, Any]]:
        return [m for m in self.transcript(user_id) if m["from"]["id"] == self.state.bot_id]

    def callback_answer(self, update_id: int) -> dict[str, Any] | None:
        query_id = self._queries.get(update_id)
        return None if query_id is None else self.state.callback_answers.get(query_id)

    def refusals(self) -> list[Any]:
        return [call for call in self.state.calls if not call.ok]

    # --- knowing when the bot is done with an update -------------------------------------------

    async def mark_processed(self, update_id: int) -> None:
        self.state.processed.add(update_id)
        await self.state.notify()

    async def wait_processed(self, update_id: int) -> None:
        """Wait (bounded) until the bot has handled an update; the caller's harness marks it."""
        async with asyncio.timeout(10), self.state.changed:
            await self.state.changed.wait_for(lambda: update_id in self.state.processed)
