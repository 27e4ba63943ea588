"""/import: an admin sends the prisoner list as documents (the own format, or the Viasna ru and be
exports), sees the dry run, and presses Apply or Cancel.

The import itself is the command line's (`importing.run`): this module only downloads the documents,
keeps them in the database until the decision (a second replica may receive the press), and shows the
dry run. Apply plans again from the stored bytes and writes everything or nothing, but only what its
message showed: the button carries the dry run's version (`importing.version`), and when a file was
added since or the list changed meanwhile, the press shows the dry run as it is now, with a fresh Apply.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, TelegramError

from bot import db, importing
from bot.handlers import buttons
from bot.handlers.common import AppContext, Request, handler, message_of, refuse
from bot.importing import files
from bot.models import PendingImport, Role
from bot.rules import limits
from bot.rules.telegram_html import parse_html
from bot.services import audit, pending_imports, roles
from bot.services.prisoners import Counts

log = logging.getLogger(__name__)

BUTTONS = (buttons.ImportApply, buttons.ImportCancel)
DOWNLOAD_LIMIT = 20 * 1024 * 1024  # getFile: "bots can download files of up to 20MB in size"
SHOWN = {"names": 10, "errors": 10, "skipped": 5}  # per group in the message; the report has them all
REPORT_NAME = "import-report.txt"
COMMAND = re.compile(r"^/import(@\w+)?(\s|$)", re.IGNORECASE)


@handler(requires=Role.ADMIN)
async def command(update: Update, context: AppContext, request: Request) -> None:
    """Open a fresh import (one left open is cancelled) and ask for the documents."""
    _, closed = await start(request)
    request.reply(request.render("import_ask", closed=closed))


async def start(request: Request) -> tuple[PendingImport, bool]:
    """A fresh import; the one the admin had open is cancelled with its files, audited as a Cancel is,
    and the answer says so (whether it was)."""
    now = request.deps.clock()
    pending, closed = await pending_imports.start(request.session, request.user_id, now)
    if closed is not None:
        audit.record(
            request.session, at=now, actor=request.user_id, action="prisoners.import.cancel", detail=f"id={closed.id}"
        )
    return pending, closed is not None


@dataclass
class Received:
    """A document as downloaded, or why it was not."""

    name: str
    content: bytes = b""
    problem: str | None = None  # too_big, photo, picture, download


async def document(update: Update, context: AppContext) -> None:
    """A document (or a photo) in a private chat: an admin's file for /import, downloaded before the
    update's transaction opens, so that the database is not held while Telegram sends it. Nothing is
    downloaded for anyone else: one captioned /import is refused (and counted) as the command is, any other
    gets the usual answer to what the bot does not understand."""
    received = await receive(update, context)

    @handler()
    async def document_for_import(update: Update, context: AppContext, request: Request) -> None:
        await take(request, received)

    await document_for_import(update, context)


async def receive(update: Update, context: AppContext) -> Received | None:
    """Download the document if an admin sent it for an import (None otherwise, or a problem)."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return None
    deps = context.deps
    async with deps.db.transaction() as session:  # a short read: the roles, and whether an import is open
        if Role.ADMIN not in await roles.roles_of(session, user.id, deps.settings.bot_admin_ids):
            return None
        if not starts_import(message) and await pending_imports.open_of(session, user.id, deps.clock()) is None:
            return None
    attached = message.document
    if attached is None:
        return Received("photo", problem="photo")
    name = attached.file_name or "file"
    if (attached.mime_type or "").startswith("image/"):
        return Received(name, problem="picture")
    if attached.file_size is not None and attached.file_size > DOWNLOAD_LIMIT:
        return Received(name, problem="too_big")  # getFile would refuse it: not asked
    try:
        telegram_file = await context.bot.get_file(attached.file_id)
        return Received(name, bytes(await telegram_file.download_as_bytearray()))
    except BadRequest as exc:  # "file is too big", when the message did not give the size
        log.info("a document for /import was not downloaded: %s", exc.message)
        return Received(name, problem="too_big" if "too big" in exc.message.lower() else "download")
    except TelegramError as exc:
        log.warning("a document for /import was not downloaded: %s: %s", type(exc).__name__, exc.message)
        return Received(name, problem="download")


