"""Telegram's text formatting as the real service parses it: HTML and MarkdownV2 to text + entities.

A refusal raises `ParseError` with the words Telegram uses ("can't parse entities: ..."), so a bot
that would be refused by Telegram is refused here too.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from bot.rules.limits import utf16_len

SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]*))?)*)\s*>")
ATTRIBUTE = re.compile(r"([a-zA-Z-]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]*))?")
ENTITY = re.compile(r"&(#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]+);")
MARKDOWN_RESERVED = set("_*[]()~`>#+-=|{}.!")


class ParseError(ValueError):
    """Telegram's 400 "can't parse entities" with its detail."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"Bad Request: can't parse entities: {detail}")


@dataclass
class Parsed:
    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


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


def parse_html(source: str) -> Parsed:
    out: list[str] = []
    entities: list[dict[str, Any]] = []
    stack: list[tuple[str, dict[str, Any]]] = []
    position = 0
    length = 0  # in UTF-16 code units, as Telegram counts offsets

    def emit(chunk: str) -> None:
        nonlocal length
        out.append(chunk)
        length += utf16_len(chunk)

    while position < len(source):
        char = source[position]
        if char == "<":
            match = TAG.match(source, position)
            if match is None:
                raise ParseError(
                    f"Unexpected end tag at byte offset {_byte_offset(source, position)}"
                    if source.startswith("</", position)
                    else f"Unsupported start tag at byte offset {_byte_offset(source, position)}"
                )
            closing, name, raw_attributes = match.group(1), match.group(2).lower(), match.group(3)
            if closing:
                if not stack or stack[-1][0] != name:
                    raise ParseError(
                        f"Unmatched end tag at byte offset {_byte_offset(source, position)}, expected "
                        f'"</{stack[-1][0]}>", found "</{name}>"'
                        if stack
                        else f"Unexpected end tag at byte offset {_byte_offset(source, position)}"
                    )
                _, entity = stack.pop()
                entity["length"] = length - entity["offset"]
                if entity["length"] > 0 and entity["type"] != "_code_in_pre":
                    entities.append(entity)
            else:
                entity = _open_tag(name, dict(_attributes(raw_attributes)), source, position, stack)
                entity["offset"] = length
                stack.append((name, entity))
            position = match.end()
        elif char == "&":
            match = ENTITY.match(source, position)
            if match is None:
                raise ParseError(
                    f"Can't find end of the entity starting at byte offset {_byte_offset(source, position)}"
                    if ";" not in source[position : position + 12]
                    else f"Unsupported HTML entity at byte offset {_byte_offset(source, position)}"
                )
            emit(_decode_entity(match.group(1), source, position))
            position = match.end()
        elif char == ">":
            emit(">")  # Telegram tolerates a bare ">"
            position += 1
        else:
            end = min(
                (
                    i
                    for i in (
                        source.find("<", position),
                        source.find("&", position),
                        source.find(">", position),
                    )
                    if i != -1
                ),
                default=len(source),
            )
            emit(source[position:end])
            position = end
    if stack:
        raise ParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    entities.sort(key=lambda item: (item["offset"], -item["length"]))
    return Parsed("".join(out), entities)


def _open_tag(
    name: str, attributes: dict[str, str], source: str, position: int, stack: list[tuple[str, dict[str, Any]]]
) -> dict[str, Any]:
    offset = _byte_offset(source, position)
    if name in SIMPLE_TAGS:
        entity: dict[str, Any] = {"type": SIMPLE_TAGS[name]}
        if name == "code" and stack and stack[-1][0] == "pre":
            language = attributes.get("class", "")
            if language.startswith("language-"):
                stack[-1][1]["language"] = language.removeprefix("language-")
            return {"type": "_code_in_pre"}
        if name == "blockquote" and "expandable" in attributes:
            entity["type"] = "expandable_blockquote"
        return entity
    if name == "span":
        if attributes.get("class") != "tg-spoiler":
            raise ParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
        return {"type": "spoiler"}
    if name == "a":
        href = attributes.get("href", "")
        if not href:
            raise ParseError(f'Can\'t find href of the tag "a" at byte offset {offset}')
        return {"type": "text_link", "url": href}
    if name == "tg-emoji":
        if "emoji-id" not in attributes:
            raise ParseError(f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {offset}')
        return {"type": "custom_emoji", "custom_emoji_id": attributes["emoji-id"]}
    raise ParseError(f'Unsupported start tag "{name}" at byte offset {offset}')


def _attributes(raw: str) -> list[tuple[str, str]]:
    pairs = []
    for match in ATTRIBUTE.finditer(raw):
        value = match.group(2) or ""
        if value[:1] in "\"'":
            value = value[1:-1]
        pairs.append((match.group(1).lower(), html.unescape(value)))
    return pairs


def _decode_entity(body: str, source: str, position: int) -> str:
    if body.startswith("#x"):
        return chr(int(body[2:], 16))
    if body.startswith("#"):
        return chr(int(body[1:]))
    if body in NAMED_ENTITIES:
        return NAMED_ENTITIES[body]
    raise ParseError(f"Unsupported HTML entity at byte offset {_byte_offset(source, position)}")


def _byte_offset(source: str, position: int) -> int:
    return len(source[:position].encode("utf-8"))


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
                    stack.append((marker, length, _byte_offset(source, position)))
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
