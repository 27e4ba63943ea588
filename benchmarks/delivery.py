"""The sender's sustained rate: due outbox rows delivered through the emulated Bot API over real HTTP,
with the emulator's flood limits on (1 a second per chat, 30 a second overall, 429 with retry_after).

One pending row for each of --count supporters, delivered by bot.delivery.sender.deliver_due with a
pacer at --rate, on SQLite by default (a fresh file) or on a scratch database created beside
--database-url on a PostgreSQL server. The rate is measured by the emulator, from its first accepted
send to its last. Targets: at least 0.95 x the pacer's rate, and no send while a retry_after was pending.

    python -m benchmarks.delivery [--count 5000] [--rate 25] [--database-url postgresql+asyncpg://...]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]  # no stubs; only to create and drop the scratch database
from sqlalchemy import func, insert
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.request import HTTPXRequest

from bot import LOCALES_DIR, TEMPLATES_DIR, db
from bot.config import Settings
from bot.delivery import sender
from bot.delivery.outcomes import Outcome
from bot.delivery.pacer import Pacer
from bot.deps import Deps
from bot.i18n import I18n
from bot.models import Outbox, Supporter, table_of
from bot.sandbox.http import api_server
from bot.sandbox.telegram import EmulatedTelegram
from bot.services.letter_texts import Library

TOKEN = "4242:bench"
FIRST_USER = 700_000_000
WINDOW = 10.0  # seconds: the slowest window of this length is shown beside the overall rate
TEXT = (
    "<b>Birthdays this month</b>\nThree people you wrote to have a birthday within four weeks: a postcard "
    "sent this week arrives in time.\n<i>Reminders can be changed in /reminders.</i>"
)
MARKUP = InlineKeyboardMarkup([[InlineKeyboardButton("Write a postcard", callback_data="sug:next")]])


async def render(session: AsyncSession, outbox: Outbox, supporter: Supporter, deps: Deps) -> sender.Rendered | None:
    return sender.Rendered(TEXT, MARKUP)


async def fill(deps: Deps, count: int) -> None:
    now = datetime.now(UTC)
    supporters = [
        {"id": n, "telegram_id": FIRST_USER + n, "is_active": True, "created_at": now, "last_seen_at": now}
        for n in range(1, count + 1)
    ]
    rows = [
        {
            "supporter_id": n,
            "purpose": "bench",
            "key": "2026-12-01",
            "status": "pending",
            "attempts": 0,
            "created_at": now,
        }
        for n in range(1, count + 1)
    ]
    async with deps.db.transaction() as session:
        await session.exec(insert(table_of(Supporter)), params=supporters)
        await session.exec(insert(table_of(Outbox)), params=rows)


async def measure(url: str, count: int, rate: float) -> bool:
    telegram = EmulatedTelegram(TOKEN)  # real monotonic clock, Telegram's limits on
    for n in range(1, count + 1):
        telegram.add_user(FIRST_USER + n, f"Reader {n}")
    server = api_server(telegram)
    port = server.start()
    settings = Settings(_env_file=None, DATABASE_URL=url, TELEGRAM_BOT_TOKEN=TOKEN)
    deps = Deps(
        settings=settings,
        db=db.Database(url),
        i18n=I18n(LOCALES_DIR, TEMPLATES_DIR, "en"),
        clock=lambda: datetime.now(UTC),
        library=Library(TEMPLATES_DIR),
    )
    try:
        await fill(deps, count)
        purposes = {"bench": sender.Purpose(name="bench", render=render)}
        bot = Bot(TOKEN, base_url=f"http://127.0.0.1:{port}/bot", request=HTTPXRequest(connection_pool_size=4))
        async with bot:
            print(f"delivering {count} outbox rows at {rate:g} a second on {url.split(':', 1)[0]} ...", flush=True)
            stats = await sender.deliver_due(deps, bot, Pacer(rate), purposes)
        async with deps.db.transaction() as session:
            statuses = dict(list(await session.exec(select(Outbox.status, func.count()).group_by(Outbox.status))))
    finally:
        await deps.db.dispose()
        await server.stop()
    sends = [call for call in telegram.state.calls if call.method == "sendMessage"]
    accepted = [call.at for call in sends if call.ok]
    refused = Counter(call.error_code for call in sends if not call.ok)
    sustained = (len(accepted) - 1) / (accepted[-1] - accepted[0]) if len(accepted) > 1 else 0.0
    violations = len(telegram.state.rate.violations)
    print(f"outcomes:            {', '.join(f'{stats[o]} {o}' for o in Outcome if stats[o]) or 'none'}")
    print(f"outbox afterwards:   {statuses}")
    print(f"time taken:          {stats.seconds:.1f} s")
    print(f"sustained rate:      {sustained:.2f} messages/s (target >= {0.95 * rate:.2f})")
    print(f"slowest {WINDOW:g} s window: {slowest_window(accepted):.2f} messages/s")
    print(f"refused sends:       {dict(refused) or 'none'}")
    print(f"sends ignoring a pending retry_after: {violations} (target 0)")
    ok = sustained >= 0.95 * rate and violations == 0 and stats[Outcome.SENT] == count
    print("OK" if ok else "BELOW TARGET")
    return ok


def slowest_window(moments: list[float]) -> float:
    """The fewest sends in any WINDOW-second stretch from one send on, per second (0 if the run was shorter)."""
    fewest, end = None, 0
    for start, moment in enumerate(moments):
        while end < len(moments) and moments[end] < moment + WINDOW:
            end += 1
        if end == len(moments):
            break
        fewest = end - start if fewest is None else min(fewest, end - start)
    return 0.0 if fewest is None else fewest / WINDOW


@contextlib.contextmanager
def scratch_database(database_url: str | None) -> Iterator[str]:
    """A migrated, empty database for one run, removed afterwards."""
    if database_url is None:
        with tempfile.TemporaryDirectory() as directory:
            url = f"sqlite+aiosqlite:///{Path(directory) / 'bench.sqlite3'}"
            db.upgrade(url)
            yield url
        return
    server = database_url.replace("postgresql+asyncpg://", "postgresql://", 1)
    name = f"letterbot_bench_{uuid.uuid4().hex[:8]}"
    asyncio.run(admin(server, f'CREATE DATABASE "{name}"'))
    try:
        url = database_url.rsplit("/", 1)[0] + "/" + name
        db.upgrade(url)
        yield url
    finally:
        asyncio.run(admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def admin(server_url: str, sql: str) -> None:
    connection = await asyncpg.connect(server_url)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=5000, help="outbox rows to deliver (default 5000)")
    parser.add_argument("--rate", type=float, default=25.0, help="the pacer's messages a second (default 25)")
    parser.add_argument(
        "--database-url", help="a PostgreSQL server (postgresql+asyncpg://USER@HOST/DB); default SQLite"
    )
    args = parser.parse_args()
    started = time.monotonic()
    with scratch_database(args.database_url) as url:
        ok = asyncio.run(measure(url, args.count, args.rate))
    print(f"({time.monotonic() - started:.0f} s in all)")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
