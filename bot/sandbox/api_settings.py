"""The bot's own settings: commands per scope and language, name and descriptions, the menu button."""

from __future__ import annotations

from typing import Any

from bot.sandbox.botapi import METHODS, BotApi, Method, Upload, method
from bot.sandbox.params import as_json, as_str, check_commands, scope_key
from bot.sandbox.state import bad_request


def _commands_key(api: BotApi, params: dict[str, Any]) -> str:
    """The scope and language of a command list; a chat scope names a chat the bot can reach, or
    Telegram answers "chat not found" (a private chat exists once its user has written to the bot)."""
    scope = as_json(params, "scope")
    key = scope_key(scope, as_str(params, "language_code"))
    if isinstance(scope, dict) and "chat_id" in scope:
        chat = api.state.chat(scope["chat_id"])
        if scope["type"] in ("chat_administrators", "chat_member") and chat.type == "private":
            raise bad_request("can't change commands of administrators or members of a private chat")
    return key


@method("setMyCommands", "commands")
async def set_my_commands(api: BotApi, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    commands = check_commands(as_json(params, "commands"))
    api.state.default_commands[_commands_key(api, params)] = commands
    return True


@method("deleteMyCommands")
async def delete_my_commands(api: BotApi, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    api.state.default_commands.pop(_commands_key(api, params), None)
    return True


@method("getMyCommands")
async def get_my_commands(api: BotApi, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    return api.state.default_commands.get(_commands_key(api, params), [])


def _bot_text(name: str, result_key: str, limit: int) -> None:
    async def setter(api: BotApi, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        value = as_str(params, result_key) or ""
        if len(value) > limit:
            raise bad_request(f"{result_key} is too long")
        api.state.bot_texts[f"{result_key}:{as_str(params, 'language_code') or ''}"] = value
        return True

    async def getter(api: BotApi, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        return {result_key: api.state.bot_texts.get(f"{result_key}:{as_str(params, 'language_code') or ''}", "")}

    METHODS[f"setMy{name}"] = Method(f"setMy{name}", (), setter)
    METHODS[f"getMy{name}"] = Method(f"getMy{name}", (), getter)


_bot_text("Description", "description", 512)
_bot_text("ShortDescription", "short_description", 120)
_bot_text("Name", "name", 64)


@method("setChatMenuButton")
async def set_chat_menu_button(api: BotApi, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    return True


@method("getChatMenuButton")
async def get_chat_menu_button(api: BotApi, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    return {"type": "commands"}
