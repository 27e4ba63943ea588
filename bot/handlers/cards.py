"""The prisoner card: what the supporter sees about one person, and its buttons."""

from __future__ import annotations

from typing import Any, Literal

import markupsafe
from telegram import InlineKeyboardMarkup

from bot.handlers import buttons
from bot.handlers.common import Request
from bot.models import LetterKind, Prisoner
from bot.rules import envelope, limits, names, occasions
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


BIO_MARKUP = len("<i></i>\n\n")  # what the template puts around the bio
BIO_ROOM = 500  # interests are cut only if they leave less than this for the bio
ENVELOPE_LINES, ENVELOPE_LINE = 8, 120  # an envelope's lines, and their length, beyond any real address


def letter_language(request: Request) -> Literal["ru", "be"]:
    """The language letters are written in: the user's choice, else be for a be interface, else ru."""
    chosen = request.supporter.letter_language
    if chosen == "ru" or (chosen != "be" and request.locale != "be"):
        return "ru"
    return "be"


name_for = names.name_for  # its home is bot/rules/names.py (the import's dry run names people by it too)


def display_name(prisoner: Prisoner, locale: str) -> str:
    return name_for(locale, prisoner.name_be, prisoner.name_ru, prisoner.name_en)


def envelope_lines(prisoner: Prisoner, language: str) -> list[str]:
    name = prisoner.name_be if language == "be" else prisoner.name_ru
    institution = (prisoner.institution_be if language == "be" else prisoner.institution_ru) or ""
    address = (prisoner.address_be if language == "be" else prisoner.address_ru) or ""
    return envelope.envelope(name, institution, address)


def context(request: Request, pick: suggestions.Pick) -> dict[str, Any]:
    prisoner = pick.prisoner
    today = request.deps.today()
    birthday = occasions.next_birthday(prisoner.birth_month, prisoner.birth_day, today)
    language = letter_language(request)
    bio = {"be": prisoner.bio_be, "ru": prisoner.bio_ru, "en": prisoner.bio_en}[request.locale]
    name = display_name(prisoner, request.locale)
    on_envelope = prisoner.name_be if language == "be" else prisoner.name_ru
    facility = (prisoner.institution_be if request.locale == "be" else prisoner.institution_ru) or ""
    return {
        "name": name,
        "age": occasions.age_on(prisoner.birth_year, prisoner.birth_month, prisoner.birth_day, today),
        "birthday": birthday,
        "birthday_soon": pick.birthday,
        "facility": facility,
        # An English reader learns what ИК or СИЗО stands for, and which Cyrillic name the envelope carries.
        "facility_kind": envelope.facility_kind(facility) if request.locale == "en" else None,
        "envelope_name": on_envelope if on_envelope != name else None,
        "interests": [interest_label(request, part) for part in (prisoner.interests or "").split(";") if part.strip()],
        "bio": bio or prisoner.bio_ru or "",
        "envelope": envelope_lines(prisoner, language) if prisoner.in_custody and prisoner.address_ru else [],
        "letter_language": language,
        "recent": pick.recent,
        "status": prisoner.status,
        "in_custody": prisoner.in_custody,
        "can_write": prisoner.can_write,
        "writable": suggestions.is_writable(prisoner),
        "letters_blocked": prisoner.letters_blocked,
        "incommunicado": prisoner.incommunicado,
        "english_letters": request.locale == "en",
    }


def render(request: Request, pick: suggestions.Pick) -> str:
    """The card as a message that fits Telegram's limit: a long bio is shortened (ending in "…"), and
    a very long list of interests cut; the name and the notes are never cut, nor any real envelope."""
    values = context(request, pick)
    text = request.render("card", **values)
    if limits.utf16_len(text) <= limits.TEXT_LIMIT:
        return text
    bio, values["bio"] = values["bio"], ""
    while limits.utf16_len(request.render("card", **values)) > limits.TEXT_LIMIT - BIO_ROOM and values["interests"]:
        values["interests"] = values["interests"][: len(values["interests"]) // 2]
    if limits.utf16_len(request.render("card", **values)) > limits.TEXT_LIMIT - BIO_ROOM:
        # An address no envelope holds is a fault in the list: show what fits rather than nothing.
        values["envelope"] = [limits.shorten(line, ENVELOPE_LINE) for line in values["envelope"][:ENVELOPE_LINES]]
    room = limits.TEXT_LIMIT - limits.utf16_len(request.render("card", **values)) - BIO_MARKUP
    values["bio"] = limits.shorten(bio, room, measure=lambda part: limits.utf16_len(str(markupsafe.escape(part))))
    return request.render("card", **values)


def keyboard(request: Request, prisoner: Prisoner) -> InlineKeyboardMarkup:
    t, pid = request.t, prisoner.id or 0
    rows = []
    if suggestions.is_writable(prisoner):
        language = letter_language(request)
        letter, postcard = LetterKind.LETTER, LetterKind.POSTCARD
        rows.append([
            buttons.make(t._("Letter text"), buttons.LetterText(pid, None, letter, language, 1)),
            buttons.make(t._("Postcard text"), buttons.LetterText(pid, None, postcard, language, 1)),
        ])  # fmt: skip
        rows.append([
            buttons.make(t._("I sent a letter"), buttons.SentAsk(pid, letter, None)),
            buttons.make(t._("I sent a postcard"), buttons.SentAsk(pid, postcard, None)),
        ])  # fmt: skip
        # The language of the envelope and the texts is a choice the card shows, changed only here.
        other: Literal["ru", "be"] = "ru" if language == "be" else "be"
        label = t._("Envelope and texts in Belarusian") if other == "be" else t._("Envelope and texts in Russian")
        rows.append([buttons.make(label, buttons.CardLanguage(pid, other))])
    rows.append([
        buttons.make(t._("Another person"), buttons.NextPerson()),
        buttons.make(t._("Filters"), buttons.FilterMenu(pid)),
    ])  # fmt: skip
    return InlineKeyboardMarkup(rows)
