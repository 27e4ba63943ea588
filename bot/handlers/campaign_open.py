"""A supporter opens a campaign (its deep link, or the button under a broadcast): its text, and a person
to write to within its target, fairly and with the usual hold, or the one person it is about."""

from __future__ import annotations

from telegram import Update

from bot.handlers import buttons, cards
from bot.handlers.common import AppContext, Request, find_someone_keyboard, handler
from bot.models import Campaign
from bot.services import campaigns, suggestions

BUTTONS = (buttons.OpenCampaign,)
DEEP_LINK = "c_"


@handler()
async def button(update: Update, context: AppContext, request: Request) -> None:
    query = update.callback_query
    assert query is not None
    pressed = buttons.read(query.data, *BUTTONS)
    campaign = await campaigns.get(request.session, pressed.campaign) if pressed else None
    if campaign is None:
        request.stale()
        return
    request.answer()
    request.in_place = False  # the broadcast stays as it was
    await show(request, campaign)


async def by_code(request: Request, code: str) -> bool:
    """/start c_<code>: False if no campaign has that code."""
    campaign = await campaigns.by_code(request.session, code)
    if campaign is None:
        return False
    await show(request, campaign)
    return True


async def show(request: Request, campaign: Campaign) -> None:
    deps, session = request.deps, request.session
    text = campaigns.text_for(campaign, request.locale)
    if text:
        request.reply(text)
    if campaign.target == "person":
        pick = await suggestions.card(session, campaign.prisoner_id or 0, deps.today())
        if pick is not None and suggestions.is_writable(pick.prisoner):
            await suggestions.hold_chosen(
                session, supporter=request.supporter, prisoner=pick.prisoner, now=deps.clock(),
                campaign_id=campaign.id,
            )  # fmt: skip
    else:
        pick = await suggestions.suggest(
            session, supporter=request.supporter, now=deps.clock(), today=deps.today(), rng=deps.rng,
            campaign=campaign,
        )  # fmt: skip
    if pick is None or not suggestions.is_writable(pick.prisoner):
        request.reply(request.render("campaign_none"), find_someone_keyboard(request))
        return
    request.reply(cards.render(request, pick), cards.keyboard(request, pick.prisoner))
