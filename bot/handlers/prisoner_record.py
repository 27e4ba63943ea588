"""A person's full record as an admin reads it (/prisoner), and a change to it as old → new: every
field in readable form, in the admin's language, with names and addresses as stored in be and ru."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import markupsafe
from telegram import InlineKeyboardMarkup

from bot.config import LOCALES
from bot.handlers import buttons
from bot.handlers.cards import INTEREST_LABELS, N_, display_name, interest_label
from bot.handlers.common import Request
from bot.importing import record
from bot.models import Prisoner, PrisonerEdit, PrisonerStatus
from bot.rules import limits
from bot.services import prisoner_edits

LABELS = {
    "source_id": N_("Id in the list"), "name_be": N_("Name (be)"), "name_ru": N_("Name (ru)"),
    "name_en": N_("Name (en)"), "gender": N_("Gender"), "birth": N_("Born"), "arrest_date": N_("Arrested"),
    "status": N_("Status"), "in_custody": N_("In custody"), "institution_be": N_("Facility (be)"),
    "institution_ru": N_("Facility (ru)"), "address_be": N_("Address (be)"), "address_ru": N_("Address (ru)"),
    "can_write": N_("Letters can be sent"), "letters_blocked": N_("Letters withheld"),
    "incommunicado": N_("Incommunicado"), "expected_release_date": N_("Release date"),
    "interests": N_("Interests"), "bio_be": N_("Bio (be)"), "bio_ru": N_("Bio (ru)"), "bio_en": N_("Bio (en)"),
    "source_updated_at": N_("Updated in the source list"), "updated_at": N_("Record last changed"),
}  # fmt: skip
STATUSES = {
    PrisonerStatus.ACTIVE.value: N_("political prisoner now"),
    PrisonerStatus.RELEASED.value: N_("released"),
    PrisonerStatus.FORMER.value: N_("former political prisoner"),
    PrisonerStatus.DECEASED.value: N_("died"),
}
GENDERS = {"male": N_("male"), "female": N_("female")}
RECORD_ROWS = (
    "source_id", "name_be", "name_ru", "name_en", "gender", "birth", "arrest_date", "status", "in_custody",
    "institution_be", "institution_ru", "address_be", "address_ru", "can_write", "letters_blocked",
    "incommunicado", "expected_release_date", "interests", "source_updated_at", "updated_at",
)  # fmt: skip
BIOS = ("bio_be", "bio_ru", "bio_en")
# What one value may take on the record, measured as its escaped HTML in UTF-16 units (as Telegram counts):
# the list's addresses and interests have no length limit, and a name may be all "&". Twenty rows with
# their labels fill at most about 3,100 of the 4,096; the bios share what is left, each at most BIO_SHOWN.
ROW_SHOWN = 250
BIO_SHOWN = 600
BIO_MARKUP = len("<b>:</b> <i></i>\n\n")  # around each bio, besides its label
CHANGE_SHOWN = 250  # of each value in old → new: a move changes four long ones, eight values in all


def value_text(request: Request, column: str, value: Any) -> str:
    """A stored value as an admin reads it: yes/no, a status in words, dates as YYYY-MM-DD, "—" for none."""
    t = request.t
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return t._("yes") if value else t._("no")
    if column == "status":
        return t._(STATUSES[value]) if value in STATUSES else str(value)
    if column == "gender":
        return t._(GENDERS[value]) if value in GENDERS else str(value)
    if column == "interests":
        return "; ".join(interest_label(request, part) for part in str(value).split(";") if part.strip())
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def label(request: Request, column: str) -> str:
    return request.t._(LABELS[column])


def interest_names(request: Request) -> list[str]:
    """The interests a card can show in the reader's language, as offered to an admin to type."""
    return sorted((request.t._(name) for name in INTEREST_LABELS.values()), key=str.casefold)


