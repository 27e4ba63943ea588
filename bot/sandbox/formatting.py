"""Telegram's text formatting as the real service parses it: HTML and MarkdownV2 to text + entities.

A refusal raises `ParseError` with the words Telegram uses ("can't parse entities: ..."), so a bot
that would be refused by Telegram is refused here too. The HTML parser is the bot's own
(bot/rules/telegram_html.py: it checks coordinators' texts with it), re-exported here.
"""

from __future__ import annotations

import html
from typing import Any

from bot.rules.limits import utf16_len
from bot.rules.telegram_html import Parsed, ParseError, byte_offset, parse_html

__all__ = ["ParseError", "Parsed", "parse", "parse_html", "parse_markdown_v2", "to_html", "utf16_len"]

MARKDOWN_RESERVED = set("_*[]()~`>#+-=|{}.!")


def parse(text: str, parse_mode: str | None) -> Parsed:
    mode = (parse_mode or "").lower()
    if mode == "html":
        return parse_html(text)
    if mode == "markdownv2":
        return parse_markdown_v2(text)
    if mode in ("", "none"):
        return Parsed(text)
    if mode == "markdown":
        return Parsed(text.replace("*", "").replace("_", "").replace("`", ""))
    raise ValueError(f"Bad Request: unsupported parse_mode {parse_mode!r}")


MARKERS = (
    ("```", "pre"),
    ("||", "spoiler"),
    ("__", "underline"),
    ("*", "bold"),
    ("_", "italic"),
    ("~", "strikethrough"),
    ("`", "code"),
)


def parse_markdown_v2(source: str) -> Parsed:
    """MarkdownV2: every reserved character outside an entity must be escaped with a backslash."""
    out: list[str] = []
    entities: list[dict[str, Any]] = []
    stack: list[tuple[str, int, int]] = []  # marker, offset in text, byte offset in source
    length = 0
    position = 0
    while position < len(source):
        char = source[position]
        in_code = bool(stack) and stack[-1][0] in ("`", "```")
        if char == "\\" and position + 1 < len(source):
            chunk = source[position + 1]
            position += 2
        elif in_code and not source.startswith(stack[-1][0], position):
            chunk = char
            position += 1
        else:
            marker = next((m for m, _ in MARKERS if source.startswith(m, position)), None)
            if marker is not None and (not in_code or marker == stack[-1][0]):
                if stack and stack[-1][0] == marker:
                    opened, offset, _ = stack.pop()
                    entities.append({"type": dict(MARKERS)[opened], "offset": offset, "length": length - offset})
                else:
                    stack.append((marker, length, byte_offset(source, position)))
                position += len(marker)
                continue
            if char == "[":
                close = source.find("](", position)
                end = source.find(")", close + 2) if close != -1 else -1
                if close == -1 or end == -1:
                    raise ParseError("Character '[' is reserved and must be escaped with the preceding '\\'")
                inner = parse_markdown_v2(source[position + 1 : close])
                for entity in inner.entities:
                    entity["offset"] += length
                entities.extend(inner.entities)
                entities.append(
                    {
                        "type": "text_link",
                        "offset": length,
                        "length": utf16_len(inner.text),
                        "url": source[close + 2 : end],
                    }
                )
                out.append(inner.text)
                length += utf16_len(inner.text)
                position = end + 1
                continue
            if char in MARKDOWN_RESERVED:
                raise ParseError(f"Character '{char}' is reserved and must be escaped with the preceding '\\'")
            chunk = char
            position += 1
        out.append(chunk)
        length += utf16_len(chunk)
    if stack:
        raise ParseError(f"Can't find end of the entity starting at byte offset {stack[-1][2]}")
    entities.sort(key=lambda item: (item["offset"], -item["length"]))
    return Parsed("".join(out), [e for e in entities if e["length"] > 0])


def to_html(parsed_text: str, entities: list[dict[str, Any]]) -> str:
    """Safe HTML for the sandbox page from plain text and entities (offsets in UTF-16 units)."""
    opening: dict[int, list[str]] = {}
    closing: dict[int, list[str]] = {}
    tags = {
        "bold": "b",
        "italic": "i",
        "underline": "u",
        "strikethrough": "s",
        "spoiler": 'span class="spoiler"',
        "code": "code",
        "pre": "pre",
        "blockquote": "blockquote",
        "expandable_blockquote": "blockquote",
    }
    for entity in entities:
        start, end = entity["offset"], entity["offset"] + entity["length"]
        if entity["type"] == "text_link":
            open_tag = f'a href="{html.escape(entity["url"], quote=True)}" target="_blank" rel="noopener"'
        elif entity["type"] in tags:
            open_tag = tags[entity["type"]]
        else:
            continue
        opening.setdefault(start, []).append(f"<{open_tag}>")
        closing.setdefault(end, []).insert(0, f"</{open_tag.split()[0]}>")
    pieces: list[str] = []
    unit = 0
    for char in parsed_text:
        pieces.extend(closing.get(unit, []))
        pieces.extend(opening.get(unit, []))
        pieces.append(html.escape(char, quote=False).replace("\n", "<br>"))
        unit += utf16_len(char)
    pieces.extend(closing.get(unit, []))
    return "".join(pieces)
