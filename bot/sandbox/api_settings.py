"""The bot's own settings: commands per scope and language, name and descriptions, the menu button."""

from __future__ import annotations

from typing import Any

from bot.sandbox.botapi import METHODS, BotApi, Method, Upload, method
from bot.sandbox.params import as_json, as_str, check_commands, scope_key
from bot.sandbox.state import bad_request


@method("setMyCommands", "commands")
async def set_my_commands(api: BotApi, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    commands = check_commands(as_json(params, "commands"))
    key = scope_key(as_json(params, "scope"), as_str(params, "language_code"))
    api.state.default_commands[key] = commands
    return True


@method("deleteMyCommands")
async def delete_my_commands(api: BotApi, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    api.state.default_commands.pop(scope_key(as_json(params, "scope"), as_str(params, "language_code")), None)
    return True


@method("getMyCommands")
async def get_my_commands(api: BotApi, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    key = scope_key(as_json(params, "scope"), as_str(params, "language_code"))
    return api.state.default_commands.get(key, [])


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
