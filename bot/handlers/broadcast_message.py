"""A broadcast as its recipient gets it, rendered when the sender sends it (bot/delivery): the text in
their language or the coordinator's fallback, and the campaign's button if there is one."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import InlineKeyboardMarkup, Message

from bot.delivery import send  # a module: bot.delivery.send itself imports from bot.handlers
from bot.deps import Deps
from bot.handlers import buttons
from bot.handlers.common import Request
from bot.i18n import resolve_locale
from bot.models import Broadcast, BroadcastStatus, Outbox, Supporter
from bot.rules import limits, telegram_html
from bot.services import broadcasts, campaigns


def checked_text(request: Request, message: Message) -> str | None:
    """A coordinator's text (a broadcast's, a campaign's) as its readers will get it: formatting made in
    the app arrives as entities, which PTB writes back as HTML; text with none is HTML written by hand.
    None, with the reason told, when Telegram would refuse it."""
    html = message.text_html if message.entities else (message.text or "")
    try:
        return telegram_html.check(html)
    except telegram_html.Refused as refusal:
        request.reply(request.render("broadcast_refused", refusal=refusal, limit=limits.TEXT_LIMIT))
        return None


async def compose(session: AsyncSession, deps: Deps, broadcast: Broadcast, locale: str) -> send.Rendered | None:
    text = broadcasts.text_for(broadcast, locale)
    if text is None:
        return None
    campaign = await campaigns.get(session, broadcast.campaign_id) if broadcast.campaign_id else None
    markup = None
    if campaign is not None:
        label = deps.i18n.translator(resolve_locale(locale, None, deps.settings.bot_default_locale))._(
            "Open the campaign"
        )
        markup = InlineKeyboardMarkup([[buttons.make("✉️ " + label, buttons.OpenCampaign(campaign.id or 0))]])
    return send.Rendered(text, markup, paid=broadcast.paid)


async def render(session: AsyncSession, outbox: Outbox, supporter: Supporter, deps: Deps) -> send.Rendered | None:
    broadcast = await broadcasts.get(session, int(outbox.key))
    if broadcast is None or broadcast.status != BroadcastStatus.SENDING.value:  # cancelled meanwhile
        return None
    locale = resolve_locale(supporter.locale, None, deps.settings.bot_default_locale)
    return await compose(session, deps, broadcast, locale)
