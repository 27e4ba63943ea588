"""Webhook mode on PostgreSQL: how many updates a second one and two replicas take while /suggest's p95
stays under 100 ms, and what webhook mode costs over polling at the same load.

The database of benchmarks/latency (2,000 prisoners, --letters letter rows); the bot as in production,
`letterbot run` in processes of their own: one poller (no BOT_WEBHOOK_URL), or one or two webhook
replicas behind the emulated Telegram, which posts updates to them in turn as a load balancer would
(bot/sandbox/webhook.py) and holds each chat's next update until the previous one was answered.
Updates arrive evenly spaced at a rate raised step by step, each from a person not waiting for an
answer; latency is from the update entering the emulator to the bot's reply arriving there. The
emulator's flood limits are off: Telegram's own (about 30 messages a second) are not what is measured.

    python -m benchmarks.webhook [--rates 10,20,40,...] [--seconds 10] [--letters 200000]

Everything (the emulator, the replicas, PostgreSQL) shares this machine's cores: the figures say what
one machine does, not what replicas on machines of their own would.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections import deque
from pathlib import Path

from pydantic import SecretStr
from sqlmodel import delete
from telegram import Bot

from benchmarks.latency import TOKEN, bot_settings, drop_postgres, fill, percentile, postgres_database
from bot import PROJECT_ROOT, cli_webhook, db
from bot.models import ProcessedUpdate
from bot.sandbox.http import api_server
from bot.sandbox.limits import Limits
from bot.sandbox.telegram import EmulatedTelegram

TARGET = 0.100  # p95 of /suggest, seconds
SECRET = "bench-secret"
PATH = "/letterbot/hook"
USERS = 3000
FIRST_USER = 30_000_000
STARTUP_SECONDS = 120


async def start_bots(url: str, api_port: int, replicas: int, logs: Path) -> list[asyncio.subprocess.Process]:
    """`letterbot run` processes: a poller (replicas=0), or webhook replicas on ports of their own."""
    base = bot_settings(url, api_port)
    env = {
        "PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(PROJECT_ROOT), "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": base.telegram_api_base_url, "TELEGRAM_API_FILE_URL": base.telegram_api_file_url,
        "DATABASE_URL": url, "BOT_DEFAULT_LOCALE": "ru",
    }  # fmt: skip
    processes = []
    for index in range(max(replicas, 1)):
        extra = {}
        if replicas:
            extra = {"BOT_WEBHOOK_URL": f"http://127.0.0.1:9{PATH}", "BOT_WEBHOOK_SECRET": SECRET,
                     "BOT_WEBHOOK_LISTEN": f"127.0.0.1:{18_400 + index}"}  # fmt: skip
        log = (logs / f"bot-{replicas}-{index}.log").open("wb")
        processes.append(
            await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", env={**env, **extra}, cwd=logs, stdout=log, stderr=log
            )
        )
    return processes


async def measure_mode(url: str, replicas: int, rates: list[int], seconds: float, logs: Path) -> dict[int, float]:
    """p95 of /suggest at each rate, until the bot is saturated; replicas=0 is polling."""
    # Each emulator numbers its updates from 1, where Telegram never repeats an id: the ids an earlier
    # mode's bot recorded as handled would be taken for repeats.
    database = db.Database(url)
    async with database.transaction() as session:
        await session.exec(delete(ProcessedUpdate))
    await database.dispose()
    telegram = EmulatedTelegram(TOKEN, limits=Limits(enabled=False))
    server = api_server(telegram)
    port = server.start()
    first = FIRST_USER + replicas * USERS  # people new to the bot in each mode alike
    for index in range(USERS):
        telegram.add_user(first + index, f"U{index}", "ru")
    processes = await start_bots(url, port, replicas, logs)
    results: dict[int, float] = {}
    free = deque(range(first, first + USERS))

    async def ask(user_id: int, samples: list[float] | None) -> None:
        chat = telegram.chat(user_id)
        chat.answered.clear()
        started = time.perf_counter()
        await telegram.send_text(user_id, "/suggest")
        await asyncio.wait_for(chat.answered.wait(), 60)
        if samples is not None:
            samples.append(time.perf_counter() - started)
        free.append(user_id)

    try:
        if replicas:
            telegram.balance([f"http://127.0.0.1:{18_400 + index}{PATH}" for index in range(replicas)])
            settings = bot_settings(url, port).model_copy(
                update={"bot_webhook_url": f"http://127.0.0.1:9{PATH}", "bot_webhook_secret": SecretStr(SECRET)}
            )
            await cli_webhook.set_webhook(Bot(TOKEN, base_url=settings.telegram_api_base_url), settings)
        try:
            async with asyncio.timeout(STARTUP_SECONDS):  # up (a replica not listening yet gets it again)
                await asyncio.gather(*(ask(free.popleft(), None) for _ in range(4 * max(replicas, 1))))
        except TimeoutError:
            print_logs(logs, replicas)
            raise
        for rate in rates:
            samples: list[float] = []
            tasks = []
            began = time.perf_counter()
            skipped = 0
            for index in range(int(rate * seconds)):
                await asyncio.sleep(max(0.0, began + index / rate - time.perf_counter()))
                if not free:
                    skipped += 1
                    continue
                tasks.append(asyncio.create_task(ask(free.popleft(), samples)))
            await asyncio.gather(*tasks)
            p95 = percentile(samples, 0.95) if len(samples) > 20 else float("inf")
            results[rate] = p95
            got = len(samples) / (time.perf_counter() - began)
            note = f", {skipped} not sent (everyone waiting)" if skipped else ""
            print(f"    {rate:>4}/s offered, {got:6.1f}/s answered: p50 {percentile(samples, 0.5) * 1000:7.1f} ms,"
                  f" p95 {p95 * 1000:7.1f} ms{note}")  # fmt: skip
            if p95 >= 5 * TARGET or skipped:  # saturated: a higher rate would only queue longer
                break
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            await process.wait()
        await telegram.api.call(TOKEN, "deleteWebhook", {})  # the emulator's deliverer ends
        await server.stop()
    return results


def print_logs(logs: Path, replicas: int) -> None:
    """The end of each bot's log: why it did not answer."""
    for log in sorted(logs.glob(f"bot-{replicas}-*.log")):
        print(f"{log.name} ends:", *log.read_text().splitlines()[-15:], sep="\n    ")


