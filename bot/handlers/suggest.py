"""/suggest: whom to write to. A fair pick, "another", a search by name, and filters from buttons."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.handlers import buttons, cards, filter_menu
from bot.handlers.common import AppContext, Request, handler
from bot.rules import filters, limits
from bot.services import suggestions, supporters

BUTTONS = (
    buttons.NextPerson, buttons.ShowCard, buttons.CardLanguage, buttons.FilterMenu, buttons.FilterOptions,
    buttons.SetFilter, buttons.DropFilter,
)  # fmt: skip
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
        request.show(text, await filter_menu.no_one_keyboard(request))
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
        case buttons.CardLanguage(prisoner, language):
            await supporters.set_letter_language(request.session, request.supporter, language)
            await show_card(request, prisoner)
        case buttons.FilterMenu(prisoner):
            request.answer()
            await filter_menu.show(request, prisoner)
        case buttons.FilterOptions(kind, page, prisoner):
            request.answer()
            await filter_menu.show_options(request, kind, page, prisoner)
        case buttons.SetFilter(kind, value):
            await choose_filter(request, kind, value)
        case buttons.DropFilter(kind, prisoner):
            await filter_menu.drop(request, kind, prisoner)
        case _:
            request.stale()


async def choose_filter(request: Request, kind: str, value: str | None, *, alone: bool = False) -> None:
    """Add the filter a button stands for to the supporter's others (in place of one of its slot;
    refusing one the bot does not offer), or clear them all (`none`), and suggest under them. `alone`:
    it replaces the others (a reminder's "find a woman to write to" must find one)."""
    t = request.t
    if kind == "none":
        await supporters.set_filter(request.session, request.supporter, None)
        request.answer(t._("All filters removed."))
    else:
        chosen = filters.make(kind, value)
        if chosen is None or not await filter_menu.offered(request, chosen):
            request.stale()
            return
        combined = filters.adding([] if alone else filter_menu.chosen(request), chosen)
        await supporters.set_filter(request.session, request.supporter, filters.store(combined))
        request.answer(t._("Filter saved."))
    await next_person(request)
