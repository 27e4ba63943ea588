"""Letter and postcard texts for a prisoner: the occasion, the language, variants, an English gloss."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.handlers import cards
from bot.handlers.common import AppContext, Request, handler, number
from bot.models import LetterKind
from bot.rules.occasions import Occasion
from bot.services import letter_texts, letters, suggestions, supporters

CALLBACK_PATTERN = r"^tpl:"


@handler()
async def show(update: Update, context: AppContext, request: Request) -> None:
    """tpl:<prisoner>:<occasion|auto|menu>:<kind>:<lang>:<variant>"""
    query = update.callback_query
    assert query is not None and query.data is not None
    parts = query.data.split(":")
    prisoner = None
    prisoner_id = number(parts[1]) if len(parts) == 6 else None
    if prisoner_id is not None:
        prisoner = await suggestions.get(request.session, prisoner_id)
    valid = (
        prisoner is not None and cards.writable(prisoner) and parts[3] in ("letter", "postcard")
        and parts[4] in letter_texts.LETTER_LANGUAGES and number(parts[5]) is not None
        and (parts[2] in ("auto", "menu") or parts[2] in {o.value for o in Occasion})
    )  # fmt: skip
    if not valid or prisoner is None:
        request.stale()
        return
    request.answer()
    kind, language, variant = LetterKind(parts[3]), parts[4], int(parts[5])
    if language != request.supporter.letter_language:
        await supporters.set_letter_language(request.session, request.supporter, language)
    if parts[2] == "menu":
        request.show(request.render("occasions"), _occasion_menu(request, prisoner.id or 0, kind, language))
        return
    occasion = (
        letter_texts.default_occasion(
            birth_month=prisoner.birth_month, birth_day=prisoner.birth_day, gender=prisoner.gender,
            today=request.deps.today(),
            written_before=await letters.written_to(request.session, request.supporter.id or 0, prisoner.id or 0),
        )
        if parts[2] == "auto" else Occasion(parts[2])
    )  # fmt: skip
    library = request.deps.library
    name = prisoner.name_be if language == "be" else prisoner.name_ru
    text = library.render(occasion, kind, variant, language, name=name, gender=prisoner.gender)
    gloss = (
        library.render(occasion, kind, text.variant, "en", name=prisoner.name_en or prisoner.name_ru,
                       gender=prisoner.gender).body
        if request.locale == "en" else None
    )  # fmt: skip
    request.show(
        request.render("letter_text", body=text.body, gloss=gloss, kind=kind.value,
                       occasion_label=occasion_label(request, occasion),
                       language=language, variants=library.count(occasion, kind), variant=text.variant),
        _keyboard(request, prisoner.id or 0, occasion, kind, language, text.variant),
    )  # fmt: skip


def _keyboard(
    request: Request, pid: int, occasion: Occasion, kind: LetterKind, language: str, variant: int
) -> InlineKeyboardMarkup:
    t = request.t
    other_language = "ru" if language == "be" else "be"
    other_kind = LetterKind.POSTCARD if kind == LetterKind.LETTER else LetterKind.LETTER
    base = f"tpl:{pid}:{occasion.value}"
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(t._("Another variant"), callback_data=f"{base}:{kind.value}:{language}:{variant + 1}"),
         InlineKeyboardButton(t._("In Belarusian") if other_language == "be" else t._("In Russian"),
                              callback_data=f"{base}:{kind.value}:{other_language}:{variant}")],
        [InlineKeyboardButton(t._("Postcard text") if other_kind == LetterKind.POSTCARD else t._("Letter text"),
                              callback_data=f"{base}:{other_kind.value}:{language}:1"),
         InlineKeyboardButton(t._("Other occasion"), callback_data=f"tpl:{pid}:menu:{kind.value}:{language}:1")],
        [InlineKeyboardButton(t._("I sent it"), callback_data=f"sent:{pid}:{kind.value}:{occasion.value}"),
         InlineKeyboardButton(t._("Back to the card"), callback_data=f"sug:card:{pid}")],
        [InlineKeyboardButton(t._("Check my draft"), callback_data="chk:ask")],
    ])  # fmt: skip


def occasion_label(request: Request, occasion: Occasion) -> str:
    t = request.t
    return {
        Occasion.GENERAL: t._("A letter for any day"),
        Occasion.FIRST: t._("A first letter"),
        Occasion.BIRTHDAY: t._("Birthday"),
        Occasion.NEW_YEAR: t._("New Year"),
        Occasion.CHRISTMAS_WESTERN: t._("Christmas (25 December)"),
        Occasion.CHRISTMAS_ORTHODOX: t._("Christmas (7 January)"),
        Occasion.EASTER_WESTERN: t._("Easter (Catholic)"),
        Occasion.EASTER_ORTHODOX: t._("Easter (Orthodox)"),
        Occasion.SOLIDARITY_DAY: t._("21 May"),
        Occasion.WOMENS_DAY: t._("8 March"),
    }[occasion]


def _occasion_menu(request: Request, pid: int, kind: LetterKind, language: str) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(occasion_label(request, o), callback_data=f"tpl:{pid}:{o.value}:{kind.value}:{language}:1")
        for o in Occasion
    ]
    return InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])
