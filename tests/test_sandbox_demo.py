"""The sandbox's demo data and its page API (without a browser)."""

from __future__ import annotations

import json
import shutil
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from sqlmodel import select

from bot.config import Settings
from bot.models import Role, RoleGrant
from bot.sandbox import demo, server


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


@pytest.fixture
async def sandbox(sqlite_template: Path, tmp_path: Path) -> AsyncIterator[server.Sandbox]:
    path = tmp_path / "sandbox.sqlite3"
    shutil.copy(sqlite_template, path)
    running = await server.start(Settings(_env_file=None), f"sqlite+aiosqlite:///{path}")  # type: ignore[call-arg]
    try:
        yield running
    finally:
        await server.stop(running)


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
