"""The Bot API methods the bot uses, done as Telegram does them, including its refusals."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.sandbox import formatting, webhook
from bot.sandbox.params import (
    as_bool,
    as_int,
    as_json,
    as_str,
    check_commands,
    check_keyboard,
    require_int,
    scope_key,
)
from bot.sandbox.state import ApiError, Chat, State, StoredFile, bad_request

MethodImpl = Callable[["BotApi", dict[str, Any], dict[str, "Upload"]], Awaitable[Any]]
CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}
TEXT_LIMIT, CAPTION_LIMIT = 4096, 1024
SEND_METHODS = {"sendMessage", "sendPhoto", "sendDocument", "copyMessage", "forwardMessage"}


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


def method(name: str, *required: str) -> Callable[[MethodImpl], MethodImpl]:
    def register(impl: MethodImpl) -> MethodImpl:
        METHODS[name] = Method(name, required, impl)
        return impl

    return register


class BotApi:
    """Dispatches one call: token check, method lookup, required parameters, then the method."""

    def __init__(self, state: State) -> None:
        self.state = state

    async def call(
        self, token: str, name: str, params: dict[str, Any], uploads: dict[str, Upload] | None = None
    ) -> tuple[int, dict[str, Any]]:
        if token != self.state.token:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        known = {key.lower(): value for key, value in METHODS.items()}
        spec = known.get(name.lower())
        logged = dict(params)
        if spec is None:
            error = ApiError(404, "Not Found")
            self.state.record(name, logged, error)
            return 404, error.body()
        try:
            for field in spec.required:
                if params.get(field) in (None, "") and field not in (uploads or {}):
                    raise bad_request(f"{field} is empty" if field != "text" else "message text is empty")
            result = await spec.impl(self, params, uploads or {})
        except ApiError as error:
            self.state.record(spec.name, logged, error)
            return error.code, error.body()
        if spec.name != "getUpdates":
            self.state.record(spec.name, logged, None)
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
        if formatting.utf16_len(parsed.text) > limit:
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
        digest = hashlib.sha256(upload.content).hexdigest()[:16]
        stored = StoredFile(
            file_id=f"{kind}-{digest}-{self.state.next_id()}",
            file_unique_id=digest,
            path=f"{kind}s/file_{self.state.next_id()}_{upload.filename}",
            content=upload.content,
            file_name=upload.filename,
            mime_type=upload.content_type,
        )
        self.state.files[stored.file_id] = stored
        return stored

    def file_param(self, params: dict[str, Any], uploads: dict[str, Upload], key: str, kind: str) -> StoredFile:
        if key in uploads:
            return self.store_file(uploads[key], kind)
        value = str(params.get(key, ""))
        if value.startswith("attach://") and value.removeprefix("attach://") in uploads:
            return self.store_file(uploads[value.removeprefix("attach://")], kind)
        if value in self.state.files:
            return self.state.files[value]
        if value.startswith(("http://", "https://")):
            return self.store_file(Upload(value.rsplit("/", 1)[-1] or "file", b""), kind)
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


# --- the methods -------------------------------------------------------------------------------


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


@method("getUpdates")
async def get_updates(api: BotApi, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    state = api.state
    if state.webhook_url:
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    # As on Telegram, the newest request wins: a long poll still waiting (another instance, or a client
    # that gave up on it, as PTB does at shutdown) ends with 409.
    state.poll_generation += 1
    generation = state.poll_generation
    offset = as_int(params, "offset", 0) or 0
    limit = max(1, min(100, as_int(params, "limit", 100) or 100))
    timeout = max(0, as_int(params, "timeout", 0) or 0)
    allowed = as_json(params, "allowed_updates")
    if isinstance(allowed, list):
        state.allowed_updates = allowed or None
    if offset:
        state.updates[:] = [update for update in state.updates if update["update_id"] >= offset]

    def pending() -> list[dict[str, Any]]:
        wanted = state.allowed_updates
        return [
            update
            for update in state.updates
            if wanted is None or next(key for key in update if key != "update_id") in wanted
        ][:limit]

    def superseded() -> bool:
        return state.poll_generation != generation

    state.active_polls += 1
    try:
        async with state.changed:
            state.changed.notify_all()  # ends an older poll; tells anyone watching that a poll is here
            if not pending() and timeout:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(state.changed.wait_for(lambda: bool(pending()) or superseded()), timeout)
        if superseded():
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
            )
        return pending()
    finally:
        state.active_polls -= 1


@method("setWebhook", "url")
async def set_webhook(api: BotApi, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    url = str(params["url"])
    if url and not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    api.state.webhook_url = url
    api.state.webhook_secret = as_str(params, "secret_token")
    if as_bool(params, "drop_pending_updates"):
        api.state.updates.clear()
    if url and (api.state.deliverer is None or api.state.deliverer.done()):
        api.state.deliverer = asyncio.get_running_loop().create_task(webhook.deliver(api.state))
    await api.state.notify()
    return True


@method("deleteWebhook")
async def delete_webhook(api: BotApi, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    api.state.webhook_url = ""
    if as_bool(params, "drop_pending_updates"):
        api.state.updates.clear()
    await api.state.notify()  # the deliverer sees the webhook is gone and stops
    return True


@method("getWebhookInfo")
async def get_webhook_info(api: BotApi, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    return {
        "url": api.state.webhook_url,
        "has_custom_certificate": False,
        "pending_update_count": len(api.state.updates),
    }


@method("sendMessage", "chat_id", "text")
async def send_message(api: BotApi, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    chat = api.writable_chat(params)
    content = api.formatted(params, "text", TEXT_LIMIT, required=True)
    check_keyboard(as_json(params, "reply_markup"))
    api.rate_check(chat, params)
    return api.new_message(chat, content, params)


@method("sendPhoto", "chat_id", "photo")
async def send_photo(api: BotApi, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    chat = api.writable_chat(params)
    caption = api.formatted(params, "caption", CAPTION_LIMIT, required=False)
    check_keyboard(as_json(params, "reply_markup"))
    stored = api.file_param(params, uploads, "photo", "photo")
    api.rate_check(chat, params)
    photo = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "width": 800,
        "height": 600,
        "file_size": len(stored.content),
    }
    return api.new_message(chat, {"photo": [photo], **caption}, params)


@method("sendDocument", "chat_id", "document")
async def send_document(api: BotApi, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    chat = api.writable_chat(params)
    caption = api.formatted(params, "caption", CAPTION_LIMIT, required=False)
    check_keyboard(as_json(params, "reply_markup"))
    stored = api.file_param(params, uploads, "document", "document")
    api.rate_check(chat, params)
    document = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_name": stored.file_name or "file",
        "file_size": len(stored.content),
    }
    if stored.mime_type:
        document["mime_type"] = stored.mime_type
    return api.new_message(chat, {"document": document, **caption}, params)


@method("editMessageText")
async def edit_message_text(api: BotApi, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    _chat, message = api.message_to_edit(params)
    content = api.formatted(params, "text", TEXT_LIMIT, required=True)
    markup = check_keyboard(as_json(params, "reply_markup"))
    unchanged = (
        message.get("text") == content["text"]
        and message.get("entities") == content.get("entities")
        and message.get("reply_markup") == markup
    )
    if unchanged:
        raise bad_request(
            "message is not modified: specified new message content and reply markup are "
            "exactly the same as a current content and reply markup of the message"
        )
    message.pop("entities", None)
    message.pop("reply_markup", None)
    message.update(content)
    if markup is not None:
        message["reply_markup"] = markup
    message["edit_date"] = api.state.now()
    return message


@method("editMessageReplyMarkup")
async def edit_message_reply_markup(api: BotApi, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    _chat, message = api.message_to_edit(params)
    markup = check_keyboard(as_json(params, "reply_markup"))
    if message.get("reply_markup") == markup:
        raise bad_request(
            "message is not modified: specified new message content and reply markup are "
            "exactly the same as a current content and reply markup of the message"
        )
    message.pop("reply_markup", None)
    if markup is not None:
        message["reply_markup"] = markup
    message["edit_date"] = api.state.now()
    return message


@method("deleteMessage", "chat_id", "message_id")
async def delete_message(api: BotApi, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    chat = api.state.chat(params.get("chat_id"))
    if chat.messages.pop(require_int(params, "message_id"), None) is None:
        raise bad_request("message to delete not found")
    return True


@method("answerCallbackQuery", "callback_query_id")
async def answer_callback_query(api: BotApi, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    query_id = str(params["callback_query_id"])
    if query_id not in api.state.callback_queries or query_id in api.state.callback_answers:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = as_str(params, "text") or ""
    if len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    api.state.callback_answers[query_id] = {"text": text, "show_alert": as_bool(params, "show_alert")}
    return True


@method("sendChatAction", "chat_id", "action")
async def send_chat_action(api: BotApi, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    api.writable_chat(params)
    if params["action"] not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return True


@method("getFile", "file_id")
async def get_file(api: BotApi, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    stored = api.state.files.get(str(params["file_id"]))
    if stored is None:
        raise bad_request("invalid file_id")
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.content),
        "file_path": stored.path,
    }


@method("getChat", "chat_id")
async def get_chat(api: BotApi, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    chat = api.state.chat(params["chat_id"])
    return {
        **chat.as_telegram(),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    }


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
