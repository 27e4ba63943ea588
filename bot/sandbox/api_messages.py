"""Messages: sending, editing and deleting them, button answers, chat actions, files and chats."""

from __future__ import annotations

from typing import Any

from bot.rules.limits import CAPTION_LIMIT, TEXT_LIMIT
from bot.sandbox import files
from bot.sandbox.botapi import BotApi, Upload, method
from bot.sandbox.params import as_bool, as_json, as_str, check_keyboard, require_int
from bot.sandbox.state import Chat, StoredFile, bad_request

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


@method("sendMessage", "chat_id", "text")
async def send_message(api: BotApi, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    chat = api.writable_chat(params)
    content = api.formatted(params, "text", TEXT_LIMIT, required=True)
    check_keyboard(as_json(params, "reply_markup"))
    api.rate_check(chat, params)
    return api.new_message(chat, content, params)


def _file_send(
    api: BotApi, params: dict[str, Any], uploads: dict[str, Upload], kind: str
) -> tuple[Chat, StoredFile, dict[str, Any]]:
    """What sending a photo or a document checks, in Telegram's order: the chat, the caption, the
    keyboard, the file, the flood limit. Returns the chat, the stored file and the caption fields."""
    chat = api.writable_chat(params)
    caption = api.formatted(params, "caption", CAPTION_LIMIT, required=False)
    check_keyboard(as_json(params, "reply_markup"))
    stored = api.file_param(params, uploads, kind, kind)
    if kind == "photo":
        files.photo_dimensions(stored.content)  # refused before it counts against the flood limit
    api.rate_check(chat, params)
    return chat, stored, caption


def _file_fields(stored: StoredFile) -> dict[str, Any]:
    return {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id, "file_size": len(stored.content)}


@method("sendPhoto", "chat_id", "photo")
async def send_photo(api: BotApi, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    """A photo must be an image Telegram can read, of sane dimensions; it comes back in several sizes."""
    chat, stored, caption = _file_send(api, params, uploads, "photo")
    width, height = files.photo_dimensions(stored.content)
    sizes = [
        {**_file_fields(stored), "file_id": f"{stored.file_id}-{w}", "width": w, "height": h}
        for w, h in files.photo_sizes(width, height)
    ]
    sizes[-1]["file_id"] = stored.file_id  # the largest is the file itself (getFile, the sandbox page)
    return api.new_message(chat, {"photo": sizes, **caption}, params)


@method("sendDocument", "chat_id", "document")
async def send_document(api: BotApi, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    chat, stored, caption = _file_send(api, params, uploads, "document")
    document = {**_file_fields(stored), "file_name": stored.file_name or "file"}
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


# Telegram publishes no figure; answers later than about 15 seconds after the press are refused.
CALLBACK_ANSWER_SECONDS = 15.0


@method("answerCallbackQuery", "callback_query_id")
async def answer_callback_query(api: BotApi, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    query_id = str(params["callback_query_id"])
    pressed_at = api.state.callback_pressed_at.get(query_id)
    late = pressed_at is not None and api.state.clock() - pressed_at > CALLBACK_ANSWER_SECONDS
    if query_id not in api.state.callback_queries or query_id in api.state.callback_answers or late:
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
    if len(stored.content) > files.DOWNLOAD_LIMIT:
        raise bad_request("file is too big")
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
