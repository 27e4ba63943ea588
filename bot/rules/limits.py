"""Telegram's length limits, counted as Telegram counts them: in UTF-16 code units.

A text the bot builds is measured as its HTML source, which is never shorter than what Telegram counts
after parsing the markup: a text that fits here fits there.
"""

from __future__ import annotations

from collections.abc import Callable

TEXT_LIMIT = 4096  # a message's text
CAPTION_LIMIT = 1024  # a photo's or a document's caption
ELLIPSIS = "…"


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def shorten(text: str, budget: int, measure: Callable[[str], int] = utf16_len) -> str:
    """The text cut to at most `budget` (by `measure`: UTF-16 units by default, or those of its escaped
    HTML), at a word boundary where one is near, ending in "…"; empty if not even that fits."""
    if measure(text) <= budget:
        return text
    ellipsis = measure(ELLIPSIS)
    low, high = 0, len(text)  # the longest prefix that fits with the ellipsis: measures only grow
    while low < high:
        middle = (low + high + 1) // 2
        if measure(text[:middle]) + ellipsis <= budget:
            low = middle
        else:
            high = middle - 1
    cut = text[:low]
    space = cut.rfind(" ")
    if space > len(cut) * 0.8:
        cut = cut[:space]
    cut = cut.rstrip(" ,.;:—-")
    return cut + ELLIPSIS if cut else ""
