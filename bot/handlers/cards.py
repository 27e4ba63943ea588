"""The prisoner card: what the supporter sees about one person, and its buttons."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.handlers.common import Request
from bot.models import Prisoner, PrisonerStatus
from bot.rules import envelope, occasions
from bot.services import suggestions


def N_(message: str) -> str:  # gettext's conventional name: marks a text for extraction
    return message


# Interests are stored as the import file gives them. These common ones, written in English as keys,
# are shown in the reader's language; anything else is shown as it was written.
INTEREST_LABELS = {
    "art": N_("art"), "books": N_("books"), "cats": N_("cats"), "chess": N_("chess"), "cooking": N_("cooking"),
    "dogs": N_("dogs"), "drawing": N_("drawing"), "films": N_("films"), "fishing": N_("fishing"),
    "football": N_("football"), "gardening": N_("gardening"), "hiking": N_("hiking"), "history": N_("history"),
    "languages": N_("languages"), "mathematics": N_("mathematics"), "music": N_("music"), "nature": N_("nature"),
    "philosophy": N_("philosophy"), "photography": N_("photography"), "poetry": N_("poetry"),
    "programming": N_("programming"), "science": N_("science"), "sport": N_("sport"), "theatre": N_("theatre"),
    "travel": N_("travel"),
}  # fmt: skip


def interest_label(request: Request, interest: str) -> str:
    key = interest.strip().lower()
    return request.t._(INTEREST_LABELS[key]) if key in INTEREST_LABELS else interest.strip()


def letter_language(request: Request) -> str:
    """The language letters are written in: the user's choice, else be for a be interface, else ru."""
    chosen = request.supporter.letter_language
    if chosen in ("ru", "be"):
        return chosen
    return "be" if request.locale == "be" else "ru"


def name_for(locale: str, name_be: str, name_ru: str, name_en: str | None) -> str:
    """The name in the interface language (English falls back to the Russian spelling)."""
    if locale == "be":
        return name_be
    if locale == "en" and name_en:
        return name_en
    return name_ru


def display_name(prisoner: Prisoner, locale: str) -> str:
    return name_for(locale, prisoner.name_be, prisoner.name_ru, prisoner.name_en)


def envelope_lines(prisoner: Prisoner, language: str) -> list[str]:
    name = prisoner.name_be if language == "be" else prisoner.name_ru
    institution = (prisoner.institution_be if language == "be" else prisoner.institution_ru) or ""
    address = (prisoner.address_be if language == "be" else prisoner.address_ru) or ""
    return envelope.envelope(name, institution, address)


def writable(prisoner: Prisoner) -> bool:
    return prisoner.status == PrisonerStatus.ACTIVE and prisoner.in_custody and prisoner.can_write


def context(request: Request, pick: suggestions.Pick) -> dict[str, Any]:
    prisoner = pick.prisoner
    today = request.deps.today()
    birthday = occasions.next_birthday(prisoner.birth_month, prisoner.birth_day, today)
    language = letter_language(request)
    bio = {"be": prisoner.bio_be, "ru": prisoner.bio_ru, "en": prisoner.bio_en}[request.locale]
    return {
        "name": display_name(prisoner, request.locale),
        "age": occasions.age_on(prisoner.birth_year, prisoner.birth_month, prisoner.birth_day, today),
        "birthday": birthday,
        "birthday_soon": pick.birthday,
        "facility": (prisoner.institution_be if request.locale == "be" else prisoner.institution_ru) or "",
        "interests": [interest_label(request, part) for part in (prisoner.interests or "").split(";") if part.strip()],
        "bio": bio or prisoner.bio_ru or "",
        "envelope": envelope_lines(prisoner, language) if prisoner.in_custody and prisoner.address_ru else [],
        "letter_language": language,
        "recent": pick.recent,
        "status": prisoner.status,
        "in_custody": prisoner.in_custody,
        "can_write": prisoner.can_write,
        "letters_blocked": prisoner.letters_blocked,
        "incommunicado": prisoner.incommunicado,
        "english_letters": request.locale == "en",
    }


def keyboard(request: Request, prisoner: Prisoner) -> InlineKeyboardMarkup:
    t, pid = request.t, prisoner.id
    rows = []
    if writable(prisoner):
        language = letter_language(request)
        rows.append([
            InlineKeyboardButton(t._("Letter text"), callback_data=f"tpl:{pid}:auto:letter:{language}:1"),
            InlineKeyboardButton(t._("Postcard text"), callback_data=f"tpl:{pid}:auto:postcard:{language}:1"),
        ])  # fmt: skip
        rows.append([
            InlineKeyboardButton(t._("I sent a letter"), callback_data=f"sent:{pid}:letter:-"),
            InlineKeyboardButton(t._("I sent a postcard"), callback_data=f"sent:{pid}:postcard:-"),
        ])  # fmt: skip
    rows.append([
        InlineKeyboardButton(t._("Another person"), callback_data="sug:next"),
        InlineKeyboardButton(t._("Filters"), callback_data="flt:menu"),
    ])  # fmt: skip
    return InlineKeyboardMarkup(rows)
