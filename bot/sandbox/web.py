"""The sandbox page's JSON API: people, their chat with the bot, the raw Bot API call log, and the
bot's clock."""

from __future__ import annotations

import json
import math
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from tornado.web import RequestHandler, StaticFileHandler

from bot import handlers as registry
from bot.models import Role
from bot.rules import reminders as reminder_rules
from bot.sandbox import files, formatting, views
from bot.sandbox.telegram import EmulatedTelegram

STATIC = __file__.rsplit("/", 1)[0] + "/static"
RoleSetter = Callable[[int, str | None], Awaitable[None]]
RoleReader = Callable[[], Awaitable[dict[int, str]]]  # each person's roles now, as the bot sees them
FARTHEST_DAYS = 3660  # a move goes at most ten years ahead: the page's clock must stay far from year 9999
# A bot downloads files of at most 20 MB: the page sends none larger, as the bot could do nothing with it.
UPLOAD_LIMIT = files.DOWNLOAD_LIMIT
IMPORT_HOW = "; to import, attach CSV files (📎) with the caption /import, or send /import and then the files"


class BotClock(Protocol):
    """The bot's clock as the page sees and moves it (server.SandboxClock)."""

    def local(self) -> datetime: ...

    async def move(self, day: date) -> datetime | None: ...


class Base(RequestHandler):
    def initialize(self, telegram: EmulatedTelegram, roles: RoleReader, set_role: RoleSetter, clock: BotClock) -> None:
        self.telegram = telegram
        self.roles = roles
        self.set_role = set_role
        self.clock = clock

    def check_xsrf_cookie(self) -> None:
        return None  # the sandbox listens on loopback only

    def body(self) -> dict[str, Any]:
        try:
            data = json.loads(self.request.body or b"{}")
        except json.JSONDecodeError:
            data = None
        return data if isinstance(data, dict) else {}

    def user_id(self, raw: str) -> int | None:
        user_id = int(raw)
        if user_id not in self.telegram.state.users:
            self.set_status(404)
            self.write({"error": "no such user"})
            return None
        return user_id


class Users(Base):
    async def get(self) -> None:
        roles = await self.roles()
        self.write({"users": [
            {"id": user.id, "first_name": user.first_name, "language_code": user.language_code,
             "role": roles.get(user.id) or "supporter", "hints": hints(roles.get(user.id)),
             "blocked": self.telegram.chat(user.id).blocked}
            for user in self.telegram.state.users.values()
        ]})  # fmt: skip

    async def post(self) -> None:
        data = self.body()
        name = str(data.get("first_name") or "").strip()[:64]
        language = str(data.get("language_code") or "").strip()[:10] or None
        role = str(data.get("role") or "supporter")
        if not name or role not in ("supporter", "coordinator", "admin"):
            self.set_status(400)
            self.write({"error": "a name and a role (supporter, coordinator, admin) are needed"})
            return
        user_id = 7_000_000 + len(self.telegram.state.users) + 1
        self.telegram.add_user(user_id, name, language)
        if role != "supporter":
            await self.set_role(user_id, role)
        self.write({"id": user_id})


class Chat(Base):
    def get(self, raw_id: str) -> None:
        user_id = self.user_id(raw_id)
        if user_id is None:
            return
        after = int(self.get_argument("calls_after", "0") or 0)
        state = self.telegram.state
        self.write({
            "messages": [message_view(m, state.bot_id) for m in self.telegram.transcript(user_id)],
            "calls": [views.call_view(call, state) for call in state.calls if call.seq > after][-300:],
            "answers": views.answers(state, user_id),
            "commands": views.command_menu(state, user_id, state.users[user_id].language_code),
            "blocked": self.telegram.chat(user_id).blocked,
        })  # fmt: skip


class Action(Base):
    async def post(self, raw_id: str, action: str) -> None:
        user_id = self.user_id(raw_id)
        if user_id is None:
            return
        if action == "upload":
            parts = self.request.files.get("document") or []
            if not parts:
                self.set_status(400)
                self.write({"error": "choose a file"})
                return
            part = parts[0]
            if len(part.body) > UPLOAD_LIMIT:
                self.set_status(413)
                self.write({"error": too_large(part.filename, len(part.body))})
                return
            caption = self.get_body_argument("caption", "").strip()[:1024] or None  # Telegram's caption limit
            update_id = await self.telegram.upload(
                user_id, part.filename, part.body, part.content_type or None, caption=caption
            )
        else:
            data = self.body()
            if action == "send" and str(data.get("text") or "").strip():
                update_id = await self.telegram.send_text(user_id, str(data["text"])[:4096])
            elif action == "press":
                update_id = await self.telegram.press(user_id, int(data.get("message_id", 0)), str(data.get("data")))
            elif action == "block":
                update_id = await self.telegram.block(user_id, bool(data.get("blocked", True)))
            else:
                self.set_status(400)
                self.write({"error": f"nothing to {action}"})
                return
        self.write({"update_id": update_id})


