"""A broadcast under way: its progress message (edited in place by a job, at most every few seconds),
Pause, Resume and Cancel under it, and /broadcasts, the list of broadcasts with their results."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.config import Locale
from bot.deps import Deps
from bot.handlers import buttons
from bot.handlers.common import STAFF, AppContext, Request, handler
from bot.i18n import resolve_locale
from bot.models import Broadcast, BroadcastStatus
from bot.rules import audiences
from bot.services import broadcasts, supporters

BUTTONS = (buttons.BroadcastControl,)
PROGRESS_SECONDS = 5.0  # how often a progress message may change: Telegram frowns on faster edits
LISTED = 10
log = logging.getLogger(__name__)


def figures(broadcast: Broadcast, now: datetime) -> dict[str, Any]:
    done = broadcast.total - broadcasts.remaining(broadcast)
    started = broadcast.started_at
    if started is not None and started.tzinfo is None:  # SQLite gives the stored UTC moment back naive
        started = started.replace(tzinfo=UTC)
    elapsed = (now - started).total_seconds() if started else 0.0
    rate = done / elapsed if elapsed > 1 and done else 0.0
    running = broadcast.status in broadcasts.RUNNING
    left = broadcasts.remaining(broadcast)
    return {
        "status": broadcast.status, "total": broadcast.total, "sent": broadcast.sent,
        "blocked": broadcast.blocked, "failed": broadcast.failed, "uncertain": broadcast.uncertain,
        "dropped": broadcast.dropped, "resent": broadcast.resent, "remaining": left,
        "rate": round(rate, 1), "minutes_left": round(left / rate / 60) if running and rate else None,
    }  # fmt: skip


def view(deps: Deps, locale: Locale, broadcast: Broadcast) -> tuple[str, InlineKeyboardMarkup | None]:
    shown = figures(broadcast, deps.clock())
    text = deps.i18n.render(
        locale, "broadcast_progress", number=broadcast.id, audience=audiences.parse(broadcast.audience), **shown
    )
    return text, control_keyboard(deps, locale, broadcast)


def control_keyboard(deps: Deps, locale: Locale, broadcast: Broadcast) -> InlineKeyboardMarkup | None:
    t = deps.i18n.translator(locale)
    number = broadcast.id or 0
    if broadcast.status == BroadcastStatus.SENDING.value:
        first = buttons.make("⏸ " + t._("Pause"), buttons.BroadcastControl(number, "pause"))
    elif broadcast.status == BroadcastStatus.PAUSED.value:
        first = buttons.make("▶️ " + t._("Resume"), buttons.BroadcastControl(number, "resume"))
    else:
        return None
    cancel = buttons.make("⏹ " + t._("Cancel"), buttons.BroadcastControl(number, "cancel"))
    return InlineKeyboardMarkup([[first, cancel]])


@handler(requires=STAFF)
async def control(update: Update, context: AppContext, request: Request) -> None:
    query = update.callback_query
    assert query is not None
    pressed = buttons.read(query.data, *BUTTONS)
    # Not locked here: the service locks it after its outbox rows, in the sender's order.
    broadcast = await broadcasts.get(request.session, pressed.broadcast) if pressed else None
    if pressed is None or broadcast is None:
        request.stale()
        return
    session, now, t = request.session, request.deps.clock(), request.t
    match pressed.action:
        case "pause" if await broadcasts.pause(session, broadcast, request.user_id, now):
            request.answer(t._("Paused."))
        case "resume" if await broadcasts.resume(session, broadcast, request.user_id, now):
            request.answer(t._("Resumed."))
        case "cancel" if broadcast.status in broadcasts.RUNNING:
            request.answer()
            keyboard = InlineKeyboardMarkup([[
                buttons.make(t._("Yes, cancel it"), buttons.BroadcastControl(broadcast.id or 0, "cancel_yes")),
                buttons.make(t._("No, go on"), buttons.BroadcastControl(broadcast.id or 0, "cancel_no")),
            ]])  # fmt: skip
            left = broadcasts.remaining(broadcast)
            request.show(request.render("broadcast_cancel", remaining=left), keyboard)
            return
        case "cancel_yes" if await broadcasts.cancel(session, broadcast, request.user_id, now):
            request.answer(t._("Cancelled."))
        case "cancel_no" | "refresh":
            request.answer()
        case _:  # pressed twice, or the broadcast ended meanwhile
            request.answer(t._("This broadcast has already ended or changed."), alert=True)
    text, markup = view(request.deps, request.locale, broadcast)
    broadcast.progress_shown = None  # the job shows the next figures, whatever it showed before
    request.show(text, markup)


@handler(requires=STAFF)
async def listing(update: Update, context: AppContext, request: Request) -> None:
    listed = await broadcasts.recent(request.session, LISTED)
    rows = [figures(b, request.deps.clock()) | {"number": b.id, "started": b.started_at} for b in listed]
    request.reply(request.render("broadcasts", rows=rows))


def shown_key(broadcast: Broadcast, shown: dict[str, Any]) -> str:
    """What a progress message shows, to tell whether it needs an edit; "end:" once it is final."""
    prefix = "end:" if broadcast.status not in broadcasts.RUNNING else ""
    return prefix + ":".join(str(shown[k]) for k in ("status", "sent", "blocked", "failed", "uncertain", "dropped"))


async def refresh(deps: Deps, bot: Bot) -> None:
    """The job: edit every progress message whose figures changed since it was last edited."""
    async with deps.db.transaction() as session:
        due = []
        for broadcast in await broadcasts.running(session):
            key = shown_key(broadcast, figures(broadcast, deps.clock()))
            if key != broadcast.progress_shown:
                staff = await supporters.find(session, broadcast.created_by) if broadcast.created_by else None
                locale = resolve_locale(staff.locale if staff else None, None, deps.settings.bot_default_locale)
                due.append((broadcast.id, broadcast.progress_chat, broadcast.progress_message, key,
                            *view(deps, locale, broadcast)))  # fmt: skip
    for number, chat, message, key, text, markup in due:  # Telegram is called outside any transaction
        try:
            await bot.edit_message_text(
                text, chat_id=chat, message_id=message, parse_mode=ParseMode.HTML, reply_markup=markup
            )
        except TelegramError as error:
            if "not modified" not in error.message:
                log.warning("a progress message was not edited: %s", error.message)
        async with deps.db.transaction() as session:
            shown = await broadcasts.get(session, number or 0)
            if shown is not None:
                shown.progress_shown = key
                session.add(shown)
