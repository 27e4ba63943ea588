"""The `letterbot` command: run the bot, migrate, import and export the list, grant roles, sandbox."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from bot import cli_reminders, cli_webhook, cli_worker, db, importing
from bot.clock import system_clock
from bot.config import ConfigError, Settings, load_settings
from bot.models import Role
from bot.services.prisoners import Counts

log = logging.getLogger("letterbot")


def configure_logging(level: int = logging.INFO) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs every request URL at INFO, and the URL carries the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    # procrastinate logs every job's start and end at INFO: a dozen lines a minute from the periodic tasks.
    logging.getLogger("procrastinate").setLevel(logging.WARNING)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="letterbot", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")

    commands.add_parser("run", help="apply pending migrations, then run the bot")

    database = commands.add_parser("db", help="database migrations").add_subparsers(
        dest="db_command", required=True, metavar="ACTION"
    )
    upgrade = database.add_parser("upgrade", help="apply migrations (default: all)")
    upgrade.add_argument("revision", nargs="?", default="head")
    downgrade = database.add_parser("downgrade", help="undo migrations (default: all)")
    downgrade.add_argument("revision", nargs="?", default="base")
    database.add_parser("check", help="fail if the models and migrations disagree")

    prisoners = commands.add_parser("prisoners", help="the prisoner list").add_subparsers(
        dest="prisoners_command", required=True, metavar="ACTION"
    )
    importing = prisoners.add_parser(
        "import",
        help="import the own format (CSV or JSON) or Viasna CSV exports (ru and be joined by id)",
    )
    importing.add_argument("files", nargs="+", type=Path, metavar="FILE")
    importing.add_argument("--dry-run", action="store_true", help="report, write nothing")
    exporting = prisoners.add_parser("export", help="write the list in the own format")
    exporting.add_argument("file", type=Path, metavar="FILE", help="*.csv or *.json")

    roles = commands.add_parser("roles", help="admin and coordinator powers").add_subparsers(
        dest="roles_command", required=True, metavar="ACTION"
    )
    for action in ("grant", "revoke"):
        sub = roles.add_parser(action, help=f"{action} a role")
        sub.add_argument("user_id", type=int, metavar="USER_ID", help="Telegram user id")
        sub.add_argument(
            "role",
            choices=[role.value for role in Role],
            metavar="ROLE",
            help="admin or coordinator",
        )

    cli_reminders.add_parser(commands)
    cli_webhook.add_parser(commands)
    cli_worker.add_parser(commands)

    sandbox = commands.add_parser(
        "sandbox", help="emulated Telegram, the bot, demo data and a chat page in the browser"
    )
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=8080)
    sandbox.add_argument("--database-url", default=None, help="default: a fresh SQLite file in data/sandbox.sqlite3")
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    configure_logging()
    try:
        settings = load_settings()
        return dispatch(args, settings)
    except ConfigError as exc:
        print(f"letterbot: configuration error: {exc}", file=sys.stderr)
        return 2


def dispatch(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "run":
        return run(settings)
    if args.command == "db":
        return migrate(args, settings)
    if args.command == "prisoners":
        if args.prisoners_command == "import":
            return import_prisoners(settings, args.files, dry_run=args.dry_run)
        return export_prisoners(settings, args.file)
    if args.command == "roles":
        return asyncio.run(change_role(settings, args.roles_command, args.user_id, Role(args.role)))
    if args.command == "reminders":
        return cli_reminders.run(args, settings)
    if args.command == "webhook":
        return cli_webhook.run(args, settings)
    if args.command == "worker":
        return cli_worker.run(args, settings)
    if args.command == "sandbox":
        from bot.sandbox import server

        return server.serve(settings, host=args.host, port=args.port, database_url=args.database_url)
    raise AssertionError(args.command)


def migrate(args: argparse.Namespace, settings: Settings) -> int:
    if args.db_command == "upgrade":
        db.upgrade(settings.database_url, args.revision)
    elif args.db_command == "downgrade":
        db.downgrade(settings.database_url, args.revision)
    else:
        db.check(settings.database_url)
        print("models and migrations agree")
    return 0


async def change_role(settings: Settings, action: str, user_id: int, role: Role) -> int:
    from bot.services import roles

    database = db.Database(settings.database_url)
    try:
        async with database.transaction() as session:
            change = roles.grant if action == "grant" else roles.revoke
            changed = await change(session, telegram_id=user_id, role=role, by=None, now=system_clock())
    finally:
        await database.dispose()
    verb = "granted" if action == "grant" else "revoked"
    print(f"{role.value} {verb}" if changed else f"nothing to do: {role.value} was already {verb}")
    return 0


def run(settings: Settings) -> int:
    from bot.app import build_application
    from bot.handlers import ALLOWED_UPDATES

    settings.require_token()
    # Before PTB's event loop starts (Alembic runs its own); replicas starting together take turns
    # under a PostgreSQL advisory lock (migrations/env.py). `letterbot db upgrade` is the same, as a step.
    db.upgrade(settings.database_url)
    if settings.bot_webhook_url:
        from bot.web import serve

        # Updates arrive over HTTP (bot/web); Telegram is told the URL once by `letterbot webhook set`.
        return serve.serve(build_application(settings, webhook=True), settings)
    application = build_application(settings)
    application.run_polling(allowed_updates=list(ALLOWED_UPDATES))
    return 0


def import_prisoners(settings: Settings, paths: list[Path], *, dry_run: bool) -> int:
    try:
        raw_files = [importing.files.read(path) for path in paths]
    except importing.files.FileError as exc:
        print(f"error: {exc}\nnothing was written")
        return 1
    for raw in raw_files:
        kind = f"Viasna export ({raw.language})" if raw.kind == "viasna" else "own format"
        print(f"{raw.path}: {kind}, {len(raw.rows)} rows")
    result, counts = asyncio.run(_apply_and_close(settings, raw_files, dry_run))
    for where, reason in result.skipped:
        print(f"skipped {where}: {reason}")
    if counts is None:
        for where, reason in result.errors:
            print(f"error {where}: {reason}")
        print(f"{len(result.errors)} errors: nothing was written")
        return 1
    for kind, people in result.changes.by_kind():
        if people:
            named = ", ".join(f"{person.name('ru')} ({person.source_id})" for person in people)
            print(f"{importing.changes.LABELS[kind]} ({len(people)}): {named}")
    prefix = "dry run, nothing written: would be " if dry_run else ""
    changes = f"new {counts.new}, updated {counts.updated}, unchanged {counts.unchanged}"
    print(f"{prefix}{changes}, skipped {counts.skipped}")
    return 0


async def _apply_and_close(
    settings: Settings, raw_files: list[importing.files.RawFile], dry_run: bool
) -> tuple[importing.Plan, Counts | None]:
    database = db.Database(settings.database_url)
    try:
        return await importing.apply(database, raw_files, dry_run=dry_run)
    finally:
        await database.dispose()


def export_prisoners(settings: Settings, path: Path) -> int:
    async def run() -> list[dict[str, str]]:
        database = db.Database(settings.database_url)
        try:
            return await importing.export_rows(database)
        finally:
            await database.dispose()

    rows = asyncio.run(run())
    importing.write_export(path, rows)
    print(f"{path}: {len(rows)} prisoners written")
    return 0
