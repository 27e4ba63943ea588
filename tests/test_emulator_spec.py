"""The emulator agrees with the Bot API specification in ../shared/telegram/bot-api-spec.json."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot import PROJECT_ROOT
from bot.sandbox.botapi import METHODS, Upload
from bot.sandbox.telegram import EmulatedTelegram

SPEC_PATH = PROJECT_ROOT.parent / "shared" / "telegram" / "bot-api-spec.json"
TOKEN = "42:spec"


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    if not SPEC_PATH.exists():
        pytest.skip(f"{SPEC_PATH} is not beside the project")
    return json.loads(SPEC_PATH.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_every_method_exists_in_the_spec(spec: dict[str, Any]) -> None:
    assert sorted(set(METHODS) - set(spec["methods"])) == []


def test_required_parameters_match_the_spec(spec: dict[str, Any]) -> None:
    for name, method in METHODS.items():
        required = {field["name"] for field in spec["methods"][name].get("fields", []) if field["required"]}
        assert set(method.required) == required, name


def check_object(spec: dict[str, Any], type_names: list[str], value: Any, path: str) -> None:
    """Raise AssertionError if `value` lacks a field the spec requires for any of its possible types."""
    problems = []
    for type_name in type_names:
        try:
            _check(spec, type_name, value, path)
            return
        except AssertionError as exc:
            problems.append(str(exc))
    raise AssertionError(" / ".join(problems))


def _check(spec: dict[str, Any], type_name: str, value: Any, path: str) -> None:
    if type_name.startswith("Array of "):
        assert isinstance(value, list), f"{path}: expected an array"
        for index, item in enumerate(value):
            _check(spec, type_name.removeprefix("Array of "), item, f"{path}[{index}]")
        return
    scalars = {"Integer": int, "String": str, "Boolean": bool, "True": bool, "Float": (int, float)}
    if type_name in scalars:
        assert isinstance(value, scalars[type_name]), f"{path}: expected {type_name}, got {value!r}"
        return
    definition = spec["types"][type_name]
    if definition.get("subtypes"):
        check_object(spec, definition["subtypes"], value, path)
        return
    assert isinstance(value, dict), f"{path}: expected {type_name} object"
    known = {field["name"]: field for field in definition.get("fields", [])}
    for name, field in known.items():
        if field["required"]:
            assert name in value, f"{path}: {type_name} lacks required {name}"
    for name, item in value.items():
        assert name in known, f"{path}: {type_name} has no field {name}"
        check_object(spec, known[name]["types"], item, f"{path}.{name}")


def tiny_png() -> bytes:
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (400, 300), "white").save(out, format="PNG")
    return out.getvalue()


async def call(telegram: EmulatedTelegram, spec: dict[str, Any], method: str, **params: Any) -> Any:
    uploads = {k: v for k, v in params.items() if isinstance(v, Upload)}
    status, body = await telegram.api.call(TOKEN, method, params, uploads)
    assert status == 200, body
    check_object(spec, spec["methods"][method]["returns"], body["result"], method)
    return body["result"]


async def test_returned_objects_carry_the_required_fields(spec: dict[str, Any]) -> None:
    telegram = EmulatedTelegram(TOKEN)
    telegram.add_user(5, "Ala", "be")
    update_id = await telegram.send_text(5, "/start")
    keyboard = json.dumps({"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]})
    message = await call(
        telegram, spec, "sendMessage", chat_id=5, text="<b>Hi</b>", parse_mode="HTML", reply_markup=keyboard
    )
    await telegram.press(5, message["message_id"], "go")
    await telegram.block(5)
    await telegram.block(5, blocked=False)
    await telegram.upload(5, "list.csv", b"a,b\n", "text/csv")
    updates = await call(telegram, spec, "getUpdates", offset=update_id)
    assert {next(k for k in u if k != "update_id") for u in updates} == {
        "message",
        "callback_query",
        "my_chat_member",
    }
    await call(telegram, spec, "getMe")
    await call(telegram, spec, "editMessageReplyMarkup", chat_id=5, message_id=message["message_id"])
    await call(
        telegram,
        spec,
        "editMessageText",
        chat_id=5,
        message_id=message["message_id"],
        text="Bye",
        reply_markup=keyboard,
    )
    await call(telegram, spec, "sendPhoto", chat_id=5, photo=Upload("p.png", tiny_png()), caption="c")
    document = await call(telegram, spec, "sendDocument", chat_id=5, document=Upload("a.txt", b"x", "text/plain"))
    await call(telegram, spec, "getFile", file_id=document["document"]["file_id"])
    await call(telegram, spec, "getChat", chat_id=5)
    await call(telegram, spec, "sendChatAction", chat_id=5, action="typing")
    await call(telegram, spec, "setMyCommands", commands=json.dumps([{"command": "start", "description": "Go"}]))
    await call(telegram, spec, "getMyCommands")
    await call(telegram, spec, "deleteMyCommands")
    await call(telegram, spec, "setMyDescription", description="d")
    await call(telegram, spec, "getMyDescription")
    await call(telegram, spec, "getMyShortDescription")
    await call(telegram, spec, "getMyName")
    await call(telegram, spec, "getChatMenuButton")
    await call(telegram, spec, "getWebhookInfo")
    await call(telegram, spec, "deleteMessage", chat_id=5, message_id=message["message_id"])
