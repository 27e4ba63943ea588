"""/grant, /revoke, /roles and /audit: admins give and take back roles in the chat, and read what was done.

The rules (who may lose which role) are in bot/services/roles.py; what changes is audited there too. The
person given a role hears of it, and their menu changes, after the commit: a message that cannot reach
them does not undo the grant.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from telegram import InlineKeyboardMarkup, Update

from bot.handlers import buttons, menu
from bot.handlers.common import AppContext, Request, handler
from bot.i18n import Translator, parse_locale
from bot.models import AuditEntry, Role
from bot.services import audit, refusals, roles, supporters

BUTTONS = (buttons.RoleRevoke,)
AUDIT_DEFAULT, AUDIT_MAX = 20, 100
AUDIT_PER_MESSAGE = 25  # entries per message: 25 long ones stay well within Telegram's 4096 characters
DETAIL_SHOWN = 60  # characters of an entry's detail
REFUSAL_DAYS = 7  # /audit sums the refusals of this many days
TELEGRAM_ID = re.compile(r"[1-9][0-9]{0,15}")


def role_label(t: Translator, role: Role) -> str:
    return t._("admin") if role is Role.ADMIN else t._("coordinator")


def parse(args: list[str]) -> tuple[int, Role] | None:
    """`<telegram id> admin|coordinator`, or None."""
    if len(args) != 2 or TELEGRAM_ID.fullmatch(args[0]) is None or args[1].lower() not in set(Role):
        return None
    return int(args[0]), Role(args[1].lower())


@handler(requires=Role.ADMIN)
async def grant(update: Update, context: AppContext, request: Request) -> None:
    t = request.t
    parsed = parse(list(context.args or []))
    if parsed is None:
        request.reply(request.render("roles_usage", command="grant"))
        return
    telegram_id, role = parsed
    granted = await roles.grant(
        request.session, telegram_id=telegram_id, role=role, by=request.user_id, now=request.deps.clock()
    )
    if not granted:
        request.reply(t._("{id} is already {role}.").format(id=telegram_id, role=role_label(t, role)))
        return
    grantee = await supporters.find(request.session, telegram_id)
    reachable = grantee is not None and grantee.is_active  # else Telegram would answer "chat not found"
    text = t._("Done: {id} is now {role}.").format(id=telegram_id, role=role_label(t, role))
    if not reachable:
        text += "\n\n" + t._(
            "They have not written to the bot yet, so I cannot tell them. They will see their commands in /help "
            "once they start the bot."
        )
    request.reply(text)  # first: a grantee who blocked the bot stops what is queued after them
    if grantee is not None and reachable:
        await tell_grantee(context, request, telegram_id, grantee.locale)


async def tell_grantee(context: AppContext, request: Request, telegram_id: int, stored_locale: str | None) -> None:
    """Queue the grantee's new menu and a message saying what they can now do, in their language."""
    deps = request.deps
    held = await roles.roles_of(request.session, telegram_id, deps.settings.bot_admin_ids)
    locale = parse_locale(stored_locale) or deps.i18n.default_locale
    t = deps.i18n.translator(locale)
    text = deps.i18n.render(locale, "role_granted", is_admin=Role.ADMIN in held, commands=help_lines(t, held))
    request.then(menu.after_role_change, context.bot, deps.i18n, telegram_id, locale, held)
    request.then(context.bot.send_message, telegram_id, text)


def help_lines(t: Translator, held: set[Role]) -> list[tuple[str, str]]:
    return [(command.command, command.description) for command in menu.staff_commands(t, held)]


@handler(requires=Role.ADMIN)
async def revoke(update: Update, context: AppContext, request: Request) -> None:
    t = request.t
    parsed = parse(list(context.args or []))
    if parsed is None:
        request.reply(request.render("roles_usage", command="revoke"))
        return
    telegram_id, role = parsed
    if await blocked(request, telegram_id, role):
        return
    held = await roles.grant_of(request.session, telegram_id, role)
    if held is None or held.id is None:
        request.reply(t._("{id} is not {role}.").format(id=telegram_id, role=role_label(t, role)))
        return
    keyboard = InlineKeyboardMarkup(
        [
            [
                buttons.make(t._("Yes, take it back"), buttons.RoleRevoke(held.id, "yes")),
                buttons.make(t._("No"), buttons.RoleRevoke(held.id, "no")),
            ]
        ]
    )
    request.reply(
        t._("Take the role of {role} back from {id}?").format(id=telegram_id, role=role_label(t, role)), keyboard
    )


