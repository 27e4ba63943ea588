"""/suggest: whom to write to. A fair pick, "another", a search by name, and filters from buttons."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.handlers import cards
from bot.handlers.common import AppContext, Request, handler, number
from bot.models import Gender
from bot.services import suggestions, supporters

CALLBACK_PATTERN = r"^(sug|flt):"
MONTHS = range(1, 13)


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
        request.show(request.render("card", **cards.context(request, pick)), cards.keyboard(request, pick.prisoner))


async def search(request: Request, query: str) -> None:
    found = await suggestions.search(request.session, query)
    if not found:
        request.reply(request.render("search_none", query=query))
    elif len(found) == 1:
        await show_card(request, found[0].id or 0)
    else:
        rows = [
            [InlineKeyboardButton(cards.display_name(p, request.locale), callback_data=f"sug:pick:{p.id}")]
            for p in found[:8]
        ]
        request.reply(request.render("search_many", count=len(found), more=len(found) > 8), InlineKeyboardMarkup(rows))


async def show_card(request: Request, prisoner_id: int) -> None:
    deps = request.deps
    pick = await suggestions.card(request.session, prisoner_id, deps.today())
    if pick is None:
        request.stale()
        return
    await suggestions.hold_chosen(
        request.session, supporter=request.supporter, prisoner=pick.prisoner, now=deps.clock(), today=deps.today()
    )
    request.answer()
    request.show(request.render("card", **cards.context(request, pick)), cards.keyboard(request, pick.prisoner))


@handler()
async def button(update: Update, context: AppContext, request: Request) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    parts = query.data.split(":")
    prisoner_id = number(parts[2]) if parts[:2] in (["sug", "pick"], ["sug", "card"]) and len(parts) == 3 else None
    if parts == ["sug", "next"]:
        request.answer()
        await next_person(request)
    elif prisoner_id is not None:
        await show_card(request, prisoner_id)
    elif parts[0] == "flt":
        await filters(request, parts[1:])
    else:
        request.stale()


async def filters(request: Request, parts: list[str]) -> None:
    """flt:menu, flt:none, flt:bday, flt:month[:M], flt:gender[:G], flt:fac[:hash], flt:int[:hash]."""
    t = request.t
    kind, argument = [*parts, "", ""][:2]
    if kind == "menu":
        request.answer()
        request.show(request.render("filters", current=_describe(request)), _filter_menu(request))
        return
    if kind in ("month", "gender", "fac", "int") and not argument:
        request.answer()
        request.show(request.render("filters", current=_describe(request)), await _options(request, kind))
        return
    value = await _resolve(request, kind, argument)
    if value is None and kind != "none":
        request.stale()
        return
    await supporters.set_filter(request.session, request.supporter, value)
    request.answer(t._("Filter saved.") if value else t._("Filter removed."))
    await next_person(request)


async def _resolve(request: Request, kind: str, argument: str) -> str | None:
    """The filter value a pressed button stands for; None for anything not offered (forged)."""
    if kind == "bday":
        return "bday"
    month = number(argument, maximum=max(MONTHS))
    if kind == "month" and month is not None and month in MONTHS:
        return f"month:{month}"
    if kind == "gender" and argument in (Gender.FEMALE.value, Gender.MALE.value):
        return f"gender:{argument}"
    if kind == "fac":
        for ru, _be in await suggestions.facilities(request.session):
            if suggestions.short_hash(ru) == argument:
                return f"fac:{ru}"
    if kind == "int":
        for interest in await suggestions.interests(request.session):
            if suggestions.short_hash(interest) == argument:
                return f"int:{interest}"
    return None


def _filter_menu(request: Request) -> InlineKeyboardMarkup:
    t = request.t
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(t._("Birthdays soon"), callback_data="flt:bday"),
         InlineKeyboardButton(t._("Month of birth"), callback_data="flt:month")],
        [InlineKeyboardButton(t._("Facility"), callback_data="flt:fac"),
         InlineKeyboardButton(t._("Interest"), callback_data="flt:int")],
        [InlineKeyboardButton(t._("Women"), callback_data="flt:gender:female"),
         InlineKeyboardButton(t._("Men"), callback_data="flt:gender:male")],
        [InlineKeyboardButton(t._("No filter"), callback_data="flt:none")],
    ])  # fmt: skip


async def _options(request: Request, kind: str) -> InlineKeyboardMarkup:
    t = request.t
    if kind == "month":
        buttons = [InlineKeyboardButton(t.month(month), callback_data=f"flt:month:{month}") for month in MONTHS]
        rows = [buttons[i : i + 3] for i in range(0, 12, 3)]
    elif kind == "fac":
        rows = [
            [InlineKeyboardButton(be if request.locale == "be" and be else ru,
                                  callback_data=f"flt:fac:{suggestions.short_hash(ru)}")]
            for ru, be in (await suggestions.facilities(request.session))[:20]
        ]  # fmt: skip
    elif kind == "int":
        rows = [
            [
                InlineKeyboardButton(
                    cards.interest_label(request, interest), callback_data=f"flt:int:{suggestions.short_hash(interest)}"
                )
            ]
            for interest in await suggestions.interests(request.session)
        ]
    else:
        rows = []
    rows.append([InlineKeyboardButton(t._("Back"), callback_data="flt:menu")])
    return InlineKeyboardMarkup(rows)


def _describe(request: Request) -> str:
    value = request.supporter.suggest_filter or ""
    kind, _, argument = value.partition(":")
    t = request.t
    if kind == "bday":
        return t._("Birthdays soon")
    month = number(argument, maximum=max(MONTHS))
    if kind == "month" and month is not None and month in MONTHS:
        return t.month(month)
    if kind == "gender":
        return t._("Women") if argument == Gender.FEMALE.value else t._("Men")
    if kind == "int":
        return cards.interest_label(request, argument)
    if kind == "fac":
        return argument
    return ""


def _no_one_keyboard(request: Request) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(request.t._("No filter"), callback_data="flt:none")]])
