"""Is a coordinator's text one Telegram would send? Its HTML is parsed with the emulated Bot API's
parser, the one written to Telegram's rules (bot/sandbox/formatting.py), so the check and the emulator
the tests run against can never disagree; then the length is measured as Telegram does, in UTF-16
units of the text after the tags are taken out.
"""

from __future__ import annotations

from bot.rules import limits
from bot.sandbox import formatting


class Refused(ValueError):
    """Why Telegram would refuse the text, in its own words where it has them."""


def check(html: str) -> str:
    """The text as it will be sent, or `Refused` with the reason."""
    if not html.strip():
        raise Refused("the text is empty")
    try:
        parsed = formatting.parse_html(html)
    except formatting.ParseError as error:
        raise Refused(str(error)) from None
    if not parsed.text.strip():
        raise Refused("the text is empty once the tags are taken out")
    length = limits.utf16_len(parsed.text)
    if length > limits.TEXT_LIMIT:
        raise Refused(f"the text is {length} characters long; Telegram takes at most {limits.TEXT_LIMIT}")
    return html
