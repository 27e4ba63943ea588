"""The sandbox's demo data and its page API (without a browser)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlmodel import select
from telegram import Update
from telegram.ext import TypeHandler

from bot import PROJECT_ROOT
from bot.config import Settings
from bot.models import Role, RoleGrant
from bot.rules import fairness, occasions
from bot.rules import reminders as reminder_rules
from bot.sandbox import demo, server, web
from bot.services import suggestions

MINSK = ZoneInfo("Europe/Minsk")
# Where the sandbox's real time stands still in these tests: a Monday evening after the evening window,
# so that a move lands at 19:00 whatever the hour the tests run at.
START = datetime(2026, 11, 23, 22, 30, tzinfo=MINSK)


def test_demo_people_cover_what_the_sandbox_needs() -> None:
    today = date(2026, 11, 22)
    people = demo.people(today)
    assert len(people) >= 40
    assert {p["gender"] for p in people} == {"male", "female"}
    assert len({p["source_id"] for p in people}) == len(people)
    assert len({p["name_ru"] for p in people}) == len({p["name_be"] for p in people}) == len(people)
    coming = {((today + timedelta(days=d)).month, (today + timedelta(days=d)).day) for d in range(30)}
    soon = [p for p in people if (p["birth_month"], p["birth_day"]) in coming]
    assert len(soon) >= 4
    assert len({p["birth_month"] for p in people if p["birth_month"]}) == 12
    assert any(p["letters_blocked"] for p in people) and any(p["incommunicado"] for p in people)
    assert 2 <= sum(p["status"] == "released" for p in people) <= 6
    assert all(p["bio_en"] == "Demo data: an invented person." for p in people)
    for person in people:
        if person["in_custody"]:
            assert person["address_ru"] and person["address_be"]
            assert not any("a" <= c <= "z" for c in person["address_ru"].lower())


@pytest.mark.parametrize("today", [date(2026, 11, 22), date(2026, 12, 20), date(2028, 2, 9), date(2027, 1, 31)])
def test_a_letter_to_anyone_with_a_birthday_soon_is_followed_by_a_reminder(today: date) -> None:
    """Suggestions put people with a birthday within the lead time first: after a letter to any of them,
    a birthday reminder comes when the page's clock moves a day or a week on, whatever day the sandbox
    starts on."""
    people = demo.people(today)
    for person, days in zip(people, demo.SOON, strict=False):
        assert occasions.next_birthday(person["birth_month"], person["birth_day"], today) == today + timedelta(days)
    soon = [
        p for p in people
        if all(p[key] == value for key, value in suggestions.WRITABLE.items())
        and (days := _days_to_birthday(p, today)) is not None and days <= fairness.BIRTHDAY_LEAD_DAYS
    ]  # fmt: skip
    assert len(soon) >= 4
    for person in soon:
        for moved in (1, 7):
            later = today + timedelta(days=moved)
            due = reminder_rules.birthday(0, person["birth_month"], person["birth_day"], later)
            assert due is not None
            if moved == 1:
                assert due.post_by >= later  # "post by" a day still to come


def _days_to_birthday(person: dict[str, Any], today: date) -> int | None:
    upcoming = occasions.next_birthday(person["birth_month"], person["birth_day"], today)
    return None if upcoming is None else (upcoming - today).days


@pytest.mark.parametrize(
    ("hour", "minute", "lands"),
    [(10, 30, time(10, 30)), (14, 0, time(14, 0)), (18, 5, time(18, 5)),  # in a window: the time is kept
     (12, 30, time(19)), (22, 30, time(19)), (3, 0, time(19)), (8, 59, time(19))],  # else 19:00
)  # fmt: skip
def test_a_move_keeps_the_time_of_day_unless_no_reminder_can_arrive_then(hour: int, minute: int, lands: time) -> None:
    now = datetime(2026, 11, 23, hour, minute, tzinfo=MINSK)
    assert server.landing(now, date(2026, 11, 30)) == datetime.combine(date(2026, 11, 30), lands, MINSK)
    # 19:00 is in the evening window, the one everyone has until they choose another.
    assert reminder_rules.open_window(datetime.combine(date(2026, 11, 30), server.LANDING, MINSK)) == (
        reminder_rules.window_of(None)
    )


async def test_the_clock_moves_forward_only_and_runs_a_round_each_time() -> None:
    clock = server.SandboxClock(MINSK, lambda: START.astimezone(UTC))
    rounds: list[datetime] = []

    async def round_now() -> None:
        rounds.append(clock())

    clock.after_move = round_now
    assert await clock.move(START.date()) is None  # today is not a move
    assert clock() == START and rounds == []
    moved = await clock.move(date(2026, 11, 24))
    assert moved == datetime(2026, 11, 24, 19, 0, tzinfo=MINSK) == clock.local()
    assert rounds == [moved]
    assert await clock.move(date(2026, 11, 20)) is None and clock.local() == moved


@contextlib.asynccontextmanager
async def running_sandbox(database_url: str) -> AsyncIterator[server.Sandbox]:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    running = await server.start(settings, database_url, clock=lambda: START.astimezone(UTC))

    async def processed(update: Update, _context: Any) -> None:
        await running.telegram.mark_processed(update.update_id)

    # Last of all handlers: a test waits for the bot to be done with an update, never sleeps for it.
    running.application.add_handler(TypeHandler(Update, processed), group=10_000)
    try:
        yield running
    finally:
        await server.stop(running)


@pytest.fixture
async def sandbox(sqlite_template: Path, tmp_path: Path) -> AsyncIterator[server.Sandbox]:
    path = tmp_path / "sandbox.sqlite3"
    shutil.copy(sqlite_template, path)
    async with running_sandbox(f"sqlite+aiosqlite:///{path}") as running:
        yield running


@pytest.fixture
async def sandbox_on_each_database(database_url: str) -> AsyncIterator[server.Sandbox]:
    async with running_sandbox(database_url) as running:
        yield running


async def test_page_api_adds_people_with_roles_and_uploads(sandbox: server.Sandbox) -> None:
    async with httpx.AsyncClient(base_url=sandbox.url) as client:
        users = (await client.get("/sandbox/api/users")).json()["users"]
        assert {u["role"] for u in users} == {"supporter", "coordinator", "admin"}
        created = (await client.post("/sandbox/api/users", content=json.dumps(
            {"first_name": "Jan", "language_code": "en", "role": "coordinator"}
        ))).json()  # fmt: skip
        refused = await client.post("/sandbox/api/users", content=json.dumps({"first_name": "", "role": "x"}))
        assert refused.status_code == 400
        uploaded = await client.post(
            f"/sandbox/api/chat/{created['id']}/upload",
            files={"document": ("list.csv", b"a,b\n", "text/csv")},
        )
        assert uploaded.status_code == 200
        chat = (await client.get(f"/sandbox/api/chat/{created['id']}")).json()
        assert chat["messages"][0]["document"]["name"] == "list.csv"
        download = await client.get(chat["messages"][0]["document"]["url"])
        assert download.content == b"a,b\n"
        assert (await client.get("/sandbox/api/chat/1")).status_code == 404
    async with sandbox.database.transaction() as session:
        grants = (await session.exec(select(RoleGrant).where(RoleGrant.telegram_id == created["id"]))).all()
    assert [g.role for g in grants] == [Role.COORDINATOR.value]


async def test_the_persons_roles_are_the_bots_and_the_page_says_what_each_may_try(
    sandbox_on_each_database: server.Sandbox,
) -> None:
    sandbox = sandbox_on_each_database
    async with httpx.AsyncClient(base_url=sandbox.url) as client:
        users = {u["id"]: u for u in (await client.get("/sandbox/api/users")).json()["users"]}
    emma, kasia, andrei = users[7000003], users[7000004], users[7000005]
    assert (emma["role"], kasia["role"], andrei["role"]) == ("supporter", "coordinator", "admin")
    assert [hint["role"] for hint in emma["hints"]] == ["supporter"]
    assert [hint["role"] for hint in kasia["hints"]] == ["supporter", "coordinator"]
    # An admin may do what a coordinator does.
    assert [hint["role"] for hint in andrei["hints"]] == ["supporter", "coordinator", "admin"]
    assert "/suggest" in emma["hints"][0]["text"] and "/broadcast" in kasia["hints"][1]["text"]
    assert andrei["hints"][2]["text"].startswith("/import, /export")
    # The admin is one by BOT_ADMIN_IDS, as a deployment's first admin; the coordinator by a grant.
    assert 7000005 in sandbox.application.bot_data["deps"].settings.bot_admin_ids
    async with sandbox.database.transaction() as session:
        grants = {(g.telegram_id, g.role) for g in (await session.exec(select(RoleGrant))).all()}
    assert grants == {(7000004, Role.COORDINATOR.value)}


async def test_a_file_uploaded_on_the_page_reaches_the_bot_with_its_caption_and_20_mb_at_most(
    sandbox: server.Sandbox,
) -> None:
    async with httpx.AsyncClient(base_url=sandbox.url) as client:
        answer = await client.post(
            "/sandbox/api/chat/7000005/upload",
            data={"caption": " /import "},
            files={"document": ("viasna_ru.csv", b"id,name\n", "text/csv")},
        )
        assert answer.status_code == 200
        await sandbox.telegram.wait_processed(answer.json()["update_id"])
        sent = sandbox.telegram.transcript(7000005)[0]
        assert sent["caption"] == "/import" and sent["document"]["file_name"] == "viasna_ru.csv"
        assert sandbox.telegram.bot_messages(7000005)  # the bot answered it
        shown = (await client.get("/sandbox/api/chat/7000005")).json()["messages"][0]
        assert shown["document"]["name"] == "viasna_ru.csv" and shown["document"]["size"] == 8
        assert shown["html"] == "/import" and not shown["from_bot"]

        too_large = await client.post(
            "/sandbox/api/chat/7000005/upload",
            files={"document": ("big.csv", b"x" * (web.UPLOAD_LIMIT + 1), "text/csv")},
        )
        assert too_large.status_code == 413
        assert too_large.json()["error"] == (
            "big.csv is 20.1 MB: a bot can download files of at most 20 MB, so it is not sent."
        )
        at_limit = await client.post(
            "/sandbox/api/chat/7000003/upload",
            files={"document": ("letter.pdf", b"x" * web.UPLOAD_LIMIT, "application/pdf")},
        )
        assert at_limit.status_code == 200
    assert [m["document"]["file_name"] for m in sandbox.telegram.transcript(7000005) if "document" in m] == [
        "viasna_ru.csv"
    ]


class PageUser:
    """A demo person driven through the page's API, as the chat page does."""

    def __init__(self, client: httpx.AsyncClient, sandbox: server.Sandbox, user_id: int) -> None:
        self.client, self.sandbox, self.id = client, sandbox, user_id

    async def act(self, action: str, body: dict[str, Any]) -> None:
        answer = await self.client.post(f"/sandbox/api/chat/{self.id}/{action}", content=json.dumps(body))
        await self.sandbox.telegram.wait_processed(answer.json()["update_id"])

    async def send(self, text: str) -> dict[str, Any]:
        await self.act("send", {"text": text})
        return self.messages()[-1]

    async def press(self, label: str) -> None:
        """Press the button with this label on the latest message that has it."""
        for message in reversed(self.messages()):
            for row in message.get("reply_markup", {}).get("inline_keyboard", []):
                for button in row:
                    if button["text"] == label:
                        await self.act("press", {"message_id": message["message_id"], "data": button["callback_data"]})
                        return
        raise AssertionError(f"no button {label!r}")

    def messages(self) -> list[dict[str, Any]]:
        return self.sandbox.telegram.bot_messages(self.id)


