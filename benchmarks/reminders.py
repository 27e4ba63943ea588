"""The daily reminder sweep at scale: 100,000 supporters, 2,000 prisoners, 1,000,000 letter rows.

The day is 30 April, 21 days before 21 May, so every supporter who wants it gets a reminder of 21 May;
the first sweep of that week also makes everyone's weekly "birthdays soon"; some 65 prisoners have a
birthday 11-21 days away (a reminder to each supporter who wrote to them in the last year) and some 25
are 7-10 days away (the last call); 20 have a release soon and 10 were just released; half the
supporters chose a writing pace. The sweep runs at 19:00 in Minsk, inside the evening window that 60% of the
supporters chose, so it also queues their day's messages.

The database is filled with raw bulk inserts (timed on its own), then the sweep is measured in a fresh
process, so that its peak RSS (VmHWM) is the sweep's and not the fill's: the first sweep of the day,
then a second one five minutes later (the job runs every five minutes and finds everything made).
Targets: the first sweep under 10 s and the process under 200 MB, on SQLite and on PostgreSQL.

    python -m benchmarks.reminders [--database-url postgresql+asyncpg://postgres@127.0.0.1:5432/postgres]
        [--supporters 100000] [--prisoners 2000] [--letters 1000000]

With --database-url, a scratch database is created beside the one named there and dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg  # type: ignore[import-untyped]  # no stubs; for the bulk fill and the scratch database

from bot import db
from bot.importing import record
from bot.services import prisoners, reminders

MINSK = ZoneInfo("Europe/Minsk")
DAY = date(2026, 4, 30)  # 21 days before 21 May
AT = datetime(DAY.year, DAY.month, DAY.day, 19, tzinfo=MINSK)  # inside the evening window
TARGET_SECONDS, TARGET_MB = 10.0, 200.0
STEPS = ("_calendar", "_weekly", "_birthdays", "_last_calls", "_releases_soon", "_released", "_pace", "_expire",
         "queue_digests")  # fmt: skip
SUPPORTER_COLUMNS = [
    "id", "telegram_id", "locale", "writing_pace", "reminders_on", "reminders_off", "reminders_paused_until",
    "reminder_window", "is_active", "created_at", "last_seen_at",
]  # fmt: skip
LETTER_COLUMNS = ["supporter_id", "prisoner_id", "sent_on", "kind", "occasion", "reply_received", "logged_on"]
LETTERS_EACH = 10  # letters are spread as LETTERS_EACH per supporter, to distinct prisoners


# The fill.
def prisoner_rows(count: int, *, released_every: int = 200, soon_every: int = 100) -> list[dict[str, Any]]:
    """Birthdays spread over the year, in twenty facilities; one in `released_every` just released, one
    in `soon_every` released soon (none when 0). Also the fill of benchmarks/stats.py."""
    rows = []
    for index in range(count):
        released = index % released_every == 7 % released_every
        row = {
            "source_id": f"bench-{index}", "name_be": f"Імя{index} Прозвішча{index}",
            "name_ru": f"Имя{index} Фамилия{index}", "gender": "female" if index % 2 else "male",
            "birth_date": f"{1960 + index % 40}-{index % 12 + 1:02d}-{index % 28 + 1:02d}",
            "status": "released" if released else "active", "in_custody": "false" if released else "true",
            "institution_be": "" if released else f"ПК №{index % 20}",
            "institution_ru": "" if released else f"ИК №{index % 20}",
            "address_be": "" if released else "вул. Кірава, 1\n230023, г. Гродна",
            "address_ru": "" if released else "ул. Кирова, 1\n230023, г. Гродно",
        }  # fmt: skip
        if soon_every and index % soon_every == 3:
            row["expected_release_date"] = (DAY + timedelta(days=21 + index % 25)).isoformat()
        parsed = record.parse_row(row, "bench")
        assert not parsed.errors, parsed.errors
        rows.append(parsed.values)
    return rows


def supporter_rows(count: int) -> Iterator[tuple[Any, ...]]:
    """A mix of settings: windows 60/20/20 evening/morning/afternoon, half with a pace, a few percent
    blocked, all off, paused, or with a kind switched off."""
    windows = ("evening", "evening", "evening", "morning", "afternoon")
    paces = ("monthly", "monthly", "monthly", "fortnightly", "fortnightly", "occasions", None, None, None, None)
    for n in range(1, count + 1):
        off = "bday_soon" if n % 20 == 3 else "may21" if n % 25 == 4 else None
        paused = DAY + timedelta(days=10) if n % 33 == 2 else None
        created = datetime.combine(DAY - timedelta(days=n % 400), datetime.min.time(), UTC)
        yield (n, 10_000_000 + n, "ru", paces[n % 10], n % 40 != 1, off, paused, windows[n % 5], n % 50 != 0,
               created, created)  # fmt: skip


def letter_rows(count: int, supporters: int, prisoner_ids: list[int]) -> Iterator[tuple[Any, ...]]:
    """`count` letters, LETTERS_EACH per supporter to distinct prisoners (so the unique key holds), sent
    in the last 500 days (most within the year the sweep looks at)."""
    for i in range(count):
        supporter, j = i // LETTERS_EACH % supporters + 1, i % LETTERS_EACH
        prisoner = prisoner_ids[(supporter * 7919 + j * 211) % len(prisoner_ids)]
        sent_on = DAY - timedelta(days=(supporter * 31 + j * 97) % 500)
        yield (supporter, prisoner, sent_on, "letter" if j % 3 else "postcard", None, False, sent_on)


async def fill(url: str, *, supporters: int, prisoner_count: int, letters: int) -> None:
    database = db.Database(url)
    released_at = datetime.combine(DAY - timedelta(days=3), datetime.min.time(), UTC)
    async with database.transaction() as session:
        await prisoners.upsert(session, prisoner_rows(prisoner_count), now=released_at, actor=None)
    async with database.transaction() as session:
        found = await prisoners.by_source_id(session, [f"bench-{i}" for i in range(prisoner_count)])
    ids = sorted(p.id or 0 for p in found.values())
    people, written = supporter_rows(supporters), letter_rows(letters, supporters, ids)
    if url.startswith("sqlite"):
        connection = sqlite3.connect(url.removeprefix("sqlite+aiosqlite:///"))
        for table, columns, rows in (("supporter", SUPPORTER_COLUMNS, people), ("letter", LETTER_COLUMNS, written)):
            marks = ",".join("?" * len(columns))
            connection.executemany(f"INSERT INTO {table} ({','.join(columns)}) VALUES ({marks})", rows)
        connection.commit()
        connection.close()
    else:
        connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
        await connection.copy_records_to_table("supporter", records=people, columns=SUPPORTER_COLUMNS)
        await connection.copy_records_to_table("letter", records=written, columns=LETTER_COLUMNS)
        await connection.execute("SELECT setval('supporter_id_seq', (SELECT MAX(id) FROM supporter))")
        await connection.close()
    # The import does this for prisoners; autovacuum would do it for the rest before long.
    await database.analyze("prisoner", "letter", "supporter")
    await database.dispose()


# The measurement, in a process of its own.
def peak_mb() -> float:
    """The process's peak resident set (VmHWM), in MB."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def timed(step: Callable[..., Awaitable[Any]], seconds: dict[str, float], name: str) -> Callable[..., Awaitable[Any]]:
    async def run(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return await step(*args, **kwargs)
        finally:
            seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - started

    return run


async def measure(url: str) -> dict[str, Any]:
    """Two sweeps, each step timed by wrapping the module's function (the sweep looks each up per call)."""
    database = db.Database(url)
    result: dict[str, Any] = {"rss_before_mb": peak_mb()}
    steps = {name: getattr(reminders, name) for name in STEPS}
    try:
        for run, minutes in (("first", 0), ("again", 5)):
            seconds: dict[str, float] = {}
            for name, step in steps.items():
                setattr(reminders, name, timed(step, seconds, name))
            local = AT + timedelta(minutes=minutes)
            started = time.perf_counter()
            stats = await reminders.sweep(database, local.astimezone(UTC), DAY, local)
            result[run] = {"seconds": time.perf_counter() - started, "steps": seconds, "made": stats.made,
                           "expired": stats.expired, "digests": stats.digests}  # fmt: skip
    finally:
        for name, step in steps.items():
            setattr(reminders, name, step)
        await database.dispose()
    result["peak_mb"] = peak_mb()
    return result


def report(backend: str, fill_seconds: float, result: dict[str, Any]) -> bool:
    first, again = result["first"], result["again"]
    print(f"{backend}: fill {fill_seconds:.1f} s (not part of the sweep)")
    print(f"  {'sweep of ' + DAY.isoformat():<22} {'first':>8} {'again':>8}")
    print(f"  {'total':<22} {first['seconds']:7.2f}s {again['seconds']:7.2f}s   (target for the first < "
          f"{TARGET_SECONDS:g} s)")  # fmt: skip
    for name in STEPS:
        print(f"    {name:<20} {first['steps'].get(name, 0.0):7.2f}s {again['steps'].get(name, 0.0):7.2f}s")
    made = ", ".join(f"{kind} {count}" for kind, count in sorted(first["made"].items()))
    print(f"  first made: {made}; {first['digests']} messages queued")
    print(f"  again made {sum(again['made'].values())}, queued {again['digests']}")
    print(f"  peak RSS: {result['peak_mb']:.0f} MB   (target < {TARGET_MB:g} MB; "
          f"{result['rss_before_mb']:.0f} MB before the first sweep)")  # fmt: skip
    ok = bool(first["seconds"] < TARGET_SECONDS and result["peak_mb"] < TARGET_MB)
    print("  OK" if ok else "  TARGET MISSED")
    return ok


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
    if sys.argv[1:2] == ["--measure"]:  # the child process: one line of JSON
        print(json.dumps(asyncio.run(measure(sys.argv[2]))))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--database-url", help="a PostgreSQL server (postgresql+asyncpg://USER@HOST/DB); default SQLite"
    )
    parser.add_argument("--supporters", type=int, default=100_000)
    parser.add_argument("--prisoners", type=int, default=2000)
    parser.add_argument("--letters", type=int, default=1_000_000)
    args = parser.parse_args()
    backend = "postgresql" if args.database_url else "sqlite"
    print(f"reminders: {args.supporters} supporters, {args.prisoners} prisoners, {args.letters} letters; "
          f"sweep of {DAY} at {AT:%H:%M} Minsk on {backend}", flush=True)  # fmt: skip
    with scratch_database(args.database_url) as url:
        started = time.perf_counter()
        asyncio.run(fill(url, supporters=args.supporters, prisoner_count=args.prisoners, letters=args.letters))
        fill_seconds = time.perf_counter() - started
        child = subprocess.run(
            [sys.executable, "-m", "benchmarks.reminders", "--measure", url],
            check=True, capture_output=True, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )  # fmt: skip
    ok = report(backend, fill_seconds, json.loads(child.stdout.strip().splitlines()[-1]))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
