"""/campaign and /campaigns: a coordinator names a target, writes the campaign's text, gets its deep
link, and sees its results as figures and as a chart. Coordinators and admins only."""

from __future__ import annotations

import asyncio
from datetime import date

from telegram import InlineKeyboardMarkup, Message, Update

from bot.handlers import broadcast_message, buttons, campaign_chart
from bot.handlers.common import STAFF, AppContext, Request, handler, message_of, refuse
from bot.i18n import NATIVE_NAMES
from bot.models import Campaign
from bot.services import campaigns, suggestions, supporters

BUTTONS = (buttons.CampaignText, buttons.CampaignResults)
INPUT = "cmp:"  # supporters.pending_input while a campaign's text is awaited: cmp:<locale>:<campaign id>
LISTED = 10


def label(request: Request, campaign: Campaign) -> str:
    """A campaign named on a button: its code and target."""
    return f"{campaign.code} · {target_label(request, campaign)}"


def target_label(request: Request, campaign: Campaign) -> str:
    t = request.t
    if campaign.target == "person":
        return t._("one person")
    if campaign.target == "facility":
        return t._("a facility")
    if campaign.target == "birthdays":
        return t._("birthdays {first}–{last}").format(first=_short(campaign.first_day), last=_short(campaign.last_day))
    return t._("letter night {day}").format(day=_short(campaign.first_day))


def _short(day: date | None) -> str:
    return day.strftime("%d.%m") if day else "?"


def link(context: AppContext, campaign: Campaign) -> str:
    return f"https://t.me/{context.bot.username}?start=c_{campaign.code}"


@handler(requires=STAFF)
async def command(update: Update, context: AppContext, request: Request) -> None:
    """/campaign person <id> | facility <part of its name> | birthdays <from> <to> | date <day>."""
    args = list(context.args or [])
    kind, rest = (args[0].lower(), args[1:]) if args else ("", [])
    session, now = request.session, request.deps.clock()
    created: Campaign | None = None
    problem = "usage"
    if kind == "person" and rest:
        person = await suggestions.find_one(session, " ".join(rest))
        problem = "person"
        if person is not None:
            created = await campaigns.create(
                session, staff_id=request.user_id, now=now, target="person", prisoner_id=person.id
            )
    elif kind == "facility" and rest:
        facility = await campaigns.find_facility(session, " ".join(rest))
        problem = "facility"
        if facility is not None:
            created = await campaigns.create(
                session, staff_id=request.user_id, now=now, target="facility", facility_key=facility.key
            )
    elif kind in ("birthdays", "date") and rest:
        days = [_day(text) for text in rest[:2]]
        problem = "dates"
        first, last = days[0], days[-1]
        if first is not None and last is not None and first <= last and (last - first).days <= 366:
            created = await campaigns.create(
                session, staff_id=request.user_id, now=now, target=kind, first_day=first, last_day=last
            )
    if created is None:
        request.reply(request.render("campaign_usage", problem=problem if args else "usage"))
        return
    await show(request, context, created)


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


async def show(request: Request, context: AppContext, campaign: Campaign) -> None:
    written = campaigns.texts(campaign)
    rows = [
        [
            buttons.make(
                ("✏️ " if locale in written else "➕ ") + locale, buttons.CampaignText(campaign.id or 0, locale)
            )
            for locale in NATIVE_NAMES
        ],
        [buttons.make("📊 " + request.t._("Results"), buttons.CampaignResults(campaign.id or 0))],
    ]
    request.show(
        request.render(
            "campaign", code=campaign.code, target=target_label(request, campaign), link=link(context, campaign),
            languages=[NATIVE_NAMES[locale] for locale in written],
        ),
        InlineKeyboardMarkup(rows),
    )  # fmt: skip


@handler(requires=STAFF)
async def listing(update: Update, context: AppContext, request: Request) -> None:
    listed = await campaigns.recent(request.session, LISTED)
    rows = [[buttons.make(label(request, c), buttons.CampaignResults(c.id or 0))] for c in listed]
    request.reply(request.render("campaigns", count=len(listed)), InlineKeyboardMarkup(rows) if rows else None)


@handler(requires=STAFF)
async def button(update: Update, context: AppContext, request: Request) -> None:
    query = update.callback_query
    assert query is not None
    pressed = buttons.read(query.data, *BUTTONS)
    campaign = await campaigns.get(request.session, pressed.campaign) if pressed else None
    if pressed is None or campaign is None:
        request.stale()
        return
    request.answer()
    match pressed:
        case buttons.CampaignText(_, locale):
            await supporters.set_pending(request.session, request.supporter, f"{INPUT}{locale}:{campaign.id}")
            request.reply(request.render("broadcast_ask", what="campaign", language=NATIVE_NAMES[locale]))
        case buttons.CampaignResults():
            results = await campaigns.results(request.session, campaign)
            request.reply(
                request.render(
                    "campaign_results", code=campaign.code, target=target_label(request, campaign),
                    letters=results.letters, reached=results.people_reached, people=results.people_in_target,
                ),
            )  # fmt: skip
            if results.by_day:  # drawn after the commit, off the event loop: it takes a moment
                title = request.t._("Letters logged per day")
                request.then(send_chart, message_of(update), results.by_day, title)


async def send_chart(message: Message, by_day: list[tuple[date, int]], title: str) -> None:
    chart = await asyncio.to_thread(campaign_chart.letters_by_day, by_day, title)
    await message.reply_photo(chart, filename="campaign.png")


async def take_text(request: Request, message: Message) -> None:
    """A campaign's text in one language, asked for by CampaignText."""
    session = request.session
    locale, _, number = (request.supporter.pending_input or "").removeprefix(INPUT).partition(":")
    await supporters.set_pending(session, request.supporter, None)
    if not set(STAFF) & await request.roles():
        refuse(request, "campaign.take_text")
        return
    campaign = await campaigns.get(session, int(number)) if number.isdigit() else None
    if campaign is None or locale not in NATIVE_NAMES:
        request.reply(request.render("broadcast_discarded"))
        return
    text = broadcast_message.checked_text(request, message)
    if text is None:  # refused: the next text is tried again
        await supporters.set_pending(session, request.supporter, f"{INPUT}{locale}:{campaign.id}")
        return
    setattr(campaign, f"text_{locale}", text)
    session.add(campaign)
    request.reply(request.t._("Saved."))