def best(results: dict[int, float]) -> int | None:
    met = [rate for rate, p95 in results.items() if p95 < TARGET]
    return max(met) if met else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rates", default="5,10,20,30,40,60,80,100,130,160")
    parser.add_argument("--seconds", type=float, default=10.0, help="at each rate")
    parser.add_argument("--prisoners", type=int, default=2000)
    parser.add_argument("--letters", type=int, default=200_000)
    # Few: their reminders are swept when each bot starts, and a sweep for 20,000 is not what is measured.
    parser.add_argument("--supporters", type=int, default=200)
    args = parser.parse_args()
    rates = [int(rate) for rate in args.rates.split(",")]
    print(f"webhook: PostgreSQL, {args.prisoners} prisoners, {args.letters} letters, {os.cpu_count()} cores;"
          f" /suggest p95 target {TARGET * 1000:.0f} ms")  # fmt: skip
    pg_name = asyncio.run(postgres_database())
    if pg_name is None:
        print("postgres: not reachable at 127.0.0.1:5432, nothing measured")
        return
    url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{pg_name}"
    try:
        db.upgrade(url)
        asyncio.run(fill(url, prisoners_count=args.prisoners, letters=args.letters, supporters=args.supporters))
        found: dict[str, dict[int, float]] = {}
        with tempfile.TemporaryDirectory() as folder:
            for name, replicas in (("polling", 0), ("webhook x1", 1), ("webhook x2", 2)):
                print(f"  {name}:")
                found[name] = asyncio.run(measure_mode(url, replicas, rates, args.seconds, Path(folder)))
        for name, results in found.items():
            rate = best(results)
            print(f"  {name}: highest rate with p95 < {TARGET * 1000:.0f} ms: {f'{rate}/s' if rate else 'none'}")
        common = [rate for rate in rates if rate in found["polling"] and rate in found["webhook x1"]]
        for rate in common:
            polling, webhook = found["polling"][rate], found["webhook x1"][rate]
            print(f"  at {rate}/s: webhook x1 p95 {webhook * 1000:.1f} ms vs polling {polling * 1000:.1f} ms:"
                  f" overhead {(webhook - polling) * 1000:+.1f} ms")  # fmt: skip
    finally:
        asyncio.run(drop_postgres(pg_name))


if __name__ == "__main__":
    main()
