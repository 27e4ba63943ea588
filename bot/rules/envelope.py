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