def starts_import(message: Message) -> bool:
    return bool(COMMAND.match(message.caption or ""))


async def take(request: Request, received: Received | None) -> None:
    """Add the document to the admin's open import (a fresh one with the caption /import) and show the
    dry run over every document so far. A file that cannot be read changes nothing; one with the name
    (or the bytes) of a file sent before replaces it."""
    session, t, now = request.session, request.t, request.deps.clock()
    fresh = starts_import(message_of(request.update))
    if Role.ADMIN not in await request.roles():
        # Meant for an import (captioned /import, or sent to one opened before the role was revoked):
        # refused as /import is, and counted. Any other document from anyone else is not for the bot.
        if fresh or await pending_imports.open_of(session, request.user_id, now) is not None:
            refuse(request, "admin_import.document")
        else:
            request.reply(request.render("unknown"))
        return
    pending = None if fresh else await pending_imports.open_of(session, request.user_id, now)
    if received is None or (pending is None and not fresh):
        request.reply(
            t._("To import the prisoner list, send /import first, or send the file with /import as its caption.")
        )
        return
    if received.problem is not None:
        request.reply(request.render("import_bad_file", kind=received.problem, name=received.name))
        return
    try:
        files.parse(received.name, received.content)
    except files.FileError as exc:
        request.reply(request.render("import_bad_file", kind=exc.kind, name=received.name, detail=str(exc)))
        return
    closed = False
    if pending is None:
        pending, closed = await start(request)
    replaced = await pending_imports.add_file(session, pending, received.name, received.content)
    raw_files = await stored_files(request, pending)
    result, counts = await importing.run(session, raw_files, dry_run=True, now=now, actor=request.user_id)
    report(request, pending, raw_files, result, counts, closed=closed, replaced=replaced)


async def stored_files(request: Request, pending: PendingImport) -> list[files.RawFile]:
    # Every stored file was read once before it was stored: reading the same bytes again cannot fail.
    return [files.parse(name, content) for name, content in await pending_imports.files_of(request.session, pending)]


@handler(requires=Role.ADMIN)
async def button(update: Update, context: AppContext, request: Request) -> None:
    """Apply or Cancel, checked at the press: the admin's own import, still open, within its hour."""
    query = update.callback_query
    assert query is not None
    pressed = buttons.read(query.data, *BUTTONS)
    if pressed is None:
        request.stale()
        return
    session, t, now = request.session, request.t, request.deps.clock()
    pending = await pending_imports.get(session, pressed.pending)
    if pending is not None and pending.admin_telegram_id != request.user_id:
        request.refused.append("admin_import.not_yours")
        request.answer(t._("Another admin started this import: only they can apply or cancel it."), alert=True)
        return
    if pending is None or pending_imports.is_expired(pending, now):
        if pending is not None and pending.status == pending_imports.OPEN:
            await pending_imports.close(session, pending, pending_imports.EXPIRED)
        request.answer()
        request.show(t._("This import has expired after an hour: nothing was changed. Send /import to start again."))
        return
    if pending.status != pending_imports.OPEN:
        done = pending.status == pending_imports.APPLIED
        request.answer(
            t._("This import has already been applied.") if done else t._("This import was cancelled."), alert=True
        )
        return
    if isinstance(pressed, buttons.ImportCancel):
        await pending_imports.close(session, pending, pending_imports.CANCELLED)
        audit.record(
            session, at=now, actor=request.user_id, action="prisoners.import.cancel", detail=f"id={pending.id}"
        )
        request.answer()
        request.show(t._("Import cancelled: nothing was changed."))
        return
    raw_files = await stored_files(request, pending)
    savepoint = await session.begin_nested()
    result, counts = await importing.run(session, raw_files, dry_run=False, now=now, actor=request.user_id)
    request.answer()
    if counts is None or importing.version(raw_files, result, counts) != (pressed.files, pressed.digest):
        # Not what this message showed: a file added since, or the list changed meanwhile (a row may no
        # longer fit). Nothing is written; the dry run as it is now is shown, to be applied in its turn.
        await savepoint.rollback()  # the counts stay: a dry run now would give the same
        report(request, pending, raw_files, result, counts, changed=True)
        return
    await savepoint.commit()
    await pending_imports.close(session, pending, pending_imports.APPLIED)
    report(request, pending, raw_files, result, counts, applied=True)
    if counts.new + counts.updated:
        request.then(analyze, request.deps.db)


