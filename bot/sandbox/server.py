"""`letterbot sandbox`: the emulator, the bot pointed at it, demo data, and the chat page, in one process."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import SecretStr
from telegram.ext import Application
from tornado.web import Application as WebApplication

from bot import DEFAULT_DATA_DIR, db
from bot.app import build_application, start_polling, stop_polling
from bot.clock import system_clock
from bot.config import Settings
from bot.models import Role
from bot.sandbox import demo, http, web
from bot.sandbox.telegram import EmulatedTelegram
from bot.services import prisoners, roles

log = logging.getLogger(__name__)
TOKEN = "1000000001:SANDBOX-not-a-real-token"
# The people the page starts with: supporters in each language, a coordinator and an admin.
PEOPLE = [
    (7000001, "Алесь", "be", "supporter"),
    (7000002, "Ольга", "ru", "supporter"),
    (7000003, "Emma", "en", "supporter"),
    (7000004, "Kasia (coordinator)", "ru", "coordinator"),
    (7000005, "Andrei (admin)", "be", "admin"),
]


@dataclass
class Sandbox:
    telegram: EmulatedTelegram
    server: http.Server
    application: Application[Any, Any, Any, Any, Any, Any]
    database: db.Database

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}/"


async def seed(database: db.Database, today: date, people_roles: dict[int, str]) -> None:
    async with database.transaction() as session:
        await prisoners.upsert(session, demo.people(today), now=system_clock(), actor=None)
        for user_id, role in people_roles.items():
            await roles.grant(session, telegram_id=user_id, role=Role(role), by=None, now=system_clock())


async def start(settings: Settings, database_url: str, *, host: str = "127.0.0.1", port: int = 0) -> Sandbox:
    """Start everything in the running loop; the database must already be migrated."""
    telegram = EmulatedTelegram(TOKEN)
    people_roles: dict[int, str] = {}
    for user_id, name, language, role in PEOPLE:
        telegram.add_user(user_id, name, language)
        if role != "supporter":
            people_roles[user_id] = role
    database = db.Database(database_url)
    await seed(database, system_clock().date(), people_roles)

    async def set_role(user_id: int, role: str | None) -> None:
        if role is not None:
            async with database.transaction() as session:
                await roles.grant(session, telegram_id=user_id, role=Role(role), by=None, now=system_clock())

    server = http.Server(WebApplication(http.routes(telegram) + web.routes(telegram, people_roles, set_role)), telegram)
    bound = server.start(host, port)
    base = f"http://127.0.0.1:{bound}"
    bot_settings = settings.model_copy(
        update={
            "telegram_bot_token": SecretStr(TOKEN),
            "telegram_api_base_url": f"{base}/bot",
            "telegram_api_file_url": f"{base}/file/bot",
            "database_url": database_url,
        }
    )
    application = build_application(bot_settings)
    await start_polling(application)
    return Sandbox(telegram, server, application, database)


async def stop(sandbox: Sandbox) -> None:
    await stop_polling(sandbox.application)
    await sandbox.database.dispose()
    await sandbox.server.stop()


def serve(settings: Settings, *, host: str, port: int, database_url: str | None) -> int:
    if database_url is None:
        path = DEFAULT_DATA_DIR / "sandbox.sqlite3"
        path.unlink(missing_ok=True)  # a fresh sandbox each time
        database_url = f"sqlite+aiosqlite:///{path}"
    db.upgrade(database_url)  # before the event loop starts: Alembic runs its own

    async def main() -> None:
        sandbox = await start(settings, database_url, host=host, port=port)
        print(f"Sandbox ready: open http://{host}:{sandbox.server.port}/ in a browser (Ctrl+C stops it)")
        try:
            await asyncio.Event().wait()
        finally:
            await stop(sandbox)

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
    return 0
