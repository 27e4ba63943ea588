"""Latency of /suggest end to end through the emulated Bot API, beside a trivial echo handler.

A database with 2,000 prisoners and a million letter rows (SQLite, and PostgreSQL when reachable);
the real bot from build_application, in a process of its own, polling the emulator over HTTP; 200 users
who each, after a pause of 5-15 s, send /suggest or /echo (a handler that only replies: the floor),
several rounds. Latency is
from the update entering the emulator to the bot's reply arriving there. Target: p95 of /suggest
within 1.5 x p95 of /echo + 20 ms.

    python -m benchmarks.latency [--backend sqlite|postgres|both] [--users 200] [--letters 1000000]
    python -m benchmarks.latency --reminders   # also: /suggest while a reminder sweep and delivery run
    python -m benchmarks.latency --broadcast   # also: /suggest while a broadcast to everyone is sent

With --reminders the same users are measured twice on the same database: once idle, once while the bot
process sweeps reminders every 30 s at a moment when all 20,000 supporters have one due (21 days before
21 May, in the evening window) and delivers them at BOT_SEND_RATE. Target: p95 of /suggest while busy
at most 1.5 x its p95 when idle. With --broadcast, the same while the bot process sends a broadcast to
all 20,000 supporters at BOT_SEND_RATE (25 a second), confirmed before the run.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import signal
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import text
from telegram import Update
from telegram.ext import ApplicationHandlerStop, CommandHandler

from bot import db
from bot.app import build_application
from bot.clock import system_clock
from bot.config import Settings
from bot.rules import fairness
from bot.sandbox.http import api_server
from bot.sandbox.limits import Limits
from bot.sandbox.telegram import EmulatedTelegram
from bot.services import prisoners

TOKEN = "4242:bench"
# Between two requests a person reads the reply and types: 5-15 s, 10 s on average. 200 people then
# make about 20 requests a second, within Telegram's ~30 messages a second for one bot.
THINK_SECONDS = (5.0, 15.0)
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
TODAY = date.today()


def prisoner_rows(count: int, rng: random.Random) -> list[dict[str, Any]]:
    from bot.importing import record

    rows = []
    for index in range(count):
        female = index % 2 == 1
        row = {
            "source_id": f"bench-{index}", "name_be": f"Імя{index} Прозвішча{index}",
            "name_ru": f"Имя{index} Фамилия{index}", "gender": "female" if female else "male",
            "birth_date": f"{1960 + index % 40}-{index % 12 + 1:02d}-{index % 28 + 1:02d}",
            "status": "active", "institution_be": f"ПК №{index % 20}", "institution_ru": f"ИК №{index % 20}",
            "address_be": "вул. Кірава, 1\n230023, г. Гродна", "address_ru": "ул. Кирова, 1\n230023, г. Гродно",
        }  # fmt: skip
        rows.append(record.parse_row(row, "bench").values)
    rng.shuffle(rows)
    return rows


def letter_rows(letters: int, supporters: int, prisoner_ids: list[int], rng: random.Random) -> list[tuple[Any, ...]]:
    """Random letters, at most one per (supporter, prisoner, day, kind) as the database allows."""
    rows: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    while len(rows) < letters:
        sent_on = TODAY - timedelta(days=rng.randrange(365))
        row = (rng.randrange(1, supporters + 1), rng.choice(prisoner_ids), sent_on,
               "letter" if rng.random() < 0.7 else "postcard", None, False, sent_on)  # fmt: skip
        rows.setdefault(row[:4], row)
    return list(rows.values())


async def fill(url: str, *, prisoners_count: int, letters: int, supporters: int) -> None:
    rng = random.Random(1)
    database = db.Database(url)
    now = datetime.now(UTC)
    async with database.transaction() as session:
        await prisoners.upsert(session, prisoner_rows(prisoners_count, rng), now=now, actor=None)
    async with database.transaction() as session:
        ids = [row[0] for row in (await session.exec(text("SELECT id FROM prisoner"))).all()]  # type: ignore[call-overload]
    rows = letter_rows(letters, supporters, ids, rng)
    people = [(i, 10_000_000 + i, "ru", True, now, now) for i in range(1, supporters + 1)]
    if url.startswith("sqlite"):
        connection = sqlite3.connect(url.removeprefix("sqlite+aiosqlite:///"))
        connection.executemany(
            "INSERT INTO supporter (id, telegram_id, locale, is_active, created_at, last_seen_at) VALUES (?,?,?,?,?,?)",
            people,
        )
        connection.executemany(
            "INSERT INTO letter (supporter_id, prisoner_id, sent_on, kind, occasion, reply_received, logged_on)"
            " VALUES (?,?,?,?,?,?,?)", rows,
        )  # fmt: skip
        connection.commit()
        connection.close()
    else:
        connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
        await connection.copy_records_to_table(
            "supporter", records=people,
            columns=["id", "telegram_id", "locale", "is_active", "created_at", "last_seen_at"],
        )  # fmt: skip
        await connection.copy_records_to_table(
            "letter", records=rows,
            columns=["supporter_id", "prisoner_id", "sent_on", "kind", "occasion", "reply_received", "logged_on"],
        )  # fmt: skip
        await connection.execute("SELECT setval('supporter_id_seq', (SELECT MAX(id) FROM supporter))")
        await connection.close()
    async with database.transaction() as session:
        await session.exec(text(  # type: ignore[call-overload]
            "INSERT INTO lettertally (prisoner_id, day, letters) SELECT prisoner_id, sent_on, COUNT(*) FROM letter"
            " GROUP BY prisoner_id, sent_on"
        ))  # fmt: skip
        loads: dict[int, float] = defaultdict(float)
        for prisoner_id, day, count in (
            await session.exec(text("SELECT prisoner_id, day, letters FROM lettertally"))
        ).all():  # type: ignore[call-overload]
            day = day if isinstance(day, date) else date.fromisoformat(str(day))
            loads[prisoner_id] += count * fairness.weight(day)
        for prisoner_id, load in loads.items():
            await session.exec(
                text("UPDATE prisoner SET load_ref = :l WHERE id = :p"), params={"l": load, "p": prisoner_id}
            )  # type: ignore[call-overload]
    # The import does this for prisoners; autovacuum would do it for the rest before long.
    await database.analyze("prisoner", "letter", "lettertally", "supporter")
    await database.dispose()


def bot_settings(url: str, port: int) -> Settings:
    return Settings(
        _env_file=None, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{port}/bot",
        TELEGRAM_API_FILE_URL=f"http://127.0.0.1:{port}/file/bot", DATABASE_URL=url,
    )  # type: ignore[call-arg]  # fmt: skip


BUSY_AT = datetime(TODAY.year + 1, 4, 30, 16, 0, tzinfo=UTC)  # 19:00 in Minsk, 21 days before 21 May


def run_bot(url: str, port: int, busy: bool = False, broadcast: bool = False) -> None:
    """The bot as in production, in a process of its own, plus the echo handler that is the floor;
    `busy`: the reminder round runs every 30 s meanwhile, with every supporter due; `broadcast`: its
    delivery job sends a broadcast queued to everyone."""

    async def echo(update: Update, _context: Any) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("echo")
        raise ApplicationHandlerStop

    started = time.monotonic()
    # Busy: the bot lives at a moment when every supporter has a reminder due (its clock moves on from there).
    clock = (lambda: BUSY_AT + timedelta(seconds=time.monotonic() - started)) if busy else system_clock
    application = build_application(bot_settings(url, port), clock=clock)
    application.add_handler(CommandHandler("echo", echo), group=-1)
    assert application.job_queue is not None
    if not busy:  # idle: no reminder round (its first, a full sweep, would come 30 s after the start)
        for job in application.job_queue.get_jobs_by_name("reminders"):
            job.schedule_removal()
    if not broadcast:  # and nothing in the outbox for the delivery job to send
        for name in ("deliver", "progress"):
            for job in application.job_queue.get_jobs_by_name(name):
                job.schedule_removal()
    if busy:
        from bot import jobs

        async def remind(context: Any) -> None:
            deps = context.application.bot_data["deps"]
            pacer = context.application.bot_data.setdefault(jobs.PACER_KEY, jobs.pacer_for(deps))
            await jobs.run_reminders(deps, context.bot, pacer)

        application.job_queue.run_repeating(remind, interval=30, first=1, job_kwargs={"max_instances": 1})
    application.run_polling(poll_interval=0, timeout=10, stop_signals=(signal.SIGTERM, signal.SIGINT))


async def measure(
    url: str, users: int, rounds: int, busy_supporters: int = 0, *, broadcast: bool = False
) -> dict[str, list[float]]:
    telegram = EmulatedTelegram(TOKEN, limits=Limits(enabled=False))
    server = api_server(telegram)
    port = server.start()
    mode = ["broadcast"] if broadcast else ["busy"] if busy_supporters else []
    bot = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "benchmarks.latency", "--bot-process", str(port), url, *mode,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    samples: dict[str, list[float]] = {"/echo": [], "/suggest": []}
    rng = random.Random(7)
    for index in range(users):
        telegram.add_user(20_000_000 + index, f"U{index}", "ru")
    for index in range(1, busy_supporters + 1):  # the supporters the reminders go to (see fill)
        telegram.add_user(10_000_000 + index, f"S{index}", "ru")

    async def ask(user_id: int, command: str) -> float:
        chat = telegram.chat(user_id)
        chat.answered.clear()
        started = time.perf_counter()
        await telegram.send_text(user_id, command)
        await chat.answered.wait()
        return time.perf_counter() - started

    async def user(user_id: int) -> None:
        for round_index in range(rounds):
            await asyncio.sleep(rng.uniform(*THINK_SECONDS))
            command = "/suggest" if (round_index + user_id) % 2 else "/echo"
            samples[command].append(await ask(user_id, command))

    try:
        async with asyncio.timeout(120):
            await ask(20_000_000, "/echo")  # the bot process is up and polling
        started = time.perf_counter()
        await asyncio.gather(*(user(20_000_000 + index) for index in range(users)))
        elapsed = time.perf_counter() - started
    finally:
        if busy_supporters:
            bot.kill()  # a stop waits for the delivery round under way; nothing of it matters here
        else:
            bot.terminate()
        await bot.wait()
        await server.stop()
    refused = [call for call in telegram.refusals() if call.error_code == 400]
    assert not refused, refused
    samples["_rate"] = [sum(len(v) for k, v in samples.items() if not k.startswith("_")) / elapsed]
    # Reminder sends, timed by the emulator: how fast delivery went while the users were measured.
    sent = sorted(call.at for call in telegram.state.calls
                  if call.method == "sendMessage" and int(call.params.get("chat_id", 0)) < 20_000_000)  # fmt: skip
    samples["_reminders"] = [(len(sent) - 1) / (sent[-1] - sent[0]) if len(sent) > 1 else 0.0]
    return samples


def percentile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(share * 100) - 1]


def report(backend: str, samples: dict[str, list[float]], setup: float) -> None:
    echo, suggest = samples["/echo"], samples["/suggest"]
    p95_floor, p95 = percentile(echo, 0.95), percentile(suggest, 0.95)
    target = 1.5 * p95_floor + 0.020
    print(f"{backend}: setup {setup:.0f}s, {samples['_rate'][0]:.0f} requests/s")
    for name, values in (("/echo (floor)", echo), ("/suggest", suggest)):
        print(f"  {name:<14} n={len(values):<5} p50 {percentile(values, 0.50) * 1000:7.1f} ms"
              f"   p95 {percentile(values, 0.95) * 1000:7.1f} ms")  # fmt: skip
    verdict = "met" if p95 <= target else "NOT met"
    print(f"  target p95(/suggest) <= 1.5 x p95(floor) + 20 ms = {target * 1000:.1f} ms: {verdict}")


def report_busy(
    backend: str, idle: dict[str, list[float]], busy: dict[str, list[float]], what: str = "reminders are swept and sent"
) -> None:
    idle_p95, busy_p95 = percentile(idle["/suggest"], 0.95), percentile(busy["/suggest"], 0.95)
    print(f"{backend}, while {what} ({busy['_reminders'][0]:.1f} messages/s delivered):")
    for name in ("/echo", "/suggest"):
        values = busy[name]
        print(f"  {name:<14} n={len(values):<5} p50 {percentile(values, 0.50) * 1000:7.1f} ms"
              f"   p95 {percentile(values, 0.95) * 1000:7.1f} ms")  # fmt: skip
    verdict = "met" if busy_p95 <= 1.5 * idle_p95 else "NOT met"
    print(f"  target p95(/suggest) busy <= 1.5 x idle = {1.5 * idle_p95 * 1000:.1f} ms: {verdict}")


async def queue_broadcast(url: str) -> None:
    """A broadcast to every supporter, confirmed: the bot's delivery job sends it during the run."""
    from bot.services import broadcasts

    database = db.Database(url)
    try:
        async with database.transaction() as session:
            draft = await broadcasts.start_draft(session, 1, datetime.now(UTC))
            broadcasts.set_text(draft, "ru", "Вечер писем 20 мая: напишите тому, кто ждёт.")
            await broadcasts.confirm(session, draft, now=datetime.now(UTC), default_locale="en", paid=False)
    finally:
        await database.dispose()


