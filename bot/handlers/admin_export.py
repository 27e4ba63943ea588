"""/export: the whole prisoner list as a document in the own format (CSV, or JSON with `/export json`),
the same bytes `letterbot prisoners export` writes. Admins only, and audited."""

from __future__ import annotations

from telegram import Update

from bot import importing
from bot.handlers.common import AppContext, Request, handler
from bot.models import Role
from bot.services import audit

KINDS = ("csv", "json")


@handler(requires=Role.ADMIN)
async def command(update: Update, context: AppContext, request: Request) -> None:
    asked = [arg.lower() for arg in context.args or []]
    kind = asked[0] if asked else "csv"
    if len(asked) > 1 or kind not in KINDS:
        request.reply(request.t._("Send /export for the list as CSV, or /export json for JSON."))
        return
    rows = await importing.rows_of(request.session)
    content = importing.export_bytes(rows, kind)
    audit.record(
        request.session,
        at=request.deps.clock(),
        actor=request.user_id,
        action="prisoners.export",
        detail=f"rows={len(rows)} format={kind}",
    )
    name = f"prisoners-{request.deps.today().isoformat()}.{kind}"
    caption = request.t.ngettext("The prisoner list: {n} person.", "The prisoner list: {n} people.", len(rows))
    request.then(
        context.bot.send_document,
        request.chat_id,
        content,
        filename=name,
        caption=caption.format(n=request.t.number(len(rows))),
    )
