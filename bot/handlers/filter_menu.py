"""The filters of /suggest as the supporter sees them: the ones in force as removable chips, "clear all",
the choices to add (facilities with their town, a page at a time), and the way back to the card.

What a filter is and how it is stored is bot/rules/filters.py; what it selects, bot/services/suggestions.py.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.handlers import buttons, cards
from bot.handlers.common import Request
from bot.rules import filters, names
from bot.services import suggestions, supporters

FACILITIES_PAGE = 10  # facilities on one page
INTERESTS_ROW = 3  # interests offered side by side
CHIPS_ROW = 2


def chosen(request: Request) -> tuple[filters.Filter, ...]:
    return filters.parse(request.supporter.suggest_filter)


async def show(request: Request, prisoner: int) -> None:
    """The filters screen; `prisoner` is the card it came from (0: none)."""
    labels = await _labels(request)
    request.show(request.render("filters", current=" · ".join(labels.values())), keyboard(request, labels, prisoner))


async def show_options(request: Request, kind: str, page: int, prisoner: int) -> None:
    labels = await _labels(request)
    request.show(
        request.render("filters", current=" · ".join(labels.values())),
        await _options(request, kind, page, prisoner),
    )


async def drop(request: Request, kind: str, prisoner: int) -> None:
    """Remove one filter (a chip's ✕) and show what is left."""
    await supporters.set_filter(
        request.session, request.supporter, filters.store(filters.without(chosen(request), kind))
    )
    request.answer(request.t._("Filter removed."))
    await show(request, prisoner)


async def offered(request: Request, one: filters.Filter) -> bool:
    """A facility or an interest must be one the bot offers now (a forged key is refused)."""
    if one.kind == "fac":
        return await suggestions.facility(request.session, one.value) is not None
    if one.kind == "int":
        return await suggestions.interest_named(request.session, one.value) is not None
    return True


async def no_one_keyboard(request: Request) -> InlineKeyboardMarkup | None:
    """When no one matches: the filters in force, to remove one or all, or choose others."""
    return keyboard(request, await _labels(request), 0) if chosen(request) else None


def keyboard(request: Request, labels: dict[filters.Filter, str], prisoner: int) -> InlineKeyboardMarkup:
    t = request.t
    kinds = {one.kind for one in labels}

    def mark(label: str, *on: str) -> str:
        return "✓ " + label if kinds & set(on) else label

    def add(label: str, kind: buttons.FilterKind, value: str | None = None) -> InlineKeyboardButton:
        active = any(one.kind == kind and one.value == (value or "") for one in labels)
        return buttons.make("✓ " + label if active else label, buttons.SetFilter(kind, value))

    def options(label: str, kind: buttons.OptionsKind) -> InlineKeyboardButton:
        return buttons.make(mark(label, kind), buttons.FilterOptions(kind, 0, prisoner))

    chips = [buttons.make(f"✕ {label}", buttons.DropFilter(one.kind, prisoner)) for one, label in labels.items()]
    rows = [chips[i : i + CHIPS_ROW] for i in range(0, len(chips), CHIPS_ROW)]
    if chips:
        rows.append([buttons.make(t._("Clear all filters"), buttons.SetFilter("none"))])
    rows += [
        [add(t._("Birthdays soon"), "bday"), options(t._("Month of birth"), "month")],
        [options(t._("Facility"), "fac"), options(t._("Interest"), "int")],
        [add(t._("Women"), "gender", "female"), add(t._("Men"), "gender", "male")],
    ]
    last = [buttons.make(t._("Find someone to write to"), buttons.NextPerson())]
    if prisoner:
        last.insert(0, buttons.make(t._("Back to the card"), buttons.ShowCard(prisoner)))
    rows.append(last)
    return InlineKeyboardMarkup(rows)


def facility_label(request: Request, facility: suggestions.Facility) -> str:
    """The facility's name in the reader's language, with its town unless the name says it already."""
    name, town = (
        (facility.name_be, facility.town_be) if request.locale == "be" else (facility.name_ru, facility.town_ru)
    )
    return f"{name} ({town})" if town and names.fold(town) not in names.fold(name) else name


async def _options(request: Request, kind: str, page: int, prisoner: int) -> InlineKeyboardMarkup:
    t = request.t
    rows: list[list[InlineKeyboardButton]] = []
    current = {(one.kind, one.value) for one in chosen(request)}

    def add(label: str, kind: buttons.FilterKind, value: str) -> InlineKeyboardButton:
        return buttons.make(("✓ " if (kind, value) in current else "") + label, buttons.SetFilter(kind, value))

    if kind == "month":
        months = [add(t.month(month), "month", str(month)) for month in filters.MONTHS]
        rows = [months[i : i + 3] for i in range(0, 12, 3)]
    elif kind == "fac":
        labelled = [(facility_label(request, found), found) for found in await suggestions.facilities(request.session)]
        labelled.sort(key=lambda pair: (filters.natural(pair[0]), pair[1].key))
        pages = max(1, -(-len(labelled) // FACILITIES_PAGE))
        page = min(page, pages - 1)
        shown = labelled[page * FACILITIES_PAGE : (page + 1) * FACILITIES_PAGE]
        rows = [[add(label, "fac", found.key)] for label, found in shown]
        turn = []
        if page > 0:
            turn.append(buttons.make("◀", buttons.FilterOptions("fac", page - 1, prisoner)))
        if page < pages - 1:
            turn.append(buttons.make("▶", buttons.FilterOptions("fac", page + 1, prisoner)))
        if turn:
            rows.append(turn)
    elif kind == "int":
        choices = [
            add(cards.interest_label(request, interest), "int", filters.key(interest))
            for interest in await suggestions.interests(request.session)
        ]
        rows = [choices[i : i + INTERESTS_ROW] for i in range(0, len(choices), INTERESTS_ROW)]
    rows.append([buttons.make(t._("Back"), buttons.FilterMenu(prisoner))])
    return InlineKeyboardMarkup(rows)


async def _labels(request: Request) -> dict[filters.Filter, str]:
    """Each filter in force with its label; one no longer offered (a facility emptied) keeps its kind's name."""
    t = request.t
    labels = {}
    for one in chosen(request):
        if one.kind == "bday":
            labels[one] = t._("Birthdays soon")
        elif one.month is not None:
            labels[one] = t.month(one.month)
        elif one.kind == "gender":
            labels[one] = t._("Women") if one.value == "female" else t._("Men")
        elif one.kind == "int":
            interest = await suggestions.interest_named(request.session, one.value)
            labels[one] = cards.interest_label(request, interest) if interest else t._("Interest")
        else:
            facility = await suggestions.facility(request.session, one.value)
            labels[one] = facility_label(request, facility) if facility else t._("Facility")
    return labels
