"""Sending files to the emulated Bot API, as strictly as Telegram: multipart uploads, sizes, what a photo
must be, which kind a file_id is, and the caption checked like a message's text."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from PIL import Image

from bot.sandbox import files
from bot.sandbox.botapi import Upload
from bot.sandbox.http import Server, api_server
from bot.sandbox.telegram import EmulatedTelegram
from tests.harness import FakeClock

TOKEN = "778:files"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def image(width: int, height: int, kind: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(out, format=kind)
    return out.getvalue()


@pytest.fixture
async def client() -> AsyncIterator[tuple[EmulatedTelegram, httpx.AsyncClient]]:
    clock = FakeClock()
    telegram = EmulatedTelegram(TOKEN, clock=clock.monotonic)
    telegram.add_user(10, "Ala", "be")
    server: Server = api_server(telegram)
    port = server.start()
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
        yield telegram, http
    await server.stop()


async def post(http: httpx.AsyncClient, method: str, data: dict[str, str], **upload: Any) -> tuple[int, Any]:
    response = await http.post(f"/bot{TOKEN}/{method}", data=data, files=upload or None)
    return response.status_code, response.json()


async def test_a_pdf_uploaded_as_multipart_is_a_message_with_its_document(
    client: tuple[EmulatedTelegram, httpx.AsyncClient],
) -> None:
    telegram, http = client
    status, body = await post(
        http, "sendDocument", {"chat_id": "10", "caption": "<b>Print</b> me", "parse_mode": "HTML"},
        document=("letter.pdf", PDF, "application/pdf"),
    )  # fmt: skip
    assert status == 200, body
    message = body["result"]
    assert message["document"]["file_name"] == "letter.pdf"
    assert message["document"]["mime_type"] == "application/pdf"
    assert message["document"]["file_size"] == len(PDF)
    assert message["caption"] == "Print me" and message["caption_entities"][0]["type"] == "bold"
    assert telegram.bot_messages(10)[-1] == message  # recorded in the chat, as the page and tests read it
    assert telegram.state.files[message["document"]["file_id"]].content == PDF
    call = telegram.state.calls[-1]
    assert call.params["document"] == f"(file letter.pdf, {len(PDF)} bytes)"  # named in the log, never its bytes


async def test_a_photo_comes_back_in_sizes_and_must_be_an_image(
    client: tuple[EmulatedTelegram, httpx.AsyncClient],
) -> None:
    telegram, http = client
    status, body = await post(http, "sendPhoto", {"chat_id": "10"}, photo=("chart.png", image(1600, 900), "image/png"))
    assert status == 200, body
    sizes = [(p["width"], p["height"]) for p in body["result"]["photo"]]
    assert sizes == [(90, 51), (320, 180), (800, 450), (1280, 720), (1600, 900)]
    largest = body["result"]["photo"][-1]["file_id"]
    assert telegram.state.files[largest].content == image(1600, 900)

    not_image = await post(http, "sendPhoto", {"chat_id": "10"}, photo=("x.png", b"\x89PNG not really", "image/png"))
    assert not_image == (400, {"ok": False, "error_code": 400, "description": "Bad Request: IMAGE_PROCESS_FAILED"})
    for width, height in ((2100, 100), (6000, 4500)):  # a ratio over 20; width + height over 10000
        photo = ("p.png", image(width, height), "image/png")
        status, body = await post(http, "sendPhoto", {"chat_id": "10"}, photo=photo)
        assert (status, body["description"]) == (400, "Bad Request: PHOTO_INVALID_DIMENSIONS")


async def test_files_refused_as_telegram_refuses_them(client: tuple[EmulatedTelegram, httpx.AsyncClient]) -> None:
    telegram, http = client
    refused = {
        "missing": await post(http, "sendDocument", {"chat_id": "10"}),
        "missing photo": await post(http, "sendPhoto", {"chat_id": "10"}),
        "empty": await post(http, "sendDocument", {"chat_id": "10"}, document=("a.pdf", b"", "application/pdf")),
        "not attached": await post(http, "sendDocument", {"chat_id": "10", "document": "attach://file"}),
        "url": await post(http, "sendDocument", {"chat_id": "10", "document": "https://example.org/a.pdf"}),
        "bad caption": await post(
            http, "sendDocument", {"chat_id": "10", "caption": "<b>x", "parse_mode": "HTML"},
            document=("a.pdf", PDF, "application/pdf"),
        ),
        "long caption": await post(
            http, "sendDocument", {"chat_id": "10", "caption": "c" * 1025}, document=("a.pdf", PDF, "application/pdf")
        ),
    }  # fmt: skip
    assert {name: body["description"] for name, (_status, body) in refused.items()} == {
        "missing": "Bad Request: there is no document in the request",
        "missing photo": "Bad Request: there is no photo in the request",
        "empty": "Bad Request: file must be non-empty",
        "not attached": "Bad Request: wrong file identifier/HTTP URL specified",
        "url": "Bad Request: failed to get HTTP URL content",
        "bad caption": "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\"",
        "long caption": "Bad Request: message caption is too long",
    }
    assert all(status == 400 for status, _body in refused.values())
    assert telegram.bot_messages(10) == []  # nothing refused reached the chat

    _status, body = await post(http, "sendDocument", {"chat_id": "10"}, document=("a.pdf", PDF, "application/pdf"))
    document_id = body["result"]["document"]["file_id"]
    status, body = await post(http, "sendPhoto", {"chat_id": "10", "photo": document_id})
    assert (status, body["description"]) == (400, "Bad Request: type of file mismatch")
    status, body = await post(http, "sendDocument", {"chat_id": "10", "document": document_id})
    assert status == 200 and body["result"]["document"]["file_id"] == document_id  # sent again by its file_id


async def test_uploads_over_the_size_limits_are_too_large() -> None:
    telegram = EmulatedTelegram(TOKEN)
    telegram.add_user(10, "Ala")
    over = b"x" * (files.UPLOAD_LIMITS["document"] + 1)
    status, body = await telegram.api.call(TOKEN, "sendDocument", {"chat_id": 10}, {"document": Upload("b.pdf", over)})
    assert (status, body["description"]) == (413, "Request Entity Too Large")
    big_photo = b"x" * (files.UPLOAD_LIMITS["photo"] + 1)
    status, body = await telegram.api.call(TOKEN, "sendPhoto", {"chat_id": 10}, {"photo": Upload("big.png", big_photo)})
    assert (status, body["description"]) == (413, "Request Entity Too Large")
    status, _body = await telegram.api.call(
        TOKEN, "sendDocument", {"chat_id": 10}, {"document": Upload("ok.pdf", b"x" * files.UPLOAD_LIMITS["photo"])}
    )
    assert status == 200
