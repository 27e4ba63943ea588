"""/import of a 1,500-person Viasna pair (ru and be exports) sent as documents through the emulated Bot
API over real HTTP, on SQLite and PostgreSQL.

The real bot from build_application polls the emulator on loopback. An admin sends the ru export with
the caption /import, then the be export; the time of each is from the upload entering the emulator to
the dry run arriving (the bot downloads the document with getFile, stores it, plans every file so far
and upserts in a savepoint it rolls back). Then Apply: from the press to the "Applied" edit. Two rounds:
into an empty list (1,500 new people), then a second pair with about 5% of the people changed (a
re-import, as an admin makes it every week). Targets: dry run under 5 s, Apply under 10 s.

    python -m benchmarks.admin_import [--backend sqlite|postgres|both] [--people 1500]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.latency import drop_postgres, postgres_database
from bot import db
from bot.app import build_application, start_polling, stop_polling
from bot.config import Settings
from bot.importing import viasna
from bot.sandbox.http import api_server
from bot.sandbox.telegram import EmulatedTelegram

TOKEN = "4243:bench"
ADMIN = 900
FIRST = {
    "ru": ["Алексей", "Мария", "Иван", "Ольга", "Сергей", "Анна"],
    "be": ["Аляксей", "Марыя", "Іван", "Вольга", "Сяргей", "Ганна"],
}
LAST = {
    "ru": ["Колесников", "Сидоров", "Новик", "Лебедь", "Шевчук", "Павлов"],
    "be": ["Калеснікаў", "Сідараў", "Новік", "Лебедзь", "Шаўчук", "Паўлаў"],
}
PRISON = {
    "ru": ("ИК №{n}", "ул. Лагерная, {n}\n2460{n:02d}, г. Гомель"),
    "be": ("ПК №{n}", "вул. Лагерная, {n}\n2460{n:02d}, г. Гомель"),
}
RELEASED = {"ru": "освобожден", "be": "вызвалены"}


def people(count: int, changed: float, seed: int) -> list[dict[str, Any]]:
    """The same people each time (by id); a `changed` share released, moved or given a new address."""
    rng = random.Random(seed)
    found = []
    for number in range(count):
        pick = random.Random(number)
        person = {
            "id": str(10_000 + number),
            "first": pick.randrange(6),
            "last": pick.randrange(6),
            "status": "np" if number % 97 == 0 else "former" if number % 11 == 0 else "active",
            "facility": 1 + number % 23,
            "street": 1 + number % 7,
        }
        if rng.random() < changed:
            change = rng.choice(("released", "moved", "address"))
            if change == "released":
                person["status"] = "former"
            elif change == "moved":
                person["facility"] += 1
            else:
                person["street"] += 100
        found.append(person)
    return found


def export(language: str, crowd: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=viasna.HEADERS)
    writer.writeheader()
    for person in crowd:
        row = dict.fromkeys(viasna.HEADERS, "FALSE")
        institution, address = PRISON[language]
        in_custody = person["status"] == "active"
        row.update(
            id=person["id"],
            url=f"https://prisoners.spring96.org/{language}/person/{person['id']}",
            name=f"{FIRST[language][person['first']]} {LAST[language][person['last']]} {person['id']}",
            status=person["status"],
            gender="male",
            birthday="1980-01-01",
            arrested="2021-05-01",
            prison=(
                institution.format(n=person["facility"]) + "\n" + address.format(n=person["street"])
                if in_custody
                else RELEASED[language]
            ),
        )
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


class Admin:
    """The admin's side of the chat, timed on the emulator's own record of messages."""

    def __init__(self, telegram: EmulatedTelegram) -> None:
        self.telegram = telegram

    async def until(self, done: Any) -> None:
        # Polled: the emulator notifies waiters of updates, not of the bot's messages. 5 ms is far below
        # what is measured.
        async with asyncio.timeout(120):
            while not done():  # noqa: ASYNC110  # nothing to wait on: the emulator has no such event
                await asyncio.sleep(0.005)

    def last(self) -> dict[str, Any]:
        return self.telegram.bot_messages(ADMIN)[-1]

    async def upload(self, name: str, content: bytes, caption: str | None = None) -> tuple[float, dict[str, Any]]:
        seen = len(self.telegram.bot_messages(ADMIN))
        started = time.perf_counter()
        await self.telegram.upload(ADMIN, name, content, "text/csv", caption)
        # The dry run is the message with the buttons (a long report's file comes before it).
        await self.until(lambda: any("reply_markup" in m for m in self.telegram.bot_messages(ADMIN)[seen:]))
        return time.perf_counter() - started, self.last()

    async def apply(self, message: dict[str, Any]) -> tuple[float, str]:
        data = next(b["callback_data"] for b in message["reply_markup"]["inline_keyboard"][0] if b["text"] == "Apply")
        started = time.perf_counter()
        await self.telegram.press(ADMIN, message["message_id"], data)
        chat = self.telegram.chat(ADMIN)
        await self.until(lambda: chat.messages[message["message_id"]]["text"].startswith("Applied"))
        return time.perf_counter() - started, chat.messages[message["message_id"]]["text"]


async def measure(url: str, count: int) -> list[tuple[str, float, float, float, str]]:
    telegram = EmulatedTelegram(TOKEN)
    telegram.add_user(ADMIN, "Admin", "en")
    server = api_server(telegram)
    port = server.start()
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]  # pydantic-settings' own argument
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{port}/bot",
        TELEGRAM_API_FILE_URL=f"http://127.0.0.1:{port}/file/bot",
        DATABASE_URL=url,
        BOT_DEFAULT_LOCALE="en",
        BOT_ADMIN_IDS=str(ADMIN),
    )
    application = build_application(settings, scheduled=False)
    await start_polling(application, poll_seconds=5)
    admin = Admin(telegram)
    rounds = []
    try:
        for label, changed, seed in (("into an empty list", 0.0, 1), ("re-import, ~5% changed", 0.05, 2)):
            crowd = people(count, changed, seed)
            ru_time, _ = await admin.upload("viasna_ru.csv", export("ru", crowd), caption="/import")
            be_time, dry = await admin.upload("viasna_be.csv", export("be", crowd))
            assert "Errors: 0." in dry["text"], dry["text"][:500]
            apply_time, applied = await admin.apply(dry)
            counts = next(line for line in applied.splitlines() if line.startswith("New:"))
            rounds.append((label, ru_time, be_time, apply_time, counts))
    finally:
        await stop_polling(application)
        await server.stop()
    return rounds


def run_backend(backend: str, count: int) -> None:
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
            db.upgrade(url)
            for label, ru_time, be_time, apply_time, counts in asyncio.run(measure(url, count)):
                verdict = "ok" if max(ru_time, be_time) < 5 and apply_time < 10 else "SLOWER THAN THE TARGET"
                print(
                    f"{backend:8} {count} people, {label}: dry run after ru {ru_time:.2f} s, "
                    f"after be (the pair) {be_time:.2f} s; Apply {apply_time:.2f} s [{verdict}] ({counts})"
                )
        finally:
            if pg_name:
                asyncio.run(drop_postgres(pg_name))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--people", type=int, default=1500)
    args = parser.parse_args()
    for backend in ["sqlite", "postgres"] if args.backend == "both" else [args.backend]:
        run_backend(backend, args.people)


if __name__ == "__main__":
    main()
