"""A broadcast's sustained rate and the sender's memory: a real broadcast (bot.services.broadcasts
queues one outbox row per recipient in one statement) delivered by bot.delivery through the emulated
Bot API over real HTTP, with the emulator's flood limits on (1 a second per chat, 30 a second overall,
1,000 a second with allow_paid_broadcast; a 429 with retry_after beyond them).

    python -m benchmarks.broadcast [--recipients 5400] [--rate 30] [--paid] [--seconds 180]
                                   [--database-url postgresql+asyncpg://...]

The emulator runs in a process of its own, as Telegram does not share the bot's CPU. It delivers for
--seconds (or until every recipient has it) and prints the rate the emulator saw from its first
accepted send to its last, the sends that ignored a pending retry_after (target 0), and the bot
process's peak RSS (target under 150 MB with 100,000 recipients queued).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import resource
import time
from collections import Counter
from datetime import UTC, datetime
from multiprocessing.connection import Connection

from sqlalchemy import insert
from telegram import Bot
from telegram.request import HTTPXRequest

from benchmarks.delivery import scratch_database, slowest_window
from bot import LOCALES_DIR, TEMPLATES_DIR, db, jobs
from bot.config import Settings
from bot.delivery import sender
from bot.delivery.pacer import Pacer
from bot.deps import Deps
from bot.i18n import I18n
from bot.models import Supporter, table_of
from bot.sandbox.http import api_server
from bot.sandbox.telegram import EmulatedTelegram
from bot.services import broadcasts
from bot.services.letter_texts import Library

TOKEN = "4242:bench"
FIRST_USER = 800_000_000
TEXT = "<b>Letter night on 20 May</b>\nWrite to someone who gets few letters: /suggest finds them."


async def fill(deps: Deps, count: int, *, paid: bool) -> int:
    now = datetime.now(UTC)
    chunk = 10_000
    async with deps.db.transaction() as session:
        for first in range(1, count + 1, chunk):
            rows = [
                {"id": n, "telegram_id": FIRST_USER + n, "is_active": True, "created_at": now, "last_seen_at": now,
                 "locale": ("be", "ru", "en")[n % 3]}
                for n in range(first, min(first + chunk, count + 1))
            ]  # fmt: skip
            await session.exec(insert(table_of(Supporter)), params=rows)
        draft = await broadcasts.start_draft(session, 1, now)
        for locale in ("be", "ru", "en"):
            broadcasts.set_text(draft, locale, TEXT)
        queued = await broadcasts.confirm(session, draft, now=now, default_locale="en", paid=paid)
    return queued


def emulator(connection: Connection, count: int) -> None:
    """The emulated Bot API in a process of its own, as Telegram is: it serves until told the run is
    over, then sends back what it saw (accepted sends' moments, refusals, sends during a retry_after)."""

    async def serve() -> None:
        telegram = EmulatedTelegram(TOKEN)  # real monotonic clock, Telegram's limits on
        for n in range(1, count + 1):
            telegram.add_user(FIRST_USER + n, f"Reader {n}")
        server = api_server(telegram)
        connection.send(server.start())
        await asyncio.get_running_loop().run_in_executor(None, connection.recv)
        sends = [call for call in telegram.state.calls if call.method == "sendMessage"]
        connection.send((
            [call.at for call in sends if call.ok],
            Counter(call.error_code for call in sends if not call.ok),
            len(telegram.state.rate.violations),
        ))  # fmt: skip
        await server.stop()

    asyncio.run(serve())


async def measure(url: str, count: int, rate: float, paid: bool, seconds: float) -> bool:
    ours, theirs = multiprocessing.Pipe()
    process = multiprocessing.get_context("spawn").Process(target=emulator, args=(theirs, count), daemon=True)
    process.start()
    port = await asyncio.get_running_loop().run_in_executor(None, ours.recv)
    settings = Settings(_env_file=None, DATABASE_URL=url, TELEGRAM_BOT_TOKEN=TOKEN)
    deps = Deps(
        settings=settings, db=db.Database(url), i18n=I18n(LOCALES_DIR, TEMPLATES_DIR, "en"),
        clock=lambda: datetime.now(UTC), library=Library(TEMPLATES_DIR),
    )  # fmt: skip
    try:
        started = time.monotonic()
        queued = await fill(deps, count, paid=paid)
        print(f"queued {queued} recipients in one statement in {time.monotonic() - started:.1f} s", flush=True)
        request = HTTPXRequest(connection_pool_size=sender.PAID_LANES + 4)
        bot = Bot(TOKEN, base_url=f"http://127.0.0.1:{port}/bot", request=request)
        pacer = Pacer(rate)
        async with bot:
            kind = "paid" if paid else "free"
            print(f"delivering at {rate:g} a second ({kind}) for at most {seconds:g} s on {url.split(':', 1)[0]} ...")
            stats = await sender.deliver_due(
                deps, bot, pacer, jobs.purposes(), budget=seconds, paid_pacer=pacer if paid else None
            )
    finally:
        await deps.db.dispose()
        ours.send("done")
    accepted, refused, violations = ours.recv()
    process.join(timeout=30)
    sustained = (len(accepted) - 1) / (accepted[-1] - accepted[0]) if len(accepted) > 1 else 0.0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"sent:                {len(accepted)} in {stats.seconds:.1f} s")
    print(f"sustained rate:      {sustained:.2f} messages/s (target >= {0.95 * rate:.2f})")
    print(f"slowest 10 s window: {slowest_window(accepted):.2f} messages/s")
    print(f"refused sends:       {dict(refused) or 'none'}")
    print(f"sends ignoring a pending retry_after: {violations} (target 0)")
    print(f"peak RSS of the bot: {peak_mb:.0f} MB (with {count} recipients queued; target < 150 MB)")
    ok = sustained >= 0.95 * rate and violations == 0 and peak_mb < 150
    print("OK" if ok else "BELOW TARGET")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipients", type=int, default=5400, help="supporters in the audience (default 5400)")
    parser.add_argument("--rate", type=float, default=30.0, help="the pacer's messages a second (default 30)")
    parser.add_argument("--paid", action="store_true", help="a paid broadcast (allow_paid_broadcast)")
    parser.add_argument("--seconds", type=float, default=180.0, help="deliver for at most this long (default 180)")
    parser.add_argument("--database-url", help="a PostgreSQL server (postgresql+asyncpg://USER@HOST/DB)")
    args = parser.parse_args()
    with scratch_database(args.database_url) as url:
        ok = asyncio.run(measure(url, args.recipients, args.rate, args.paid, args.seconds))
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