async def analyze(database: db.Database) -> None:
    """The planner's statistics after a bulk change (db.Database.analyze says why); after the commit."""
    try:
        await database.analyze("prisoner")
    except SQLAlchemyError as exc:
        log.warning("ANALYZE after an import failed: %s", type(exc).__name__)


def report(
    request: Request,
    pending: PendingImport,
    raw_files: list[files.RawFile],
    result: importing.Plan,
    counts: Counts | None,
    *,
    applied: bool = False,
    changed: bool = False,
    closed: bool = False,
    replaced: str | None = None,
) -> None:
    """The dry run (or what Apply did) as one message; when the message cannot hold every name and error,
    the whole report follows as a text file, and the message, measured as it is sent, says so."""
    notes = {"applied": applied, "changed": changed, "closed": closed, "replaced": replaced}

    def render(shown: Mapping[str, int | None], *, in_file: bool) -> str:
        context = report_context(request, raw_files, result, counts, shown)
        return request.render("import_report", **context, **notes, report_file=REPORT_NAME if in_file else None)

    full = render(dict.fromkeys(SHOWN), in_file=False)
    text = render(SHOWN, in_file=False)
    if text != full:
        text = render(SHOWN, in_file=True)
        if limits.utf16_len(text) > limits.TEXT_LIMIT:
            text = render(dict.fromkeys(SHOWN, 0), in_file=True)
        document = parse_html(full).text.encode("utf-8")
        request.then(request.update.get_bot().send_document, request.chat_id, document, filename=REPORT_NAME)
    markup = None if applied else decision_keyboard(request, pending, raw_files, result, counts)
    request.show(text, markup)


def report_context(
    request: Request,
    raw_files: list[files.RawFile],
    result: importing.Plan,
    counts: Counts | None,
    shown: Mapping[str, int | None],
) -> dict[str, Any]:
    def cut(items: list[str], limit: int | None) -> tuple[list[str], int]:
        kept = items if limit is None else items[:limit]
        return kept, len(items) - len(kept)

    groups = []
    for kind, people in result.changes.by_kind():
        names, more = cut([f"{person.name(request.locale)} ({person.source_id})" for person in people], shown["names"])
        groups.append({"kind": kind, "count": len(people), "names": names, "more": more})
    errors, errors_more = cut([f"{where}: {reason}" for where, reason in result.errors], shown["errors"])
    skipped, skipped_more = cut([f"{where}: {reason}" for where, reason in result.skipped], shown["skipped"])
    return {
        "files": [{"name": raw.path.name, "language": raw.language, "rows": len(raw.rows)} for raw in raw_files],
        "counts": counts,
        "groups": groups,
        "errors": errors,
        "errors_count": len(result.errors),
        "errors_more": errors_more,
        "skipped": skipped,
        "skipped_count": len(result.skipped),
        "skipped_more": skipped_more,
    }


def decision_keyboard(
    request: Request,
    pending: PendingImport,
    raw_files: list[files.RawFile],
    result: importing.Plan,
    counts: Counts | None,
) -> InlineKeyboardMarkup:
    """Apply, carrying the version of the dry run shown above it (none while a row is wrong), and Cancel."""
    assert pending.id is not None
    cancel = buttons.make(request.t._("Cancel"), buttons.ImportCancel(pending.id))
    if counts is None:
        return InlineKeyboardMarkup([[cancel]])
    shown, digest = importing.version(raw_files, result, counts)
    apply = buttons.make(request.t._("Apply"), buttons.ImportApply(pending.id, digest, shown))
    return InlineKeyboardMarkup([[apply, cancel]])