class File(Base):
    def get(self, file_id: str) -> None:
        stored = self.telegram.state.files.get(file_id)
        if stored is None:
            self.set_status(404)
            return
        self.set_header("Content-Type", stored.mime_type or "application/octet-stream")
        self.write(stored.content)


class Clock(Base):
    """The bot's date and time; a POST of {"days": n} or {"date": "YYYY-MM-DD"} moves it forward and
    runs a reminder round, answering once what was due has been sent."""

    def get(self) -> None:
        self.write(clock_view(self.clock.local()))

    async def post(self) -> None:
        data = self.body()
        today = self.clock.local().date()
        try:
            day = date.fromisoformat(str(data["date"])) if "date" in data else today + timedelta(days=int(data["days"]))
        except (KeyError, TypeError, ValueError, OverflowError):
            day = today
        moved = await self.clock.move(day) if 0 < (day - today).days <= FARTHEST_DAYS else None
        if moved is None:
            self.set_status(400)
            self.write({"error": f"choose a day after {today.isoformat()}, within ten years"})
            return
        self.write(clock_view(moved))


def hints(held: str | None) -> list[dict[str, str]]:
    """What this person may try, shown under the chat's title: everyone's commands, then those of the
    roles they hold (an admin may do what a coordinator does), as bot/handlers/__init__.py names them."""
    roles = {role.strip() for role in (held or "").split(",")}

    def line(role: str, who: str, names: tuple[str, ...], how: str = "") -> dict[str, str]:
        return {"role": role, "who": who, "text": ", ".join(f"/{name}" for name in names) + how}

    lines = [line("supporter", "everyone", registry.COMMANDS)]
    if roles & {Role.COORDINATOR.value, Role.ADMIN.value}:
        lines.append(line("coordinator", "coordinators and admins", registry.STAFF_COMMANDS))
    if Role.ADMIN.value in roles:
        lines.append(line("admin", "admins", registry.ADMIN_COMMANDS, IMPORT_HOW))
    return lines


def too_large(name: str, size: int) -> str:
    """The page's note on a file it will not send (app.js words it the same way before sending); the size
    rounded up, so that a file just over the limit does not read as 20.0 MB."""
    megabytes = math.ceil(size / 1024 / 1024 * 10) / 10
    return f"{name} is {megabytes:.1f} MB: a bot can download files of at most 20 MB, so it is not sent."


def clock_view(local: datetime) -> dict[str, Any]:
    """The clock as the page shows it, with the reminder window it is in (reminders arrive only then)."""
    window = reminder_rules.open_window(local)
    return {
        "iso": local.isoformat(timespec="minutes"),
        "label": f"{local:%a} {local.day} {local:%b %Y, %H:%M}",
        "timezone": str(local.tzinfo),
        "window": None if window is None else window.value,
        "tomorrow": (local.date() + timedelta(days=1)).isoformat(),
    }


def message_view(message: dict[str, Any], bot_id: int) -> dict[str, Any]:
    """A message as the page draws it: safe HTML, buttons, and links to any photo or document."""
    text = message.get("text") or message.get("caption") or ""
    entities = message.get("entities") or message.get("caption_entities") or []
    from_bot = message["from"]["id"] == bot_id
    view: dict[str, Any] = {
        "message_id": message["message_id"],
        "from_bot": from_bot,
        "html": formatting.to_html(text, entities if from_bot else []),
        "edited": "edit_date" in message,
        "buttons": [
            [{"text": b["text"], "data": b.get("callback_data"), "url": b.get("url")} for b in row]
            for row in message.get("reply_markup", {}).get("inline_keyboard", [])
        ],
    }
    if "photo" in message:
        view["photo"] = f"/sandbox/file/{message['photo'][-1]['file_id']}"
    if "document" in message:
        document = message["document"]
        view["document"] = {
            "name": document.get("file_name", "file"),
            "size": document.get("file_size"),
            "url": f"/sandbox/file/{document['file_id']}",
        }
    return view


def routes(telegram: EmulatedTelegram, roles: RoleReader, set_role: RoleSetter, clock: BotClock) -> list[Any]:
    args = {"telegram": telegram, "roles": roles, "set_role": set_role, "clock": clock}
    return [
        (r"/()", StaticFileHandler, {"path": STATIC, "default_filename": "index.html"}),
        (r"/sandbox/static/(.*)", StaticFileHandler, {"path": STATIC}),
        (r"/sandbox/api/users", Users, args),
        (r"/sandbox/api/chat/(\d+)", Chat, args),
        (r"/sandbox/api/chat/(\d+)/(send|press|upload|block)", Action, args),
        (r"/sandbox/file/([^/]+)", File, args),
        (r"/sandbox/api/clock", Clock, args),
    ]
