"""Locales: every message translated in be and ru, each catalog really loaded, every template rendering."""

from __future__ import annotations

import re
from datetime import date

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from babel.support import Translations

from bot import LOCALES_DIR, PROJECT_ROOT, TEMPLATES_DIR, privacy
from bot.config import LOCALES
from bot.i18n import NATIVE_NAMES, I18n, parse_locale, resolve_locale
from bot.models import LetterKind
from bot.rules import audiences, telegram_html
from bot.rules.occasions import Occasion
from bot.rules.word_lists import TOPICS
from bot.sandbox.formatting import parse_html, utf16_len
from bot.services.letter_texts import Library
from bot.services.prisoners import Counts

METHOD_MAP = [("bot/**.py", "python"), ("templates/**.j2", "jinja2")]
OPTIONS = {"templates/**.j2": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}


def source_messages() -> set[str]:
    found = set()
    for _filename, _line, message, _comments, _context in extract_from_dir(str(PROJECT_ROOT), METHOD_MAP, OPTIONS):
        found.add(message if isinstance(message, str) else message[0])
    return found


def catalog(locale: str) -> dict[str, object]:
    with (LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        po = read_po(handle, locale=locale)
    return {(m.id if isinstance(m.id, str) else m.id[0]): m for m in po if m.id}


def test_sources_have_messages() -> None:
    assert len(source_messages()) > 30


@pytest.mark.parametrize("locale", ["be", "ru"])
def test_every_message_is_translated(locale: str) -> None:
    messages = catalog(locale)
    missing = []
    for msgid in sorted(source_messages()):
        entry = messages.get(msgid)
        strings = entry.string if entry is not None else ""  # type: ignore[attr-defined]
        done = all(strings) if isinstance(strings, tuple) else bool(strings)
        if entry is None or not done or entry.fuzzy:  # type: ignore[attr-defined]
            missing.append(msgid)
    assert not missing, f"{locale}: run `make extract` and translate: {missing}"


def test_plural_forms_are_three_in_be_and_ru() -> None:
    for locale in ("be", "ru"):
        with (LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
            assert read_po(handle, locale=locale).num_plurals == 3


@pytest.mark.parametrize("locale", ["be", "ru"])
def test_each_locale_loads_its_own_compiled_catalog(locale: str) -> None:
    assert (LOCALES_DIR / locale / "LC_MESSAGES" / "messages.mo").exists(), "run `make catalogs`"
    translations = Translations.load(str(LOCALES_DIR), [locale], domain="messages")
    assert isinstance(translations, Translations)
    assert translations.gettext("Change the language") != "Change the language"


ALLOWED_LATIN = {
    "CSV", "JSON", "UTF", "Excel", "LibreOffice",  # file formats and programs, as the admin sees them named
    "Telegram", "id", "username", "letterbot", "prisoners", "import", "English", "REPUBLIC", "OF", "BELARUS", "Hello",
    "Text", "Bio", "music", "books", "March", "x", "PDF", "Stars", "HTML", "be", "ru", "en",
}  # fmt: skip
QUOTES_TELEGRAM = {
    "broadcast_refused", "campaign", "campaign_usage", "campaigns",  # Telegram's words, tags, links, arguments
    "roles", "roles_usage", "audit",  # a command's arguments (admin, coordinator), the audit's action names
}  # fmt: skip
CARD = {
    "name": "Мария", "age": 44, "birthday": date(2026, 4, 24), "birthday_soon": date(2026, 4, 24),
    "facility": "ИК №4", "interests": ["music", "books"], "bio": "Bio",
    "envelope": ["Мария", "ИК №4", "REPUBLIC OF BELARUS"],
    "letter_language": "ru", "recent": 2, "status": "active", "in_custody": True, "can_write": True,
    "letters_blocked": True, "incommunicado": True, "english_letters": True, "writable": True,
    "facility_kind": "colony", "envelope_name": "Мария",
}  # fmt: skip
REPORT = {
    "topics": {t: ["x"] for t in TOPICS},
    "latin": ["Hello"],
    "earlier_latin": False,
    "abbreviations": [],
    "earlier_abbreviations": True,
    "too_long": True,
    "length": 3000,
    "parts": 2,
    "limit": 2500,
    "clean": False,
}
ENTRY = {"day": date(2026, 3, 1), "kind": "postcard", "reply": True, "name": "Мария"}
IMPORT_REPORT = {
    "applied": False,
    "changed": False,
    "closed": False,
    "replaced": None,
    "report_file": None,
    "files": [{"name": "спіс", "language": "ru", "rows": 3}, {"name": "спіс", "language": None, "rows": 1}],
    "counts": Counts(new=1, updated=2, unchanged=3, skipped=1),
    "groups": [
        {"kind": kind, "count": 12, "names": ["Мария (1)"], "more": 11}
        for kind in ("released", "rearrested", "transferred", "died", "corrected", "new", "address")
    ],
    "errors": ["спіс: 2"],
    "errors_count": 2,
    "errors_more": 1,
    "skipped": ["спіс: 3"],
    "skipped_count": 2,
    "skipped_more": 1,
}
CONTEXTS: dict[str, list[dict[str, object]]] = {
    "start": [{"language": "English"}],
    "language": [{"language": "English"}],
    "language_saved": [{"language": "English"}],
    "help": [
        {"is_admin": True, "is_coordinator": True, "commands": [("grant", "Даць ролю"), ("audit", "Журнал")]},
        {"is_admin": False, "is_coordinator": True, "commands": [("broadcast", "Рассылка")]},
        {"is_admin": False, "is_coordinator": False, "commands": []},
    ],
    "role_granted": [
        {"is_admin": True, "commands": [("grant", "Даць ролю")]},
        {"is_admin": False, "commands": [("broadcast", "Рассылка")]},
    ],
    "roles_usage": [{"command": "grant"}, {"command": "revoke"}],
    "roles": [
        {
            "env_admins": [900],
            "rows": [
                {"id": 5, "role": "адмін", "by": 900, "at": date(2026, 3, 1)},
                {"id": 6, "role": "адмін", "by": None, "at": date(2026, 3, 1)},
            ],
        },
        {"env_admins": [], "rows": []},
    ],
    "audit": [
        {
            "rows": [
                {"when": "1 сак 2026 10:00", "actor": 900, "action": "role.grant.admin", "subject": 5, "detail": "<x>"},
                {"when": "1", "actor": None, "action": "import", "subject": None, "detail": ""},
            ],
            "first": True,
            "last": True,
            "days": 7,
            "refused": [("grant", 3), ("stats.command", 1)],
            "refused_total": 4,
        },
        {"rows": [], "first": True, "last": True, "days": 7, "refused": [], "refused_total": 0},
    ],
    "card": [
        CARD,
        {**CARD, "birthday_soon": None, "recent": 0, "status": "released"},
        {**CARD, "birthday_soon": None, "recent": 3, "age": None, "birthday": None, "status": "deceased"},
        {**CARD, "in_custody": False, "facility_kind": "pretrial", "letter_language": "be"},
        {**CARD, "can_write": False, "facility_kind": "prison", "envelope_name": None},
        {**CARD, "facility_kind": "settlement"},
    ],
    "suggest_none": [{"filtered": True}, {"filtered": False}],
    "search_none": [{"query": "<x>"}],
    "search_many": [{"count": 3, "more": False}, {"count": 9, "more": True}],
    "filters": [{"current": "March"}, {"current": ""}],
    "letter_text": [
        {
            "body": "Текст",
            "gloss": "Text",
            "kind": "letter",
            "occasion_label": "Новы год",
            "occasion": "may21",
            "language": "be",
            "variants": 2,
            "variant": 1,
        },
        {
            "body": "Текст",
            "gloss": None,
            "kind": "postcard",
            "occasion_label": "Новы год",
            "occasion": "new_year",
            "language": "ru",
            "variants": 2,
            "variant": 2,
        },
    ],
    "sent_when": [{"kind": "letter"}, {"kind": "postcard"}],
    "sent_done": [
        {"kind": "letter", "name": "Мария", "day": date(2026, 3, 1), "letters": 1, "postcards": 5},
        {"kind": "postcard", "name": "Мария", "day": date(2026, 3, 1), "letters": 22, "postcards": 0},
    ],
    "letters": [
        {
            "entries": [ENTRY, {**ENTRY, "kind": "letter", "reply": False}],
            "letters": 1,
            "postcards": 1,
            "page": 1,
            "pages": 1,
            "waiting": True,
        },
        {"entries": [ENTRY], "letters": 14, "postcards": 7, "page": 2, "pages": 3, "waiting": False},
        {"entries": [], "letters": 0, "postcards": 0, "page": 1, "pages": 1, "waiting": False},
        {"entries": [], "letters": 0, "postcards": 0, "page": 1, "pages": 1, "waiting": True},
    ],
    "letter_delete": [
        {"day": date(2026, 3, 1), "kind": "letter", "name": "Мария"},
        {"day": date(2026, 3, 1), "kind": "postcard", "name": "Мария"},
    ],
    "check_report": [REPORT, {**REPORT, "clean": True}],
    "finish_ask": [{"invalid": False}, {"invalid": True}],
    "finish_letter": [
        {"writer": "Джон", "body": "Текст", "gloss": "Text", "language": "be", "has_slots": True},
        {"writer": "Джон", "body": "Текст", "gloss": None, "language": "ru", "has_slots": False},
    ],
    "pace_saved": [{"pace": "monthly"}, {"pace": "fortnightly"}, {"pace": "occasions"}],
    "import_bad_file": [
        {"kind": kind, "name": "спіс", "detail": "1: 2"}  # the detail is the parser's (English) words
        for kind in ("too_big", "photo", "picture", "archive", "encoding", "empty", "download", "binary", "format")
    ],
    "import_report": [
        IMPORT_REPORT,
        {**IMPORT_REPORT, "applied": True},
        {**IMPORT_REPORT, "counts": None},
        {**IMPORT_REPORT, "changed": True, "closed": True, "replaced": "спіс", "report_file": "справаздача"},
    ],
    "import_ask": [{"closed": False}, {"closed": True}],
    "broadcast_ask": [
        {"what": what, "language": "беларуская"} for what in ("wrote", "wrote_unknown", "campaign", "text")
    ],
    "broadcast_draft": [
        {
            "audience": audiences.make(kind, value),
            "person": "Мария",
            "recipients": n,
            "texts": texts,
            "fallback": "English",
            "campaign": code,
            "language_names": NATIVE_NAMES,
        }
        for kind, value in (
            ("all", None),
            ("lang", "be"),
            ("pace", "monthly"),
            ("pace", "fortnightly"),
            ("pace", "occasions"),
            ("wrote", "12"),
        )
        for n, texts, code in ((1, {}, None), (12408, {"English": 40, "Русский": 3}, "abc23def"))
    ],
    "broadcast_confirm": [{"recipients": 12408, "paid": paid, "rate": 25} for paid in (True, False)]
    + [{"recipients": 0, "paid": False, "rate": 25}],
    "broadcast_progress": [
        {
            "number": 7,
            "status": status,
            "total": 12408,
            "sent": 9000,
            "blocked": 50,
            "failed": 2,
            "uncertain": 1,
            "dropped": dropped,
            "resent": 3,
            "remaining": 3355,
            "rate": 24.9,
            "minutes_left": 2,
        }
        for status in ("sending", "paused", "cancelled", "done")
        for dropped in (0, 4)
    ],
    "broadcast_cancel": [{"remaining": 1}, {"remaining": 3355}],
    "broadcast_refused": [
        {
            "refusal": telegram_html.Refused(reason, telegram="Bad Request: can't parse entities", length=5000),
            "limit": 4096,
        }
        for reason in ("empty", "long", "parse")
    ],
    "broadcast_preview_label": [{"language": "беларуская"}],
    "broadcasts": [
        {
            "rows": [
                {
                    "number": 3,
                    "started": None,
                    "status": s,
                    "total": 5,
                    "sent": 4,
                    "blocked": 1,
                    "failed": 0,
                    "uncertain": 0,
                    "dropped": 1,
                    "remaining": 1,
                }
                for s in ("sending", "paused", "cancelled", "done")
            ]
        },
        {"rows": []},
    ],
    "campaign": [
        {"code": "abc23def", "target": "ИК №4", "link": "https://t.me/bot?start=c_abc23def", "languages": langs}
        for langs in ([], ["Русский"])
    ],
    "campaigns": [{"count": 0}, {"count": 3}],
    "campaign_results": [
        {"code": "abc23def", "target": "ИК №4", "letters": n, "reached": 1, "people": n} for n in (1, 5)
    ],
    "campaign_usage": [{"problem": p} for p in ("usage", "person", "facility", "dates")],
    "stats": [
        {
            "figures": {
                "active_supporters": n,
                "writable": n,
                "reached": n,
                "quiet": n,
                "weeks": [(date(2026, 2, 23), n), (date(2026, 3, 2), 0)],
            },
            "active_days": 30,
            "weeks": 12,
            "quiet_days": 60,
            "share": "12,5 %",
            "gini": "0,31",
            "quiet": [
                ("Вольга <Коваль>", {"source_id": "1234", "last_letter": day}) for day in (None, date(2026, 1, 5)) if n
            ],
        }
        for n in (0, 1, 2, 5)
    ],
    "privacy": [{"items": privacy.ITEMS}, {"items": privacy.ITEMS, "staff": True}],
    # At most six items a message (reminder_digest.MOST_ITEMS): each kind in both genders and all Easters.
    "reminders_digest": [
        {
            "items": [
                {
                    "kind": kind,
                    "day": date(2026, 5, 21),
                    "post_by": date(2026, 5, 3),
                    "name": "Вольга Коваль",
                    "female": female,
                    "names": ["Вольга Коваль", "Мікола Статкевіч"],
                    "which": which,
                }
                for female in (True, False)
                for which in ("", "western", "orthodox")
            ]
        }
        for kind in (
            "bday_mine",
            "bday_last",
            "bday_soon",
            "may21",
            "winter",
            "easter",
            "march8",
            "release_soon",
            "released",
            "pace",
        )
    ],
    "reminders_settings": [
        {"on": True, "paused_until": None, "zone": "Мінск"},
        {"on": True, "paused_until": date(2026, 6, 1), "zone": "Мінск"},
        {"on": False, "paused_until": None, "zone": "Мінск"},
    ],
    "prisoner_record": [
        {
            "name": "Мария",
            "rows": [("Нумар", "1234"), ("Адрас", "вул. Антошкіна, 3\n246035, г. Гомель")],
            "bios": [("Біяграфія", "Тэкст <б>")],
            "note": "Захавана.",
        },
        {"name": "Мария", "rows": [], "bios": [], "note": None},
    ],
    "prisoner_edit": [
        {"name": "Мария", "source_id": "1234", "changes": [("Статус", "<а>", "б")], "stale": stale}
        for stale in (False, True)
    ],
    "prisoner_ask": [
        {
            "column": column,
            "name": "Мария",
            "problem": problem,
            "limit": 300,
            "label": "Bio",
            "interests": ["кнігі", "<музыка>"],
            "unknown": "вязанне; <б>",
        }
        for column in (
            "institution_be",
            "institution_ru",
            "address_be",
            "address_ru",
            "expected_release_date",
            "interests",
            "bio",
            "bio_en",
        )
        for problem in (None, "empty", "long", "date", "future", "interests")
    ],
    "prisoner_usage": [
        {"problem": problem, "query": "<Кастусь>", "name": "Мария"}
        for problem in ("usage", "none", "several", "release_usage", "dead", "date", "future")
    ],
}


@pytest.mark.parametrize("locale", LOCALES)
def test_every_template_renders_valid_telegram_html(locale: str) -> None:
    i18n = I18n(LOCALES_DIR, TEMPLATES_DIR, "en")
    names = i18n.template_names()
    assert {"start", "help", "privacy", "language", "forget_confirm"} <= set(names)
    for name in names:
        for context in CONTEXTS.get(name, [{}]):
            text = i18n.render(locale, name, **context)
            parsed = parse_html(text)  # raises as Telegram would on bad HTML
            assert 0 < len(parsed.text) <= 4096, name
            if locale != "en" and name not in QUOTES_TELEGRAM:  # no English left untranslated in be or ru
                latin = set(re.findall(r"(?<![/@])\b[A-Za-z]+\b", parsed.text))
                assert latin <= ALLOWED_LATIN, (locale, name, latin - ALLOWED_LATIN)


@pytest.mark.parametrize(
    ("stored", "code", "expected"),
    [
        (None, "be", "be"),
        (None, "ru-RU", "ru"),
        (None, "en-GB", "en"),
        (None, "uk", "ru"),
        (None, None, "ru"),
        ("be", "en", "be"),
        ("xx", "en-US", "en"),
        (None, "zz-invalid-", "ru"),
    ],
)
def test_resolve_locale(stored: str | None, code: str | None, expected: str) -> None:
    assert resolve_locale(stored, code, "ru") == expected


def test_parse_locale_rejects_garbage() -> None:
    assert parse_locale("") is None
    assert parse_locale("de") is None


def test_dates_are_formatted_per_locale() -> None:
    i18n = I18n(LOCALES_DIR, TEMPLATES_DIR, "en")
    day = date(2026, 3, 14)
    assert i18n.translator("be").date(day, "d MMMM") == "14 сакавіка"
    assert i18n.translator("ru").date(day, "d MMMM") == "14 марта"
    assert i18n.translator("en").date(day, "d MMMM") == "14 March"


@pytest.mark.parametrize("locale", LOCALES)
def test_every_letter_text_fits_in_one_message(locale: str) -> None:
    """The longest screen: a letter with its English gloss and the advice around it, within 4,096."""
    i18n = I18n(LOCALES_DIR, TEMPLATES_DIR, "en")
    library = Library(TEMPLATES_DIR)
    longest = 0
    for occasion in Occasion:
        for kind in LetterKind:
            for variant in range(1, library.count(occasion, kind) + 1):
                for language in ("ru", "be"):
                    name = "Кацярына Цімашкова" if language == "be" else "Екатерина Тимошкова"
                    body = library.render(occasion, kind, variant, language, name=name, gender="female").body
                    gloss = library.render(occasion, kind, variant, "en", name="Katsiaryna", gender="female").body
                    text = i18n.render(
                        locale, "letter_text", body=body, gloss=gloss if locale == "en" else None, kind=kind.value,
                        occasion_label="Christmas (25 December)", occasion=occasion.value, language=language,
                        variants=3, variant=variant,
                    )  # fmt: skip
                    longest = max(longest, utf16_len(parse_html(text).text))
    assert 500 < longest <= 4096, longest  # en, with the gloss, is the longest: about 1,950
