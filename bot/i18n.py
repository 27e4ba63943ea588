"""Locales: which language a user gets, their catalogs, and the renderer of message templates.

One Jinja environment per locale, each with its own gettext callables, so that updates in different
languages running side by side never see each other's translations.
"""

from __future__ import annotations

import gettext
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from babel import Locale as BabelLocale
from babel.core import UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_decimal
from babel.support import Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot.config import LOCALES, Locale

DOMAIN = "messages"
BLANK_LINES = re.compile(r"\n\s*\n(\s*\n)+")
# What each language is called in itself, for the language buttons.
NATIVE_NAMES: dict[Locale, str] = {"be": "Беларуская", "ru": "Русский", "en": "English"}
# The same names inside a sentence ("the language of the bot is now беларуская"): lower case in be and ru.
RUNNING_NAMES: dict[Locale, str] = {"be": "беларуская", "ru": "русский", "en": "English"}


def parse_locale(code: str | None) -> Locale | None:
    """Map a stored choice or Telegram's `language_code` ("en-US", "be") to a supported locale."""
    if not code:
        return None
    try:
        language = BabelLocale.parse(code.replace("_", "-"), sep="-").language
    except (ValueError, UnknownLocaleError):
        return None
    for locale in LOCALES:
        if locale == language:
            return locale
    return None


def resolve_locale(stored: str | None, language_code: str | None, default: Locale) -> Locale:
    """The user's choice first, then what Telegram says of their app, then the bot's default."""
    return parse_locale(stored) or parse_locale(language_code) or default


def load_translations(locales_dir: Path, locale: Locale) -> gettext.NullTranslations:
    return Translations.load(str(locales_dir), [locale], domain=DOMAIN)


@dataclass(frozen=True)
class Translator:
    """Short labels and formatting for one locale (message bodies are templates)."""

    locale: Locale
    translations: gettext.NullTranslations

    def _(self, message: str) -> str:
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.translations.ngettext(singular, plural, n)

    def date(self, value: date, pattern: str = "d MMMM y") -> str:
        return format_date(value, pattern, locale=self.locale)

    def number(self, value: float) -> str:
        """A count as this language writes it: 12,408 in English, 12 408 in Belarusian and Russian."""
        return format_decimal(value, locale=self.locale)

    def month(self, month: int) -> str:
        """The month's name standing alone ("March", "сакавік"), as on a button."""
        return format_date(date(2000, month, 1), "LLLL", locale=self.locale)


class I18n:
    """Catalogs and templates for every supported locale, loaded once at start."""

    def __init__(self, locales_dir: Path, templates_dir: Path, default_locale: Locale) -> None:
        self.default_locale = default_locale
        self._translators: dict[Locale, Translator] = {}
        self._environments: dict[Locale, Environment] = {}
        for locale in LOCALES:
            translator = Translator(locale, load_translations(locales_dir, locale))
            self._translators[locale] = translator
            self._environments[locale] = self._environment(templates_dir, translator)

    @staticmethod
    def _environment(templates_dir: Path, translator: Translator) -> Environment:
        env = Environment(
            loader=FileSystemLoader(templates_dir),
            autoescape=True,  # every template renders Telegram HTML
            undefined=StrictUndefined,
            extensions=["jinja2.ext.i18n"],
            trim_blocks=False,  # keeps the blank line after {% endtrans %}; see render()
            lstrip_blocks=True,
            keep_trailing_newline=False,
        )
        env.install_gettext_translations(translator.translations, newstyle=True)  # type: ignore[attr-defined]  # added by the i18n extension
        env.policies["ext.i18n.trimmed"] = True  # the same msgids babel.cfg extracts
        env.filters["date"] = translator.date
        env.filters["number"] = translator.number
        env.globals["locale"] = translator.locale
        return env

    def translator(self, locale: Locale) -> Translator:
        return self._translators[locale]

    def render(self, locale: Locale, name: str, /, **context: Any) -> str:
        """Render `templates/<name>.html.j2` in one locale.

        Paragraphs are separated by one blank line however the template's block tags fall.
        """
        template = self._environments[locale].get_template(f"{name}.html.j2")
        return BLANK_LINES.sub("\n\n", template.render(**context)).strip()

    def template_names(self) -> list[str]:
        loader = self._environments[self.default_locale].loader
        assert loader is not None
        return sorted(name.removesuffix(".html.j2") for name in loader.list_templates() if name.endswith(".html.j2"))
