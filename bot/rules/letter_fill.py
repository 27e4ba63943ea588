"""Filling a letter text's places for the writer's own words, or taking them out.

A text is rendered with ABOUT and HOBBY marks where the writer's words go. A chosen phrase replaces its
mark; a mark with nothing chosen goes with what only made sense around it: ", {about}" after the name
("Меня зовут Джон, {about}." becomes "Меня зовут Джон."), else the whole sentence ("Немного о себе:
{about}."), so the letter never shows an empty place or a bracket.
"""

from __future__ import annotations

import re

ABOUT = "\x02about\x03"
HOBBY = "\x02hobby\x03"
_END = r"[.!?…]"


def _sentence(mark: str) -> re.Pattern[str]:
    """The sentence holding `mark`, with the space after it: from the line's start or the end of the
    previous sentence, to its own end."""
    return re.compile(rf"(?:(?<=^)|(?<={_END} ))[^\n.!?…]*{re.escape(mark)}[^\n.!?…]*{_END}* ?", re.MULTILINE)


def fill(body: str, *, about: str | None, hobby: str | None) -> str:
    for mark, words in ((ABOUT, about), (HOBBY, hobby)):
        if words:
            body = body.replace(mark, words)
            continue
        body = body.replace(", " + mark, "")
        body = _sentence(mark).sub("", body)
    lines = [line.rstrip() for line in body.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def join(phrases: list[str], conjunction: str) -> str:
    """ "a", "a and b", "a, b and c"."""
    if len(phrases) <= 1:
        return "".join(phrases)
    return ", ".join(phrases[:-1]) + f" {conjunction} " + phrases[-1]
