"""The emulated Bot API: one call checked as Telegram checks it (token, method, required parameters),
then handed to the method; the methods themselves are in api_updates, api_messages and api_settings."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.rules.limits import utf16_len
from bot.sandbox import files, formatting
from bot.sandbox.params import (
    as_bool,
    as_json,
    as_str,
    check_keyboard,
    require_int,
)
from bot.sandbox.state import ApiError, Chat, State, StoredFile, bad_request

MethodImpl = Callable[["BotApi", dict[str, Any], dict[str, "Upload"]], Awaitable[Any]]


@dataclass(frozen=True)
class Upload:
    filename: str
    content: bytes
    content_type: str | None = None


@dataclass(frozen=True)
class Method:
    name: str
    required: tuple[str, ...]
    impl: MethodImpl


METHODS: dict[str, Method] = {}
MISSING = {  # how Telegram words a required parameter left out, where it is not "<name> is empty"
    "text": "message text is empty",
    "photo": "there is no photo in the request",
    "document": "there is no document in the request",
}


def method(name: str, *required: str) -> Callable[[MethodImpl], MethodImpl]:
    def register(impl: MethodImpl) -> MethodImpl:
        METHODS[name] = Method(name, required, impl)
        return impl

    return register


class BotApi:
    """Dispatches one call: token check, method lookup, required parameters, then the method."""

    def __init__(self, state: State) -> None:
        self.state = state
        # Chats whose next message is delivered but answered only after so many seconds: a client whose
        # read timeout is shorter gives up not knowing it arrived, as over a slow network (tests set it).
        self.late_answers: dict[int, float] = {}

    async def call(
        self, token: str, name: str, params: dict[str, Any], uploads: dict[str, Upload] | None = None
    ) -> tuple[int, dict[str, Any]]:
        if token != self.state.token:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        known = {key.lower(): value for key, value in METHODS.items()}
        spec = known.get(name.lower())
        logged = dict(params)
        # An upload is not in the parameters; the call log (tests, the sandbox panel) names it, not its bytes.
        logged.update({name: f"(file {up.filename}, {len(up.content)} bytes)" for name, up in (uploads or {}).items()})
        if spec is None:
            error = ApiError(404, "Not Found")
            self.state.record(name, logged, error)
            return 404, error.body()
        try:
            for field in spec.required:
                if params.get(field) in (None, "") and field not in (uploads or {}):
                    raise bad_request(MISSING.get(field, f"{field} is empty"))
            result = await spec.impl(self, params, uploads or {})
        except ApiError as error:
            self.state.record(spec.name, logged, error)
            return error.code, error.body()
        if spec.name != "getUpdates":
            self.state.record(spec.name, logged, None)
        if isinstance(result, dict) and "message_id" in result and result["chat"]["id"] in self.late_answers:
            # Cancelled when the client hangs up (BotApiHandler.on_connection_close): the message stays sent.
            await asyncio.sleep(self.late_answers.pop(result["chat"]["id"]))
        return 200, {"ok": True, "result": result}

    # --- helpers shared by the sending methods -------------------------------------------------

    def writable_chat(self, params: dict[str, Any]) -> Chat:
        chat = self.state.chat(params.get("chat_id"))
        if chat.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    def rate_check(self, chat: Chat, params: dict[str, Any]) -> None:
        retry_after = self.state.rate.check(
            chat.id, is_group=chat.type != "private", paid=as_bool(params, "allow_paid_broadcast")
        )
        if retry_after:
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)

    def formatted(self, params: dict[str, Any], key: str, limit: int, *, required: bool) -> dict[str, Any]:
        raw = as_str(params, key)
        if raw is None or raw == "":
            if required:
                raise bad_request("message text is empty")
            return {}
        try:
            parsed = formatting.parse(raw, as_str(params, "parse_mode"))
        except ValueError as exc:
            raise bad_request(str(exc)) from None
        if not parsed.text.strip():
            raise bad_request("message text is empty" if key == "text" else "caption is empty")
        if utf16_len(parsed.text) > limit:
            raise bad_request("message is too long" if key == "text" else "message caption is too long")
        out: dict[str, Any] = {key: parsed.text}
        if parsed.entities:
            out["entities" if key == "text" else "caption_entities"] = parsed.entities
        return out

    def new_message(self, chat: Chat, content: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        message = {
            "message_id": chat.new_message_id(),
            "from": self.state.bot_user(),
            "date": self.state.now(),
            "chat": chat.as_telegram(),
            **content,
        }
        markup = check_keyboard(as_json(params, "reply_markup"))
        if markup is not None and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        chat.messages[message["message_id"]] = message
        chat.answered.set()
        return message

    def store_file(self, upload: Upload, kind: str) -> StoredFile:
        """Keep a file as Telegram would: under a new file_id, with the kind it was sent as."""
        digest = hashlib.sha256(upload.content).hexdigest()[:16]
        stored = StoredFile(
            file_id=f"{kind}-{digest}-{self.state.next_id()}",
            file_unique_id=digest,
            path=f"{kind}s/file_{self.state.next_id()}_{upload.filename}",
            content=upload.content,
            file_name=upload.filename,
            mime_type=upload.content_type,
            kind=kind,
        )
        self.state.files[stored.file_id] = stored
        return stored

    def file_param(self, params: dict[str, Any], uploads: dict[str, Upload], key: str, kind: str) -> StoredFile:
        """The file a send names: uploaded (multipart/form-data, under its own name or attach://), or a
        file_id of the same kind. Telegram would fetch an HTTP URL; the emulator has no network."""
        value = str(params.get(key, ""))
        attached = value.removeprefix("attach://") if value.startswith("attach://") else None
        upload = uploads.get(key) or (uploads.get(attached) if attached else None)
        if upload is not None:
            files.check_upload(upload.content, kind)
            return self.store_file(upload, kind)
        if value in self.state.files:
            if self.state.files[value].kind != kind:
                raise bad_request("type of file mismatch")
            return self.state.files[value]
        if value.startswith(("http://", "https://")):
            raise bad_request("failed to get HTTP URL content")
        raise bad_request("wrong file identifier/HTTP URL specified")

    def message_to_edit(self, params: dict[str, Any]) -> tuple[Chat, dict[str, Any]]:
        if params.get("inline_message_id"):
            raise bad_request("message to edit not found")
        chat = self.writable_chat(params)
        message = chat.messages.get(require_int(params, "message_id"))
        if message is None:
            raise bad_request("message to edit not found")
        if message.get("from", {}).get("id") != self.state.bot_id:
            raise bad_request("message can't be edited")
        return chat, message


@method("getMe")
async def get_me(api: BotApi, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    return {
        **api.state.bot_user(),
        "can_join_groups": False,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


@method("logOut")
async def log_out(api: BotApi, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    return True


@method("close")
async def close(api: BotApi, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    return True


# The methods by feature; importing them registers them in METHODS (they import this module's names).
from bot.sandbox import api_messages, api_settings, api_updates  # noqa: E402, F401
