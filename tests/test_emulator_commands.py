"""The emulated Bot API keeps command menus per scope and language as Telegram does, and refuses what
Telegram refuses: an unknown scope, a chat scope without its chat or for a chat the bot cannot reach, a
language code that is not two letters, a command name or description out of its rules."""

from __future__ import annotations

import json

from bot.sandbox import views
from tests.test_emulator_refusals import Api, api  # noqa: F401  # the emulator on real HTTP, as a fixture

START = [{"command": "start", "description": "Go"}]


def chat(chat_id: int) -> str:
    return json.dumps({"type": "chat", "chat_id": chat_id})


async def test_menus_are_kept_per_scope_and_language(api: Api) -> None:  # noqa: F811
    ok = {"ok": True, "result": True}
    assert (await api.call("setMyCommands", commands=START, scope=chat(10), language_code="be"))[1] == ok
    assert (await api.call("setMyCommands", commands=[{"command": "help", "description": "?"}]))[1] == ok
    _, got = await api.call("getMyCommands", scope=chat(10), language_code="be")
    assert got["result"] == START
    _, got = await api.call("getMyCommands", scope=chat(10))  # no menu for other languages in this chat
    assert got["result"] == []
    assert views.command_menu(api.telegram.state, 10, "be") == START  # the chat's own, in its language
    assert views.command_menu(api.telegram.state, 10, "ru")[0]["command"] == "help"  # the default one
    assert (await api.call("deleteMyCommands", scope=chat(10), language_code="be"))[1] == ok
    assert views.command_menu(api.telegram.state, 10, "be")[0]["command"] == "help"


async def test_scopes_are_checked_as_telegram_checks_them(api: Api) -> None:  # noqa: F811
    for method in ("setMyCommands", "getMyCommands", "deleteMyCommands"):
        params = {"commands": START} if method == "setMyCommands" else {}
        assert await api.refused(method, scope=chat(999), **params) == "Bad Request: chat not found"
        assert (await api.refused(method, scope=json.dumps({"type": "chat"}), **params)).startswith(
            "Bad Request: can't parse BotCommandScope JSON object"
        )
        assert await api.refused(method, scope=json.dumps({"type": "everyone"}), **params) == (
            "Bad Request: can't parse BotCommandScope JSON object"
        )
        assert await api.refused(method, language_code="eng", **params) == (
            "Bad Request: invalid language code specified"
        )
    member = json.dumps({"type": "chat_member", "chat_id": 10})
    assert (await api.refused("getMyCommands", scope=member)).endswith("user_id required")
    member = json.dumps({"type": "chat_member", "chat_id": 10, "user_id": 10})
    assert (await api.refused("getMyCommands", scope=member)).startswith("Bad Request: can't change commands")
    assert (await api.call("getMyCommands", scope=json.dumps({"type": "all_group_chats"})))[1]["ok"]


async def test_command_names_and_descriptions_follow_the_rules(api: Api) -> None:  # noqa: F811
    for name in ("Start", "старт", "é", "", "a" * 33, "go-on"):
        commands = [{"command": name, "description": "Go"}]
        assert await api.refused("setMyCommands", commands=commands) == "Bad Request: BOT_COMMAND_INVALID"
    for description in ("", "x" * 257):
        commands = [{"command": "go", "description": description}]
        assert await api.refused("setMyCommands", commands=commands) == ("Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
    many = [{"command": f"c{n}", "description": "x"} for n in range(101)]
    assert (await api.refused("setMyCommands", commands=many)).startswith("Bad Request: commands must be")
    fine = [{"command": "a" * 32, "description": "x" * 256}, {"command": "go_2", "description": "Идём"}]
    assert (await api.call("setMyCommands", commands=fine))[1]["ok"]
