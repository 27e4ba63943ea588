"""Reading Bot API parameters as Telegram does: JSON bodies, or form values with JSON-encoded objects."""

from __future__ import annotations

import json
from typing import Any

from bot.sandbox.state import bad_request


def as_json(params: dict[str, Any], name: str) -> Any:
    value = params.get(name)
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            raise bad_request(f"can't parse {name} JSON object") from None
    return value


def as_int(params: dict[str, Any], name: str, default: int | None = None) -> int | None:
    value = params.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise bad_request(f"invalid {name} specified") from None


def require_int(params: dict[str, Any], name: str) -> int:
    value = as_int(params, name)
    if value is None:
        raise bad_request(f"{name} is empty")
    return value


def as_bool(params: dict[str, Any], name: str) -> bool:
    value = params.get(name)
    if isinstance(value, str):
        return value.lower() in ("true", "1")
    return bool(value)


def as_str(params: dict[str, Any], name: str) -> str | None:
    value = params.get(name)
    return None if value is None else str(value)


def check_keyboard(markup: Any) -> dict[str, Any] | None:
    """Validate reply_markup the way Telegram does; return it as an object."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
        for row in rows:
            for button in row:
                _check_inline_button(button)
    elif "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request("can't parse reply keyboard markup: keyboard must be an Array of Arrays")
    elif not ({"remove_keyboard", "force_reply"} & markup.keys()):
        raise bad_request("can't parse reply keyboard markup JSON object")
    return markup


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise bad_request("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
    if not str(button.get("text", "")).strip():
        raise bad_request("text buttons are unallowed in the inline keyboard")
    kinds = {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    } & button.keys()
    if len(kinds) != 1:
        raise bad_request("can't parse inline keyboard button: exactly one of the optional fields must be used")
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button and not str(button["url"]).startswith(("http://", "https://", "tg://")):
        raise bad_request("BUTTON_URL_INVALID")


COMMAND_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")  # "lowercase English letters, digits, _"
# BotCommandScope's types and the fields each needs besides its type.
SCOPE_TYPES: dict[str, tuple[str, ...]] = {
    "default": (),
    "all_private_chats": (),
    "all_group_chats": (),
    "all_chat_administrators": (),
    "chat": ("chat_id",),
    "chat_administrators": ("chat_id",),
    "chat_member": ("chat_id", "user_id"),
}


def check_commands(commands: Any) -> list[dict[str, str]]:
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("commands must be an Array of at most 100 BotCommand")
    checked = []
    for item in commands:
        command, description = str(item.get("command", "")), str(item.get("description", ""))
        if not (1 <= len(command) <= 32 and all(c in COMMAND_CHARACTERS for c in command)):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(description) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        checked.append({"command": command, "description": description})
    return checked


def scope_key(scope: Any, language_code: str | None) -> str:
    """Where a command list is kept: the scope (its type and, for one chat or member, their ids) and the
    language. Checked as Telegram checks it: a known scope type with the ids it needs, and a two-letter
    language code or none (whether the chat exists is the caller's check: bot/sandbox/api_settings.py)."""
    scope = scope or {"type": "default"}
    if not isinstance(scope, dict) or scope.get("type") not in SCOPE_TYPES:
        raise bad_request("can't parse BotCommandScope JSON object")
    needed = SCOPE_TYPES[scope["type"]]
    if any(scope.get(name) in (None, "") for name in needed):
        raise bad_request(f"can't parse BotCommandScope JSON object: {' and '.join(needed)} required")
    if language_code and not (len(language_code) == 2 and language_code.isascii() and language_code.islower()):
        raise bad_request("invalid language code specified")
    chat, user = (str(scope[name]) if name in needed else "" for name in ("chat_id", "user_id"))
    return f"{scope['type']}:{chat}:{user}:{language_code or ''}"
