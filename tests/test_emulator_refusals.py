"""The emulated Bot API refuses what Telegram refuses, over real HTTP, in Telegram's words."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from bot.sandbox.http import Server, api_server
from bot.sandbox.limits import Limits
from bot.sandbox.telegram import EmulatedTelegram
from tests.harness import FakeClock

TOKEN = "777:refusals"


@dataclass
class Api:
    telegram: EmulatedTelegram
    client: httpx.AsyncClient
    clock: FakeClock

    async def call(self, method: str, token: str = TOKEN, **params: Any) -> tuple[int, dict[str, Any]]:
        response = await self.client.post(f"/bot{token}/{method}", json=params)
        return response.status_code, response.json()

    async def refused(self, method: str, **params: Any) -> str:
        status, body = await self.call(method, **params)
        assert status >= 400 and body["ok"] is False, body
        assert body["error_code"] == status
        return str(body["description"])


@pytest.fixture
async def api() -> AsyncIterator[Api]:
    clock = FakeClock()
    telegram = EmulatedTelegram(TOKEN, clock=clock.monotonic)
    telegram.add_user(10, "Ala", "be")
    telegram.add_user(11, "Ivan", "ru")
    server: Server = api_server(telegram)
    port = server.start()
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        yield Api(telegram, client, clock)
    await server.stop()


async def test_wrong_token_and_unknown_method(api: Api) -> None:
    status, body = await api.call("getMe", token="777:wrong")
    assert (status, body["description"]) == (401, "Unauthorized")
    assert await api.refused("sendTelepathy") == "Not Found"


async def test_text_length_is_counted_after_entity_parsing(api: Api) -> None:
    assert await api.refused("sendMessage", chat_id=10, text="") == "Bad Request: message text is empty"
    assert await api.refused("sendMessage", chat_id=10, text="x" * 4097) == "Bad Request: message is too long"
    status, _ = await api.call("sendMessage", chat_id=10, text="<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    assert status == 200  # the tags do not count
    caption = await api.refused("sendPhoto", chat_id=10, photo="https://example.org/p.png", caption="c" * 1025)
    assert caption == "Bad Request: message caption is too long"


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("1 < 2", "Unsupported start tag at byte offset 2"),
        ("fish & chips", "Can't find end of the entity starting at byte offset 5"),
        ("<blink>x</blink>", 'Unsupported start tag "blink" at byte offset 0'),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("&nbsp;", "Unsupported HTML entity at byte offset 0"),
        ('<span class="big">x</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ],
)
async def test_bad_html_cannot_be_parsed(api: Api, text: str, detail: str) -> None:
    description = await api.refused("sendMessage", chat_id=10, text=text, parse_mode="HTML")
    assert description == f"Bad Request: can't parse entities: {detail}"


async def test_good_html_gives_entities(api: Api) -> None:
    status, body = await api.call(
        "sendMessage", chat_id=10, parse_mode="HTML",
        text='<b>a</b> &lt;3 <a href="https://x.org">l</a> <tg-spoiler>s</tg-spoiler> '
        '<pre><code class="language-py">p</code></pre>',
    )  # fmt: skip
    assert status == 200
    message = body["result"]
    assert message["text"] == "a <3 l s p"
    assert [e["type"] for e in message["entities"]] == ["bold", "text_link", "spoiler", "pre"]
    assert message["entities"][3]["language"] == "py"


async def test_markdown_v2_reserved_characters(api: Api) -> None:
    description = await api.refused("sendMessage", chat_id=10, text="Hello.", parse_mode="MarkdownV2")
    assert description.endswith("Character '.' is reserved and must be escaped with the preceding '\\'")
    status, body = await api.call("sendMessage", chat_id=10, text="*Hi* there\\.", parse_mode="MarkdownV2")
    assert status == 200 and body["result"]["text"] == "Hi there."


@pytest.mark.parametrize(
    ("markup", "description"),
    [
        ({"inline_keyboard": [[{"text": "x", "callback_data": "d" * 65}]]},
         "Bad Request: BUTTON_DATA_INVALID"),
        ({"inline_keyboard": [[{"text": "x", "callback_data": ""}]]}, "Bad Request: BUTTON_DATA_INVALID"),
        ({"inline_keyboard": [[{"text": "", "callback_data": "a"}]]},
         "Bad Request: text buttons are unallowed in the inline keyboard"),
        ({"inline_keyboard": [{"text": "x", "callback_data": "a"}]},
         "Bad Request: can't parse inline keyboard button: InlineKeyboardButton must be an Object"),
        ({"inline_keyboard": [[{"text": "x"}]]},
         "Bad Request: can't parse inline keyboard button: exactly one of the optional fields must be used"),
        ({"buttons": []}, "Bad Request: can't parse reply keyboard markup JSON object"),
    ],
)  # fmt: skip
async def test_bad_keyboards(api: Api, markup: dict[str, Any], description: str) -> None:
    assert await api.refused("sendMessage", chat_id=10, text="x", reply_markup=markup) == description


async def test_callback_data_of_64_bytes_is_fine(api: Api) -> None:
    data = "ж" * 32  # 64 bytes in UTF-8
    status, _ = await api.call(
        "sendMessage",
        chat_id=10,
        text="x",
        reply_markup={"inline_keyboard": [[{"text": "x", "callback_data": data}]]},
    )
    assert status == 200


async def test_unknown_chat_and_blocked_user(api: Api) -> None:
    assert await api.refused("sendMessage", chat_id=999, text="hi") == "Bad Request: chat not found"
    update_id = await api.telegram.block(10)
    assert await api.refused("sendMessage", chat_id=10, text="hi") == "Forbidden: bot was blocked by the user"
    _status, body = await api.call("getUpdates", offset=update_id)
    change = body["result"][0]["my_chat_member"]
    assert (change["old_chat_member"]["status"], change["new_chat_member"]["status"]) == ("member", "kicked")


async def test_per_chat_limit_answers_429_and_records_ignored_retry_after(api: Api) -> None:
    for _ in range(3):  # the burst
        assert (await api.call("sendMessage", chat_id=10, text="x"))[0] == 200
    status, body = await api.call("sendMessage", chat_id=10, text="x")
    assert status == 429
    assert body["description"] == "Too Many Requests: retry after 1"
    assert body["parameters"] == {"retry_after": 1}
    assert api.telegram.state.rate.violations == []
    await api.call("sendMessage", chat_id=11, text="x")  # sent before the retry_after passed
    assert len(api.telegram.state.rate.violations) == 1
    api.clock.advance(1.0)
    assert (await api.call("sendMessage", chat_id=10, text="x"))[0] == 200


async def test_global_limit_and_paid_broadcast() -> None:
    clock = FakeClock()
    telegram = EmulatedTelegram(TOKEN, clock=clock.monotonic, limits=Limits(per_chat_burst=100))
    for user_id in range(1, 40):
        telegram.add_user(user_id, f"u{user_id}")
    statuses = [(await telegram.api.call(TOKEN, "sendMessage", {"chat_id": u, "text": "x"}))[0] for u in range(1, 32)]
    assert statuses.count(200) == 30 and statuses[-1] == 429
    clock.advance(5)
    paid = [
        (await telegram.api.call(TOKEN, "sendMessage", {"chat_id": u, "text": "x", "allow_paid_broadcast": True}))[0]
        for u in range(1, 40)
    ]
    assert set(paid) == {200}


async def test_group_limit_is_twenty_a_minute() -> None:
    from bot.sandbox.state import Chat

    clock = FakeClock()
    telegram = EmulatedTelegram(TOKEN, clock=clock.monotonic)
    telegram.state.chats[-100] = Chat(id=-100, type="group", title="Volunteers")
    statuses = [(await telegram.api.call(TOKEN, "sendMessage", {"chat_id": -100, "text": "x"}))[0] for _ in range(21)]
    assert statuses[:20] == [200] * 20 and statuses[20] == 429


async def test_a_newer_poll_ends_the_waiting_one_with_409(api: Api) -> None:
    first = asyncio.create_task(api.call("getUpdates", timeout=5))
    state = api.telegram.state
    async with asyncio.timeout(5), state.changed:
        await state.changed.wait_for(lambda: state.active_polls > 0)
    second = asyncio.create_task(api.call("getUpdates", timeout=5))
    status, body = await first
    assert status == 409
    assert body["description"].startswith("Conflict: terminated by other getUpdates request")
    await api.telegram.send_text(10, "hello")
    status, body = await second
    assert status == 200 and body["result"][0]["message"]["text"] == "hello"


async def test_form_and_multipart_bodies_and_file_download(api: Api) -> None:
    keyboard = json.dumps({"inline_keyboard": [[{"text": "ok", "callback_data": "ok"}]]})
    response = await api.client.post(
        f"/bot{TOKEN}/sendMessage", data={"chat_id": "10", "text": "form", "reply_markup": keyboard}
    )
    assert response.status_code == 200
    assert response.json()["result"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "ok"
    response = await api.client.post(
        f"/bot{TOKEN}/sendDocument",
        data={"chat_id": "10"},
        files={"document": ("list.csv", b"a,b\n1,2\n", "text/csv")},
    )
    assert response.status_code == 200
    file_id = response.json()["result"]["document"]["file_id"]
    _status, body = await api.call("getFile", file_id=file_id)
    download = await api.client.get(f"/file/bot{TOKEN}/{body['result']['file_path']}")
    assert download.content == b"a,b\n1,2\n"


async def test_editing_refusals(api: Api) -> None:
    _, sent = await api.call("sendMessage", chat_id=10, text="same")
    message_id = sent["result"]["message_id"]
    assert (await api.refused("editMessageText", chat_id=10, message_id=message_id, text="same")).startswith(
        "Bad Request: message is not modified"
    )
    assert await api.refused("editMessageText", chat_id=10, message_id=999, text="x") == (
        "Bad Request: message to edit not found"
    )
    user_message = await api.telegram.send_text(10, "mine")
    assert user_message
    own = api.telegram.transcript(10)[-1]["message_id"]
    assert await api.refused("editMessageText", chat_id=10, message_id=own, text="x") == (
        "Bad Request: message can't be edited"
    )
    assert await api.refused("answerCallbackQuery", callback_query_id="nope") == (
        "Bad Request: query is too old and response timeout expired or query ID is invalid"
    )