def interest_keys(request: Request, text: str) -> tuple[list[str], list[str]]:
    """The interests typed (;-separated), as the keys they are stored as, and the words that are none of
    them. Each is known by its key or its name in any of the bot's languages: a card translates only keys."""
    known = dict(zip(INTEREST_LABELS, INTEREST_LABELS, strict=True))
    for locale in LOCALES:
        t = request.deps.i18n.translator(locale)
        known |= {t._(name).casefold(): key for key, name in INTEREST_LABELS.items()}
    keys: list[str] = []
    unknown: list[str] = []
    for word in (part.strip() for part in text.split(";")):
        key = known.get(word.casefold())
        if key is not None and key not in keys:
            keys.append(key)
        elif key is None and word:
            unknown.append(word)
    return keys, unknown


def html_len(text: str) -> int:
    """The length a value takes in the message: its escaped HTML (what the template makes of it)."""
    return limits.utf16_len(str(markupsafe.escape(text)))


def shown(text: str, budget: int) -> str:
    return limits.shorten(text, budget, measure=html_len)


def render(request: Request, prisoner: Prisoner, note: str | None = None) -> str:
    """The record as one message that always fits: every value shortened to ROW_SHOWN, then the bios
    share the room that is left (each at most BIO_SHOWN), ending in "…" where cut."""
    birth = record.format_partial_date(prisoner.birth_year, prisoner.birth_month, prisoner.birth_day)
    values = {column: getattr(prisoner, column, None) for column in RECORD_ROWS} | {"birth": birth}
    rows = [
        (label(request, column), shown(value_text(request, column, values[column]), ROW_SHOWN))
        for column in RECORD_ROWS
    ]
    bios = [(label(request, column), text) for column in BIOS if (text := getattr(prisoner, column))]
    context = {"name": shown(display_name(prisoner, request.locale), ROW_SHOWN), "rows": rows, "note": note}
    room = limits.TEXT_LIMIT - limits.utf16_len(request.render("prisoner_record", **context, bios=[]))
    share = room // max(len(bios), 1)  # of each bio with its label
    while True:  # measured: should the template's spacing take more than reckoned, cut further
        cut = [(title, shown(bio, min(BIO_SHOWN, share - html_len(title) - BIO_MARKUP))) for title, bio in bios]
        text = request.render("prisoner_record", **context, bios=[(title, bio) for title, bio in cut if bio])
        if limits.utf16_len(text) <= limits.TEXT_LIMIT or share <= 0:
            return text
        share -= 50


def keyboard(request: Request, prisoner: Prisoner) -> InlineKeyboardMarkup:
    t, pid = request.t, prisoner.id or 0

    def change(text: str, kind: buttons.PrisonerChangeKind) -> Any:
        return buttons.make(text, buttons.PrisonerChange(pid, kind))

    rows = []
    if prisoner_edits.allowed("facility", prisoner):
        rows.append([change(t._("Moved"), "moved"), change(t._("Released"), "released"), change(t._("Died"), "died")])
    rows.append([
        change(t._("Letters no longer withheld") if prisoner.letters_blocked else t._("Letters withheld"), "blocked"),
        change(t._("No longer incommunicado") if prisoner.incommunicado else t._("Incommunicado"), "incommunicado"),
    ])  # fmt: skip
    rows.append([change(t._("Edit interests"), "interests"), change(t._("Edit bio"), "bio")])
    return InlineKeyboardMarkup(rows)


def render_edit(request: Request, prisoner: Prisoner, edit: PrisonerEdit, *, stale: bool = False) -> str:
    changed = [
        (
            label(request, change.column),
            shown(value_text(request, change.column, change.old), CHANGE_SHOWN),
            shown(value_text(request, change.column, change.new), CHANGE_SHOWN),
        )
        for change in prisoner_edits.changes(edit)
    ]
    name = shown(display_name(prisoner, request.locale), ROW_SHOWN)
    return request.render("prisoner_edit", name=name, source_id=prisoner.source_id, changes=changed, stale=stale)


def edit_keyboard(request: Request, edit: PrisonerEdit) -> InlineKeyboardMarkup:
    t, edit_id = request.t, edit.id or 0
    return InlineKeyboardMarkup([
        [
            buttons.make(t._("Confirm"), buttons.PrisonerConfirm(edit_id, "yes")),
            buttons.make(t._("Cancel"), buttons.PrisonerConfirm(edit_id, "no")),
        ]
    ])  # fmt: skip