async def test_moving_the_clock_brings_a_birthday_reminder(sandbox: server.Sandbox) -> None:
    async with httpx.AsyncClient(base_url=sandbox.url) as client:
        emma = PageUser(client, sandbox, 7000003)
        await emma.send("/start")
        card = await emma.send("/suggest")
        assert "Why this person: their birthday is on" in card["text"]  # the demo puts birthdays soon first
        name = card["text"].split("\n")[0].split(",")[0]  # "Maryna Zhdanovich, aged 44"
        await emma.press("I sent a letter")
        await emma.press("Today")
        assert emma.messages()[-1]["text"].startswith("Saved")
        clock = (await client.get("/sandbox/api/clock")).json()
        assert clock["label"] == "Mon 23 Nov 2026, 22:30" and clock["window"] is None
        assert clock["timezone"] == "Europe/Minsk" and clock["tomorrow"] == "2026-11-24"
        for refused in ({"date": "2026-11-23"}, {"days": 0}, {"days": "a week"}, {"date": "soon"}, {"days": 9999}):
            answer = await client.post("/sandbox/api/clock", content=json.dumps(refused))
            assert answer.status_code == 400 and "choose a day after 2026-11-23" in answer.json()["error"]
        assert [m for m in emma.messages() if m["text"].startswith("🔔")] == []

        moved = (await client.post("/sandbox/api/clock", content=json.dumps({"days": 7}))).json()
        # Outside every window the move lands at 19:00; the round it ran has sent the reminder already.
        assert moved["label"] == "Mon 30 Nov 2026, 19:00" and moved["window"] == "evening"
        reminder = emma.messages()[-1]
        assert reminder["text"].startswith("🔔")
        assert f"{name} has " in reminder["text"] and " birthday on " in reminder["text"]
        page = (await client.get("/sandbox/api/chat/7000003")).json()
        assert page["messages"][-1]["html"].startswith("🔔")

        to_date = (await client.post("/sandbox/api/clock", content=json.dumps({"date": "2026-12-02"}))).json()
        assert to_date["label"] == "Wed 2 Dec 2026, 19:00"
    assert sandbox.clock.local() == datetime(2026, 12, 2, 19, 0, tzinfo=MINSK)
    assert not [call for call in sandbox.telegram.refusals() if call.error_code == 400]


