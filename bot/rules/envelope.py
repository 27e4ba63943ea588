"""The envelope block exactly as it must be written: Cyrillic, in the letter's language, and the
country in Latin capitals on the last line."""

from __future__ import annotations

import re

COUNTRY = "REPUBLIC OF BELARUS"
# "213105, г. Магілёў, Слаўгарадская шаша, 183": postcode and town first, as lists often give it.
POSTCODE_FIRST = re.compile(r"^\s*(\d{6}),\s*([^,]+),\s*(.+)$")


def address_lines(address: str) -> list[str]:
    """Street first, then "postcode, town", whichever way the list wrote it."""
    lines = [line.strip() for line in address.splitlines() if line.strip()]
    if len(lines) == 1:
        match = POSTCODE_FIRST.match(lines[0])
        if match:
            postcode, town, street = match.groups()
            return [street.strip(), f"{postcode}, {town.strip()}"]
    return lines


def envelope(name: str, institution: str, address: str) -> list[str]:
    return [name.strip(), institution.strip(), *address_lines(address), COUNTRY]


# The kind of facility its short name stands for, for readers who know no Cyrillic abbreviations
# (docs/domain.md, "The envelope": ИК / ПК, СИЗО / СІЗА, Тюрьма / Турма). Checked in this order, so
# that a settlement colony (КП, колония-поселение) is not read as a colony.
FACILITY_KINDS = (
    ("settlement", re.compile(r"^\s*(кп\b|колони[яі]-пасяленн|колония-поселени)", re.IGNORECASE)),
    ("colony", re.compile(r"^\s*(ик|пк|вк)\b|калоні|колони", re.IGNORECASE)),
    ("pretrial", re.compile(r"^\s*(сизо|сіза|ивс|ізалятар|изолятор)|следственн|следчы", re.IGNORECASE)),
    ("prison", re.compile(r"^\s*(тюрьма|турма)", re.IGNORECASE)),
)


def facility_kind(institution: str) -> str | None:
    """ "colony", "settlement", "pretrial" or "prison" for a facility's name (ИК №4, СІЗА №1), else None."""
    for kind, pattern in FACILITY_KINDS:
        if pattern.search(institution):
            return kind
    return None


POSTCODE_LINE = re.compile(r"^\s*\d{6},\s*([^,]+)")
TOWN_MARK = re.compile(r"^(г\.|г\.п\.|гп|аг\.)\s*")


def town(address: str) -> str | None:
    """The town of an address ("246035, г. Гомель" → "Гомель"), to tell facilities apart; None if
    the address has no "postcode, town" part."""
    for line in address_lines(address):
        match = POSTCODE_LINE.match(line)
        if match:
            return TOWN_MARK.sub("", match.group(1).strip()) or None
    return None
