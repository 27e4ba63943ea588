"""/stats with its chart over a million letter rows: 1,600 prisoners (1,500 writable), 20,000 supporters.

The letters are made by the database itself (generate_series on PostgreSQL, a recursive CTE on SQLite):
each supporter writes about 50 letters over two years, on distinct days, to people drawn with a mild
skew (some get many, a few hardly any), so the Gini and the "no letter in 60 days" list are not
trivial. The daily tallies are then built from the letters, as logging them would have built them.

Measured: the service alone (stats.compute, five times), and /stats end to end: an admin's command
through the emulated Bot API over HTTP to the real bot from build_application, until the chart has
arrived as a photo (three times; the first also imports matplotlib). Target: under 3 s.

    python -m benchmarks.stats [--database-url postgresql+asyncpg://postgres@127.0.0.1:5432/postgres]
        [--letters 1000000] [--prisoners 1600] [--supporters 20000]

With --database-url, a scratch database is created beside the one named there and dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, text

from benchmarks.reminders import prisoner_rows, scratch_database
from bot import db
from bot.app import build_application, start_polling, stop_polling
from bot.config import Settings
from bot.models import Supporter, table_of
from bot.sandbox.http import api_server
from bot.sandbox.limits import Limits
from bot.sandbox.telegram import EmulatedTelegram
from bot.services import prisoners, stats

TOKEN = "4243:bench"
ADMIN = 77
AT = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday
TODAY = AT.astimezone(ZoneInfo("Europe/Minsk")).date()
DAYS = 730  # letter rows are kept two years
TARGET_SECONDS = 3.0
SERVICE_RUNS, COMMAND_RUNS = 5, 3


# The fill.
def supporter_rows(count: int) -> list[dict[str, Any]]:
    """Last seen spread over four months: about a quarter within the last 30 days."""
    rows = []
    for n in range(1, count + 1):
        seen = AT - timedelta(days=n % 120, hours=n % 24)
        rows.append({"id": n, "telegram_id": 10_000_000 + n, "locale": "ru", "is_active": True,
                     "created_at": seen - timedelta(days=n % 300), "last_seen_at": seen})  # fmt: skip
    return rows


def letters_sql(postgres: bool) -> str:
    """Letter i: supporter i % S, their (i / S)-th letter, on a day no other letter of theirs has (97 is
    prime to 730), to person a * (P + b) / 2P of P, with a and b two hashes of i below P."""
    pick = "((i * 2654435761 + 97) % 1000003 % :p) * (:p + (i * 40503 + 11) % 999983 % :p) / (2 * :p)"
    offset = "((i / :s) * 97 + (i % :s) * 13) % 730"
    if postgres:
        source, day = (
            "generate_series(CAST(0 AS bigint), :n - 1) AS g(i)",
            f"CAST(:today AS date) - CAST({offset} AS integer)",
        )
        prefix, false = "", "false"
    else:
        source, day = "g", f"date(:today, '-' || ({offset}) || ' days')"
        prefix, false = "WITH RECURSIVE g(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM g WHERE i < :n - 1) ", "0"
    columns = f"i % :s + 1, :first + {pick}, {day}, CASE WHEN (i / :s) % 3 = 0 THEN 'postcard' ELSE 'letter' END"
    return (
        f"{prefix}INSERT INTO letter (supporter_id, prisoner_id, sent_on, kind, occasion, reply_received, logged_on)"
        f" SELECT {columns}, NULL, {false}, {day} FROM {source}"
    )


async def fill(url: str, *, letters: int, prisoner_count: int, supporters: int) -> None:
    database = db.Database(url)
    try:
        async with database.transaction() as session:
            rows = prisoner_rows(prisoner_count, released_every=16, soon_every=0)  # one in 16 not writable
            await prisoners.upsert(session, rows, now=AT, actor=None)
        async with database.engine.begin() as connection:
            ids = sorted(row[0] for row in (await connection.execute(text("SELECT id FROM prisoner"))).all())
            assert ids == list(range(ids[0], ids[0] + prisoner_count)), "prisoner ids are not contiguous"
            await connection.execute(insert(table_of(Supporter)), supporter_rows(supporters))
            postgres = url.startswith("postgresql")
            today: date | str = TODAY if postgres else TODAY.isoformat()  # as each driver binds a date
            params = {"n": letters, "s": supporters, "p": prisoner_count, "first": ids[0], "today": today}
            await connection.execute(text(letters_sql(postgres)), params)
            await connection.execute(
                text(
                    "INSERT INTO lettertally (prisoner_id, day, letters)"
                    " SELECT prisoner_id, sent_on, COUNT(*) FROM letter GROUP BY prisoner_id, sent_on"
                )
            )
            if postgres:
                await connection.execute(text("SELECT setval('supporter_id_seq', (SELECT MAX(id) FROM supporter))"))
            count = (await connection.execute(text("SELECT COUNT(*) FROM letter"))).scalar_one()
            assert count == letters, count
        # The import does this for prisoners; autovacuum would do it for the rest before long.
        await database.analyze("prisoner", "letter", "lettertally", "supporter")
    finally:
        await database.dispose()


# The measurements.
async def measure_service(url: str) -> tuple[list[float], stats.Stats]:
    database = db.Database(url)
    seconds, figures = [], None
    try:
        for _ in range(SERVICE_RUNS):
            started = time.perf_counter()
            async with database.transaction() as session:
                figures = await stats.compute(session, now=AT, today=TODAY)
            seconds.append(time.perf_counter() - started)
    finally:
        await database.dispose()
    assert figures is not None
    return seconds, figures


async def measure_command(url: str) -> list[float]:
    """/stats from an admin until the photo arrives, through the emulator over real HTTP."""
    telegram = EmulatedTelegram(TOKEN, limits=Limits(enabled=False))
    server = api_server(telegram)
    port = server.start()
    settings = Settings(
        _env_file=None, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{port}/bot",
        TELEGRAM_API_FILE_URL=f"http://127.0.0.1:{port}/file/bot", DATABASE_URL=url, BOT_ADMIN_IDS=str(ADMIN),
    )  # fmt: skip
    started_at = time.monotonic()
    application = build_application(
        settings, clock=lambda: AT + timedelta(seconds=time.monotonic() - started_at), scheduled=False
    )
    telegram.add_user(ADMIN, "Admin", "ru")
    chat = telegram.chat(ADMIN)
    seconds = []
    await start_polling(application, poll_seconds=5)
    try:
        for _ in range(COMMAND_RUNS):
            before = len(telegram.bot_messages(ADMIN))
            started = time.perf_counter()
            await telegram.send_text(ADMIN, "/stats")
            async with asyncio.timeout(60):
                while not any("photo" in m for m in telegram.bot_messages(ADMIN)[before:]):
                    chat.answered.clear()
                    await chat.answered.wait()
            seconds.append(time.perf_counter() - started)
    finally:
        await stop_polling(application)
        await server.stop()
    refused = [call for call in telegram.refusals() if call.error_code == 400]
    assert not refused, refused
    text_message = telegram.bot_messages(ADMIN)[-2]["text"]
    print("  the message (ru):\n    " + text_message.replace("\n", "\n    "))
    return seconds


def report(backend: str, fill_seconds: float, service: list[float], command: list[float], figures: stats.Stats) -> bool:
    print(f"{backend}: fill {fill_seconds:.1f} s (not measured)")
    print(f"  service alone, {SERVICE_RUNS} runs: " + ", ".join(f"{s * 1000:.0f}" for s in service)
          + f" ms (median {statistics.median(service) * 1000:.0f} ms)")  # fmt: skip
    print(f"  /stats until the photo arrived, {COMMAND_RUNS} runs: " + ", ".join(f"{s:.2f}" for s in command)
          + " s (the first imports matplotlib)")  # fmt: skip
    print(f"  figures: {figures.active_supporters} supporters active in 30 days; "
          f"{figures.reached} of {figures.writable} writable people reached ({figures.reached_share:.1%}); "
          f"Gini {figures.gini:.3f}; {figures.quiet} with no letter in 60 days")  # fmt: skip
    print("  weeks: " + ", ".join(f"{start:%d.%m} {n}" for start, n in figures.weeks))
    ok = max(command) < TARGET_SECONDS
    print(f"  slowest {max(command):.2f} s: " + ("OK" if ok else "TARGET MISSED") + f" (target < {TARGET_SECONDS:g} s)")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--database-url", help="a PostgreSQL server (postgresql+asyncpg://USER@HOST/DB); default SQLite"
    )
    parser.add_argument("--letters", type=int, default=1_000_000)
    parser.add_argument("--prisoners", type=int, default=1600)
    parser.add_argument("--supporters", type=int, default=20_000)
    args = parser.parse_args()
    backend = "postgresql" if args.database_url else "sqlite"
    print(f"stats: {args.letters} letters, {args.prisoners} prisoners, {args.supporters} supporters on {backend}; "
          f"today {TODAY}", flush=True)  # fmt: skip
    with scratch_database(args.database_url) as url:
        started = time.perf_counter()
        asyncio.run(fill(url, letters=args.letters, prisoner_count=args.prisoners, supporters=args.supporters))
        fill_seconds = time.perf_counter() - started
        service, figures = asyncio.run(measure_service(url))
        command = asyncio.run(measure_command(url))
    sys.exit(0 if report(backend, fill_seconds, service, command, figures) else 1)


if __name__ == "__main__":
    main()
