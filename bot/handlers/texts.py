"""Letter and postcard texts for a prisoner: the occasion, the language, variants, an English gloss."""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.handlers import buttons
from bot.handlers.common import AppContext, Request, handler
from bot.models import LetterKind
from bot.rules.occasions import Occasion
from bot.services import letter_texts, letters, suggestions

BUTTONS = (buttons.LetterText, buttons.OccasionMenu)


@handler()
async def show(update: Update, context: AppContext, request: Request) -> None:
    query = update.callback_query
    assert query is not None
    pressed = buttons.read(query.data, *BUTTONS)
    prisoner = await suggestions.get(request.session, pressed.prisoner) if pressed is not None else None
    if pressed is None or prisoner is None or not suggestions.is_writable(prisoner):
        request.stale()
        return
    offered = letter_texts.offered_occasions(prisoner.gender)
    if isinstance(pressed, buttons.LetterText) and pressed.occasion is not None and pressed.occasion not in offered:
        request.stale()  # 8 March for a man: never offered, so forged
        return
    request.answer()
    # The language chosen here is for this text only: the envelope's follows the choice on the card.
    if isinstance(pressed, buttons.OccasionMenu):
        request.show(request.render("occasions"), _occasion_menu(request, pressed, offered))
        return
    kind, language = pressed.kind, pressed.language
    occasion = pressed.occasion or letter_texts.default_occasion(
        birth_month=prisoner.birth_month, birth_day=prisoner.birth_day, gender=prisoner.gender,
        today=request.deps.today(),
        written_before=await letters.written_to(request.session, request.supporter.id or 0, prisoner.id or 0),
    )  # fmt: skip
    library = request.deps.library
    name = prisoner.name_be if language == "be" else prisoner.name_ru
    text = library.render(occasion, kind, pressed.variant, language, name=name, gender=prisoner.gender)
    gloss = (
        library.render(occasion, kind, text.variant, "en", name=prisoner.name_en or prisoner.name_ru,
                       gender=prisoner.gender).body
        if request.locale == "en" else None
    )  # fmt: skip
    request.show(
        request.render("letter_text", body=text.body, gloss=gloss, kind=kind.value,
                       occasion_label=occasion_label(request, occasion), occasion=occasion.value,
                       language=language, variants=library.count(occasion, kind), variant=text.variant),
        _keyboard(request, buttons.LetterText(pressed.prisoner, occasion, kind, language, text.variant)),
    )  # fmt: skip


def _keyboard(request: Request, shown: buttons.LetterText) -> InlineKeyboardMarkup:
    t = request.t
    other_language: Literal["ru", "be"] = "ru" if shown.language == "be" else "be"
    other_kind = LetterKind.POSTCARD if shown.kind == LetterKind.LETTER else LetterKind.LETTER
    pid = shown.prisoner

    def text(label: str, **change: Any) -> InlineKeyboardButton:
        return buttons.make(label, dataclasses.replace(shown, **change))

    finish = (  # the shown text is always for a known occasion
        [buttons.make(t._("Finish with my name"),
                      buttons.FinishAsk(pid, shown.occasion, shown.kind, shown.language, shown.variant))]
        if shown.occasion is not None else []
    )  # fmt: skip

    return InlineKeyboardMarkup([
        [text(t._("Another variant"), variant=shown.variant % 99 + 1),
         text(t._("In Belarusian") if other_language == "be" else t._("In Russian"), language=other_language)],
        [text(t._("Postcard text") if other_kind == LetterKind.POSTCARD else t._("Letter text"),
              kind=other_kind, variant=1),
         buttons.make(t._("Other occasion"), buttons.OccasionMenu(pid, shown.kind, shown.language))],
        [buttons.make(t._("I sent it"), buttons.SentAsk(pid, shown.kind, shown.occasion)),
         buttons.make(t._("Back to the card"), buttons.ShowCard(pid))],
        [*finish, buttons.make(t._("Check my draft"), buttons.CheckLetter(*dataclasses.astuple(shown)))],
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


def _occasion_menu(request: Request, menu: buttons.OccasionMenu, offered: list[Occasion]) -> InlineKeyboardMarkup:
    choices = [
        buttons.make(occasion_label(request, o), buttons.LetterText(menu.prisoner, o, menu.kind, menu.language, 1))
        for o in offered
    ]
    back = [buttons.make(request.t._("Back to the card"), buttons.ShowCard(menu.prisoner))]
    return InlineKeyboardMarkup([*(choices[i : i + 2] for i in range(0, len(choices), 2)), back])