async def test_the_page_shows_answers_the_chat_of_each_call_the_menu_and_roles_as_they_change(
    sandbox: server.Sandbox,
) -> None:
    async with httpx.AsyncClient(base_url=sandbox.url) as client:
        kasia = PageUser(client, sandbox, 7000004)  # a coordinator whose Telegram speaks Russian

        async def page() -> dict[str, Any]:
            return dict((await client.get(f"/sandbox/api/chat/{kasia.id}")).json())

        async def role() -> str:
            users = (await client.get("/sandbox/api/users")).json()["users"]
            return str(next(user["role"] for user in users if user["id"] == kasia.id))

        # The command menu her Telegram shows: the one the bot set for Russian, then her chat's own.
        assert (await page())["commands"][0] == {"command": "suggest", "description": "Кому написать"}
        await kasia.send("/suggest")
        await kasia.press("Фильтры")
        await kasia.press("Женщины")
        await kasia.act("press", {"message_id": kasia.messages()[-1]["message_id"], "data": "flt:set:fac:forged"})
        chat = await page()
        assert chat["answers"][-2:] == [
            {"id": chat["answers"][-2]["id"], "text": "Фильтр сохранён.", "alert": False},
            {"id": chat["answers"][-1]["id"], "text": "Эта кнопка больше не действует.", "alert": True},
        ]
        named = {(call["method"], call["chat"]) for call in chat["calls"]}
        assert {("sendMessage", "Kasia (coordinator)"), ("answerCallbackQuery", "Kasia (coordinator)"),
                ("editMessageText", "Kasia (coordinator)"), ("setMyCommands", None)} <= named  # fmt: skip
        await kasia.send("/language")
        await kasia.press("English")
        assert (await page())["commands"][0] == {"command": "suggest", "description": "Whom to write to"}

        # /forget takes her role away: the page says so at once.
        assert await role() == "coordinator"
        await kasia.send("/forget")
        await kasia.press("Yes, delete everything")
        assert await role() == "supporter"
        # Her chat's own menu is gone: Telegram falls back to the one for her language.
        assert (await page())["commands"][0] == {"command": "suggest", "description": "Кому написать"}


def test_a_busy_port_gets_one_line_and_leaves_the_sandbox_database_alone(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("TELEGRAM_", "BOT_", "DATABASE"))}
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "bot", "sandbox", "--port", str(port), "--database-url", "sqlite:///unused"],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"port {port} is in use: try `make demo PORT={port + 10}`"]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_demo_takes_a_port() -> None:
    result = subprocess.run(
        ["make", "--no-print-directory", "--dry-run", "demo", "PORT=8091"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    # (under `make test` this make is nested: MAKEFLAGS would make it print "Leaving directory" last)
    assert any(line.endswith("letterbot sandbox --port 8091") for line in result.stdout.splitlines())