@handler(requires=Role.ADMIN)
async def revoke_button(update: Update, context: AppContext, request: Request) -> None:
    """The confirmation, checked again: the role, the grant and the rules may have changed meanwhile."""
    query = update.callback_query
    assert query is not None
    pressed = buttons.read(query.data, *BUTTONS)
    if pressed is None:
        request.stale()
        return
    t = request.t
    if pressed.answer == "no":
        request.answer()
        request.show(t._("Nothing changed."))
        return
    held = await roles.grant_by_id(request.session, pressed.grant)
    if held is None:
        request.answer()
        request.show(t._("This role has been taken back already."))
        return
    role = Role(held.role)
    if await blocked(request, held.telegram_id, role):
        request.answer()
        return
    deps = request.deps
    await roles.revoke(request.session, telegram_id=held.telegram_id, role=role, by=request.user_id, now=deps.clock())
    request.answer()
    request.show(t._("Done: {id} is no longer {role}.").format(id=held.telegram_id, role=role_label(t, role)))
    supporter = await supporters.find(request.session, held.telegram_id)
    if supporter is not None and supporter.is_active:
        now_held = await roles.roles_of(request.session, held.telegram_id, deps.settings.bot_admin_ids)
        locale = parse_locale(supporter.locale) or deps.i18n.default_locale
        request.then(menu.after_role_change, context.bot, deps.i18n, held.telegram_id, locale, now_held)


async def blocked(request: Request, telegram_id: int, role: Role) -> bool:
    """Say so, and audit the attempt, if this role may not be taken back in the chat."""
    settings = request.deps.settings
    admins = await roles.admins(request.session, settings.bot_admin_ids)
    refusal = roles.why_not_revoke(telegram_id, role, admins=admins, env_admins=settings.bot_admin_ids)
    if refusal is None:
        return False
    audit.record(
        request.session, at=request.deps.clock(), actor=request.user_id, action=f"role.revoke.{role.value}.refused",
        subject=telegram_id, detail=refusal.value,
    )  # fmt: skip
    t = request.t
    if refusal is roles.Refusal.ENV_ADMIN:
        text = t._(
            "{id} is an admin in the bot's configuration (BOT_ADMIN_IDS); only the operator can change that."
        ).format(id=telegram_id)
    else:
        text = t._("You are the last admin: give someone else the admin role before you give up yours.")
    request.show(text)
    return True


@handler(requires=Role.ADMIN)
async def listing(update: Update, context: AppContext, request: Request) -> None:
    t = request.t
    rows = [
        {"id": row.telegram_id, "role": role_label(t, Role(row.role)), "by": row.granted_by, "at": row.granted_at}
        for row in await roles.grants(request.session)
    ]
    request.reply(request.render("roles", env_admins=sorted(request.deps.settings.bot_admin_ids), rows=rows))


@handler(requires=Role.ADMIN)
async def audit_log(update: Update, context: AppContext, request: Request) -> None:
    args = list(context.args or [])
    if len(args) > 1 or (args and not (args[0].isdecimal() and 1 <= int(args[0]) <= AUDIT_MAX)):
        request.reply(
            request.t._("Send /audit, or /audit and how many entries to show, up to {max}.").format(max=AUDIT_MAX)
        )
        return
    deps = request.deps
    entries = await audit.latest(request.session, int(args[0]) if args else AUDIT_DEFAULT)
    refused = await refusals.since(request.session, deps.today() - timedelta(days=REFUSAL_DAYS - 1))
    rows = [audit_row(request, entry) for entry in entries]
    chunks = [rows[i : i + AUDIT_PER_MESSAGE] for i in range(0, len(rows), AUDIT_PER_MESSAGE)] or [[]]
    for number, chunk in enumerate(chunks):
        last = number == len(chunks) - 1
        request.reply(
            request.render(
                "audit", rows=chunk, first=number == 0, last=last, days=REFUSAL_DAYS,
                refused=refused if last else [], refused_total=sum(times for _, times in refused),
            )
        )  # fmt: skip


def audit_row(request: Request, entry: AuditEntry) -> dict[str, object]:
    local: datetime = entry.at.astimezone(request.deps.settings.timezone)
    detail = entry.detail or ""
    return {
        "when": f"{request.t.date(local.date(), 'd MMM y')} {local:%H:%M}",
        "actor": entry.actor_telegram_id,
        "action": entry.action,
        "subject": entry.subject_telegram_id,
        "detail": detail if len(detail) <= DETAIL_SHOWN else detail[: DETAIL_SHOWN - 1] + "…",
    }
