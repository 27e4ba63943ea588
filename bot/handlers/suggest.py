"""/suggest: whom to write to. A fair pick, "another", a search by name, and filters from buttons."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.handlers import buttons, cards
from bot.handlers.common import AppContext, Request, handler
from bot.rules import filters, limits
from bot.services import suggestions, supporters

BUTTONS = (buttons.NextPerson, buttons.ShowCard, buttons.FilterMenu, buttons.FilterOptions, buttons.SetFilter)
FACILITIES_PAGE = 10  # facilities on one page of the filter
SHOWN_QUERY = 100  # UTF-16 units of a search repeated back in "no one found for …"


@handler()
async def suggest(update: Update, context: AppContext, request: Request) -> None:
    query = " ".join(context.args or []).strip()
    if query:
        await search(request, query)
    else:
        await next_person(request)


async def next_person(request: Request) -> None:
    deps = request.deps
    pick = await suggestions.suggest(
        request.session, supporter=request.supporter, now=deps.clock(), today=deps.today(), rng=deps.rng
    )
    if pick is None:
        text = request.render("suggest_none", filtered=bool(request.supporter.suggest_filter))
        request.show(text, _no_one_keyboard(request))
    else:
        request.show(cards.render(request, pick), cards.keyboard(request, pick.prisoner))


async def search(request: Request, query: str) -> None:
    found = await suggestions.search(request.session, query)
    if not found:
        request.reply(request.render("search_none", query=limits.shorten(query, SHOWN_QUERY)))
    elif len(found) == 1:
        await show_card(request, found[0].id or 0)
    else:
        rows = [[buttons.make(cards.display_name(p, request.locale), buttons.ShowCard(p.id or 0))] for p in found[:8]]
        request.reply(request.render("search_many", count=len(found), more=len(found) > 8), InlineKeyboardMarkup(rows))


async def show_card(request: Request, prisoner_id: int) -> None:
    deps = request.deps
    pick = await suggestions.card(request.session, prisoner_id, deps.today())
    if pick is None:
        request.stale()
        return
    await suggestions.hold_chosen(
        request.session, supporter=request.supporter, prisoner=pick.prisoner, now=deps.clock()
    )
    request.answer()
    request.show(cards.render(request, pick), cards.keyboard(request, pick.prisoner))


@handler()
async def button(update: Update, context: AppContext, request: Request) -> None:
    query = update.callback_query
    assert query is not None
    match buttons.read(query.data, *BUTTONS):
        case buttons.NextPerson():
            request.answer()
            await next_person(request)
        case buttons.ShowCard(prisoner):
            await show_card(request, prisoner)
        case buttons.FilterMenu():
            request.answer()
            request.show(request.render("filters", current=await _describe(request)), _filter_menu(request))
        case buttons.FilterOptions(kind, page):
            request.answer()
            request.show(
                request.render("filters", current=await _describe(request)), await _options(request, kind, page)
            )
        case buttons.SetFilter(kind, value):
            await choose_filter(request, kind, value)
        case _:
            request.stale()


async def choose_filter(request: Request, kind: str, value: str | None) -> None:
    """Save the filter a button stands for (refusing one the bot does not offer) and suggest under it."""
    chosen = None if kind == "none" else filters.make(kind, value)
    if kind != "none" and (chosen is None or not await _offered(request, chosen)):
        request.stale()
        return
    await supporters.set_filter(request.session, request.supporter, chosen.stored() if chosen else None)
    request.answer(request.t._("Filter saved.") if chosen else request.t._("Filter removed."))
    await next_person(request)


async def _offered(request: Request, chosen: filters.Filter) -> bool:
    """A facility or an interest must be one the bot offers now (a forged key is refused)."""
    if chosen.kind == "fac":
        return await suggestions.facility(request.session, chosen.value) is not None
    if chosen.kind == "int":
        return await suggestions.interest_named(request.session, chosen.value) is not None
    return True


def _set_button(label: str, kind: buttons.FilterKind, value: str | None = None) -> InlineKeyboardButton:
    return buttons.make(label, buttons.SetFilter(kind, value))


def _filter_menu(request: Request) -> InlineKeyboardMarkup:
    t = request.t

    def options(label: str, kind: buttons.OptionsKind) -> InlineKeyboardButton:
        return buttons.make(label, buttons.FilterOptions(kind, 0))

    return InlineKeyboardMarkup([
        [_set_button(t._("Birthdays soon"), "bday"), options(t._("Month of birth"), "month")],
        [options(t._("Facility"), "fac"), options(t._("Interest"), "int")],
        [_set_button(t._("Women"), "gender", "female"), _set_button(t._("Men"), "gender", "male")],
        [_set_button(t._("No filter"), "none")],
    ])  # fmt: skip


async def _options(request: Request, kind: str, page: int) -> InlineKeyboardMarkup:
    t = request.t
    rows: list[list[InlineKeyboardButton]] = []
    if kind == "month":
        months = [_set_button(t.month(month), "month", str(month)) for month in filters.MONTHS]
        rows = [months[i : i + 3] for i in range(0, 12, 3)]
    elif kind == "fac":
        found = await suggestions.facilities(request.session)
        pages = max(1, -(-len(found) // FACILITIES_PAGE))
        page = min(page, pages - 1)
        rows = [
            [_set_button(facility.name_be if request.locale == "be" else facility.name_ru, "fac", facility.key)]
            for facility in found[page * FACILITIES_PAGE : (page + 1) * FACILITIES_PAGE]
        ]
        turn = []
        if page > 0:
            turn.append(buttons.make("◀", buttons.FilterOptions("fac", page - 1)))
        if page < pages - 1:
            turn.append(buttons.make("▶", buttons.FilterOptions("fac", page + 1)))
        if turn:
            rows.append(turn)
    elif kind == "int":
        rows = [
            [_set_button(cards.interest_label(request, interest), "int", filters.key(interest))]
            for interest in await suggestions.interests(request.session)
        ]
    rows.append([buttons.make(t._("Back"), buttons.FilterMenu())])
    return InlineKeyboardMarkup(rows)


async def _describe(request: Request) -> str:
    chosen = filters.parse(request.supporter.suggest_filter)
    t = request.t
    if chosen is None:
        return ""
    if chosen.kind == "bday":
        return t._("Birthdays soon")
    if chosen.month is not None:
        return t.month(chosen.month)
    if chosen.kind == "gender":
        return t._("Women") if chosen.value == "female" else t._("Men")
    if chosen.kind == "int":
        return cards.interest_label(request, await suggestions.interest_named(request.session, chosen.value) or "")
    facility = await suggestions.facility(request.session, chosen.value)
    if facility is None:
        return ""
    return facility.name_be if request.locale == "be" else facility.name_ru


def _no_one_keyboard(request: Request) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_set_button(request.t._("No filter"), "none")]])
