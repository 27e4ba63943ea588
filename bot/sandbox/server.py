"""`letterbot sandbox`: the emulator, the bot pointed at it, demo data, and the chat page, in one process."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import socket
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from pydantic import SecretStr
from telegram.ext import Application
from tornado.netutil import bind_sockets
from tornado.web import Application as WebApplication

from bot import DEFAULT_DATA_DIR, db, jobs
from bot.app import build_application, start_polling, stop_polling
from bot.clock import Clock, system_clock
from bot.config import Settings
from bot.delivery.pacer import Pacer
from bot.deps import Deps
from bot.handlers import common
from bot.models import Role
from bot.rules import reminders as reminder_rules
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
LANDING = time(19)  # in the evening window, everyone's until they choose another (reminder_rules.window_of)


class SandboxClock:
    """The bot's clock in the sandbox: real time plus an offset that the page moves forward, so that a
    person trying the bot sees reminders due days or weeks from now. Never back: a bot whose clock went
    back would find letters logged in its future, and its pacer, on this clock, would wait out the
    difference. The emulator keeps real time for its flood limits, which do not care what day the bot
    thinks it is."""

    def __init__(self, timezone: tzinfo, real: Clock = system_clock) -> None:
        self.timezone = timezone
        self.real = real
        self.offset = timedelta()
        self.after_move: Callable[[], Awaitable[object]] | None = None  # the reminder round, once the bot exists
        self._moving = asyncio.Lock()

    def __call__(self) -> datetime:
        return self.real() + self.offset

    def local(self) -> datetime:
        return self().astimezone(self.timezone)

    async def move(self, day: date) -> datetime | None:
        """Move to `day` (see `landing`), then run one reminder round so that what is due then arrives
        now rather than at the next scheduled round; the new local time, or None if `day` is not later
        than the bot's today (another move may have passed it meanwhile)."""
        # One move at a time: a round whose sender found another at work stands down, and the digests it
        # queued would wait for the next scheduled round.
        async with self._moving:
            now = self.local()
            if day <= now.date():
                return None
            # In UTC: subtracting two times of one zone ignores a change of its offset (summer time).
            self.offset += landing(now, day).astimezone(UTC) - now.astimezone(UTC)
            if self.after_move is not None:
                await self.after_move()
            return self.local()


def landing(now: datetime, day: date) -> datetime:
    """Where a move to `day` lands: the time of day `now` shows, or LANDING when that time is outside
    every reminder window, since a move is made to see reminders and outside the windows none is sent."""
    moved = datetime.combine(day, now.time(), now.tzinfo)
    if reminder_rules.open_window(moved) is None:
        moved = datetime.combine(day, LANDING, now.tzinfo)
    return moved


def reminder_round(application: Application[Any, Any, Any, Any, Any, Any]) -> Callable[[], Awaitable[object]]:
    """One round of the scheduled reminder job: what is due now is queued and delivered. Its pacer is
    the job's own, as all the bot sends on its own goes through one pacer (bot/jobs.py)."""
    deps: Deps = application.bot_data[common.DEPS_KEY]
    pacer: Pacer = application.bot_data.setdefault(jobs.PACER_KEY, jobs.pacer_for(deps))

    async def run() -> object:
        return await jobs.run_reminders(deps, application.bot, pacer)

    return run


@dataclass
class Sandbox:
    telegram: EmulatedTelegram
    server: http.Server
    application: Application[Any, Any, Any, Any, Any, Any]
    database: db.Database
    clock: SandboxClock

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}/"


async def seed(database: db.Database, today: date, now: datetime, people_roles: dict[int, str]) -> None:
    async with database.transaction() as session:
        await prisoners.upsert(session, demo.people(today), now=now, actor=None)
        for user_id, role in people_roles.items():
            await roles.grant(session, telegram_id=user_id, role=Role(role), by=None, now=now)


async def start(
    settings: Settings, database_url: str, *, host: str = "127.0.0.1", port: int = 0, clock: Clock = system_clock
) -> Sandbox:
    """Start everything in the running loop; the database must already be migrated. `clock` is real
    time (tests give a fixed one); the bot's clock is it plus what the page moved it by."""
    telegram = EmulatedTelegram(TOKEN)
    people_roles: dict[int, str] = {}
    # The admin is one as a deployment's first admin is, by BOT_ADMIN_IDS; the coordinator by a grant.
    admins = set(settings.bot_admin_ids)
    for user_id, name, language, role in PEOPLE:
        telegram.add_user(user_id, name, language)
        if role == "admin":
            admins.add(user_id)
        elif role != "supporter":
            people_roles[user_id] = role
    admin_ids = frozenset(admins)
    bot_clock = SandboxClock(settings.timezone, clock)
    database = db.Database(database_url)
    # The bot's local today: the demo birthdays are counted from the day the bot sees.
    await seed(database, bot_clock.local().date(), bot_clock(), people_roles)

    async def set_role(user_id: int, role: str | None) -> None:
        if role is not None:
            async with database.transaction() as session:
                await roles.grant(session, telegram_id=user_id, role=Role(role), by=None, now=bot_clock())

    async def read_roles() -> dict[int, str]:
        """Each person's roles as the bot sees them now: a /forget or a grant changes them."""
        async with database.transaction() as session:
            return {
                user_id: ", ".join(sorted(role.value for role in await roles.roles_of(session, user_id, admin_ids)))
                for user_id in telegram.state.users
            }

    page = web.routes(telegram, read_roles, set_role, bot_clock)
    server = http.Server(WebApplication(http.routes(telegram) + page), telegram)
    bound = server.start(host, port)
    base = f"http://127.0.0.1:{bound}"
    bot_settings = settings.model_copy(
        update={
            "telegram_bot_token": SecretStr(TOKEN),
            "telegram_api_base_url": f"{base}/bot",
            "telegram_api_file_url": f"{base}/file/bot",
            "database_url": database_url,
            "bot_admin_ids": admin_ids,
        }
    )
    application = build_application(bot_settings, clock=bot_clock)
    bot_clock.after_move = reminder_round(application)
    await start_polling(application)
    return Sandbox(telegram, server, application, database, bot_clock)


async def stop(sandbox: Sandbox) -> None:
    await stop_polling(sandbox.application)
    await sandbox.database.dispose()
    await sandbox.server.stop()


def serve(settings: Settings, *, host: str, port: int, database_url: str | None) -> int:
    # Before anything else: a sandbox already running there keeps its database file.
    if port and port_in_use(host, port):
        return busy(port)
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

    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(main())
    except OSError as error:
        if error.errno != errno.EADDRINUSE:
            raise
        return busy(port)  # taken since the check
    return 0


def port_in_use(host: str, port: int) -> bool:
    """Whether something listens on the port already (bound as the sandbox would bind it)."""
    try:
        sockets = bind_sockets(port, host, family=socket.AF_INET)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            return True
        raise
    for bound in sockets:
        bound.close()
    return False


def busy(port: int) -> int:
    """One line, not a traceback, with a port to try instead."""
    other = port + 10 if port + 10 <= 65535 else port - 10
    print(f"port {port} is in use: try `make demo PORT={other}`", file=sys.stderr)
    return 1