async def postgres_database() -> str | None:
    try:
        connection = await asyncpg.connect(ADMIN_URL, timeout=5)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return None
    name = f"letterbot_bench_{uuid.uuid4().hex[:8]}"
    await connection.execute(f'CREATE DATABASE "{name}"')
    await connection.close()
    return name


async def drop_postgres(name: str) -> None:
    connection = await asyncpg.connect(ADMIN_URL)
    await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await connection.close()


def run_backend(backend: str, args: argparse.Namespace) -> None:
    pg_name = None
    with tempfile.TemporaryDirectory() as folder:
        if backend == "sqlite":
            url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite3'}"
        else:
            pg_name = asyncio.run(postgres_database())
            if pg_name is None:
                print("postgres: not reachable at 127.0.0.1:5432, skipped")
                return
            url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{pg_name}"
        try:
            started = time.perf_counter()
            db.upgrade(url)
            asyncio.run(fill(url, prisoners_count=args.prisoners, letters=args.letters, supporters=args.supporters))
            setup = time.perf_counter() - started
            idle = asyncio.run(measure(url, args.users, args.rounds))
            report(backend, idle, setup)
            if args.reminders:
                busy = asyncio.run(measure(url, args.users, args.rounds, busy_supporters=args.supporters))
                report_busy(backend, idle, busy)
            if args.broadcast:
                asyncio.run(queue_broadcast(url))
                busy = asyncio.run(
                    measure(url, args.users, args.rounds, busy_supporters=args.supporters, broadcast=True)
                )
                report_busy(backend, idle, busy, "a broadcast to everyone is sent")
        finally:
            if pg_name:
                asyncio.run(drop_postgres(pg_name))


def main() -> None:
    if sys.argv[1:2] == ["--bot-process"]:
        run_bot(sys.argv[3], int(sys.argv[2]), busy=sys.argv[4:5] == ["busy"], broadcast=sys.argv[4:5] == ["broadcast"])
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--prisoners", type=int, default=2000)
    parser.add_argument("--letters", type=int, default=1_000_000)
    parser.add_argument("--supporters", type=int, default=20_000)
    parser.add_argument("--reminders", action="store_true", help="also measure while reminders are sent")
    parser.add_argument("--broadcast", action="store_true", help="also measure while a broadcast is sent")
    args = parser.parse_args()
    print(f"latency: {args.prisoners} prisoners, {args.letters} letters, {args.users} users x {args.rounds} requests")
    for backend in ["sqlite", "postgres"] if args.backend == "both" else [args.backend]:
        run_backend(backend, args)


if __name__ == "__main__":
    main()
