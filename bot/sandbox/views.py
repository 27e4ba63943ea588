"""What the sandbox page shows beside the chat: each Bot API call with the chat it was for, the answers
to button presses (toasts and alerts), and the command menu a person's Telegram would show."""

from __future__ import annotations

import json
from typing import Any

from bot.sandbox.state import ApiError, CallRecord, State

ANSWERS_SHOWN = 20  # a person's latest answered presses the page is given


def call_view(call: CallRecord, state: State) -> dict[str, Any]:
    """A logged call as JSON, with `chat`: whom it was for (a person's name, a group's title), if anyone."""
    return {**call.as_json(), "chat": chat_name(state, _chat_of(call.params, state))}


def _chat_of(params: dict[str, Any], state: State) -> object:
    if params.get("chat_id") is not None:
        return params["chat_id"]
    query = state.callback_queries.get(str(params.get("callback_query_id")))
    if query is not None:
        return query.get("message", {}).get("chat", {}).get("id", query["from"]["id"])
    scope = _json(params.get("scope"))
    return scope.get("chat_id") if isinstance(scope, dict) else None


def chat_name(state: State, chat_id: object) -> str | None:
    if chat_id is None:
        return None
    try:
        chat = state.chat(chat_id)
    except ApiError:
        return str(chat_id)  # a chat the emulator does not know: the call was refused for it
    return chat.user.first_name if chat.user is not None else chat.title or str(chat.id)


def answers(state: State, user_id: int) -> list[dict[str, Any]]:
    """How the bot answered this person's button presses, in order: a toast, or an alert to dismiss."""
    mine = [
        {"id": query_id, "text": answer.get("text") or "", "alert": bool(answer.get("show_alert"))}
        for query_id, answer in state.callback_answers.items()
        if state.callback_queries.get(query_id, {}).get("from", {}).get("id") == user_id
    ]
    return mine[-ANSWERS_SHOWN:]


def command_menu(state: State, chat_id: int, language_code: str | None) -> list[dict[str, str]]:
    """The commands Telegram would list in this private chat: the narrowest scope the bot set, in the
    person's app language before any language (Telegram's order: the chat, all private chats, default)."""
    language = (language_code or "")[:2].lower()
    for scope in (f"chat:{chat_id}:", "all_private_chats::", "default::"):
        for key in (f"{scope}:{language}", f"{scope}:"):
            commands = state.default_commands.get(key)
            if commands:
                return commands
    return []


def _json(value: object) -> object:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return None
    return value
