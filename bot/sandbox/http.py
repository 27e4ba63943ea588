"""The emulated Bot API over real HTTP (tornado, already a dependency through PTB's webhooks extra)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from typing import Any

from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application, RequestHandler

from bot.sandbox.botapi import Upload
from bot.sandbox.telegram import EmulatedTelegram


class BotApiHandler(RequestHandler):
    """`/bot<token>/<method>`: JSON, form-encoded (objects JSON-encoded) or multipart bodies."""

    def initialize(self, telegram: EmulatedTelegram) -> None:
        self.telegram = telegram
        self._task: asyncio.Task[tuple[int, dict[str, Any]]] | None = None

    def check_xsrf_cookie(self) -> None:
        return None

    async def get(self, token: str, method: str) -> None:
        await self.post(token, method)

    async def post(self, token: str, method: str) -> None:
        params: dict[str, Any] = {key: self.get_argument(key) for key in self.request.arguments}
        content_type = self.request.headers.get("Content-Type", "")
        if content_type.startswith("application/json") and self.request.body:
            try:
                body = json.loads(self.request.body)
            except json.JSONDecodeError:
                body = None
            if not isinstance(body, dict):
                self.set_status(400)
                self.write({"ok": False, "error_code": 400, "description": "Bad Request: invalid JSON body"})
                return
            params.update(body)
        uploads = {
            name: Upload(parts[0].filename, parts[0].body, parts[0].content_type)
            for name, parts in self.request.files.items()
            if parts
        }
        self._task = asyncio.ensure_future(self.telegram.api.call(token, method, params, uploads))
        try:
            status, body = await self._task
        except asyncio.CancelledError:
            return  # the client went away (a long poll cancelled at shutdown)
        self.set_status(status)
        self.write(body)

    def on_connection_close(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()


class FileHandler(RequestHandler):
    """`/file/bot<token>/<file_path>`: the content of a file the bot got from getFile."""

    def initialize(self, telegram: EmulatedTelegram) -> None:
        self.telegram = telegram

    def get(self, token: str, path: str) -> None:
        if token != self.telegram.state.token:
            self.set_status(401)
            return
        stored = next((f for f in self.telegram.state.files.values() if f.path == path), None)
        if stored is None:
            self.set_status(404)
            return
        self.set_header("Content-Type", stored.mime_type or "application/octet-stream")
        self.write(stored.content)


def routes(telegram: EmulatedTelegram) -> list[Any]:
    return [
        (r"/bot([^/]+)/([A-Za-z]+)", BotApiHandler, {"telegram": telegram}),
        (r"/file/bot([^/]+)/(.+)", FileHandler, {"telegram": telegram}),
    ]


class Server:
    """An HTTP server on loopback in the running event loop; port 0 picks a free port."""

    def __init__(self, app: Application, telegram: EmulatedTelegram) -> None:
        self.http = HTTPServer(app)
        self.telegram = telegram
        self.port = 0

    def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        sockets = bind_sockets(port, host, family=socket.AF_INET)
        self.http.add_sockets(sockets)
        self.port = sockets[0].getsockname()[1]
        return self.port

    async def stop(self) -> None:
        deliverer = self.telegram.state.deliverer
        if deliverer is not None:
            deliverer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await deliverer
        self.http.stop()
        await self.http.close_all_connections()


def api_server(telegram: EmulatedTelegram) -> Server:
    return Server(Application(routes(telegram)), telegram)
