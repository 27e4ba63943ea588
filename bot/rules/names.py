"""Names: the name in the reader's language, the first name for a greeting, and a search key that
ignores case and diacritics."""

from __future__ import annotations

import unicodedata

PATRONYMIC_ENDINGS = ("вич", "віч", "вна", "ична", "ічна", "ўна", "аўна", "еўна", "ьич", "вічна")


def name_for(locale: str, name_be: str, name_ru: str, name_en: str | None) -> str:
    """The name in the interface language: Belarusian for be, the Latin spelling for en when the list
    has one, else Russian. An empty name falls back to the other language's: a person is never shown
    nameless (a list may lack one spelling, as the import's dry run shows before it is checked)."""
    if locale == "be":
        return name_be or name_ru
    if locale == "en" and name_en:
        return name_en
    return name_ru or name_be


def first_name(full_name: str) -> str:
    """ "Мария Колесникова" → "Мария"; "Колесникова Мария Александровна" → "Мария"."""
    parts = full_name.split()
    if len(parts) >= 3 and parts[2].lower().endswith(PATRONYMIC_ENDINGS):
        return parts[1]
    return parts[0] if parts else full_name


def fold(text: str) -> str:
    """Lower case without diacritics: ё→е, й→и, ў→у, ś→s, so a search forgives them."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def search_key(*names: str | None) -> str:
    return " | ".join(fold(name) for name in names if name)
