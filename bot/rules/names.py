"""Names: the first name for a greeting, and a search key that ignores case and diacritics."""

from __future__ import annotations

import unicodedata

PATRONYMIC_ENDINGS = ("вич", "віч", "вна", "ична", "ічна", "ўна", "аўна", "еўна", "ьич", "вічна")


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
