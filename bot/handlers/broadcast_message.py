"""A broadcast as its recipient gets it, rendered when the sender sends it (bot/delivery): the text in
their language or the coordinator's fallback, and the campaign's button if there is one."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import InlineKeyboardMarkup

from bot.delivery import send  # a module: bot.delivery.send itself imports from bot.handlers
from bot.deps import Deps
from bot.handlers import buttons
from bot.i18n import resolve_locale
from bot.models import Broadcast, BroadcastStatus, Outbox, Supporter
from bot.services import broadcasts, campaigns


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
