"""Telegram's HTML as the real service parses it, in one place: the bot checks a coordinator's text
with it before anything is sent (`check`), and the emulated Bot API (bot/sandbox/formatting.py) refuses
with it what Telegram would refuse, in Telegram's words ("can't parse entities: ..."). Lengths are
counted as Telegram counts them, in UTF-16 units of the text once the tags are taken out.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from bot.rules import limits
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


class ParseError(ValueError):
    """Telegram's 400 "can't parse entities" with its detail."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"Bad Request: can't parse entities: {detail}")


@dataclass
class Parsed:
    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


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
                    f"Unexpected end tag at byte offset {byte_offset(source, position)}"
                    if source.startswith("</", position)
                    else f"Unsupported start tag at byte offset {byte_offset(source, position)}"
                )
            closing, name, raw_attributes = match.group(1), match.group(2).lower(), match.group(3)
            if closing:
                if not stack or stack[-1][0] != name:
                    raise ParseError(
                        f"Unmatched end tag at byte offset {byte_offset(source, position)}, expected "
                        f'"</{stack[-1][0]}>", found "</{name}>"'
                        if stack
                        else f"Unexpected end tag at byte offset {byte_offset(source, position)}"
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
                    f"Can't find end of the entity starting at byte offset {byte_offset(source, position)}"
                    if ";" not in source[position : position + 12]
                    else f"Unsupported HTML entity at byte offset {byte_offset(source, position)}"
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
    offset = byte_offset(source, position)
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
    raise ParseError(f"Unsupported HTML entity at byte offset {byte_offset(source, position)}")


def byte_offset(source: str, position: int) -> int:
    return len(source[:position].encode("utf-8"))


class Refused(ValueError):
    """Why Telegram would refuse the text: `reason` is "empty", "long" (with its `length`) or "parse"
    (with Telegram's own words in `telegram`); the message to the coordinator is a template's."""

    def __init__(self, reason: str, *, telegram: str = "", length: int = 0) -> None:
        super().__init__(reason)
        self.reason, self.telegram, self.length = reason, telegram, length


def check(html: str) -> str:
    """The text as it will be sent, or `Refused` with the reason."""
    if not html.strip():
        raise Refused("empty")
    try:
        parsed = parse_html(html)
    except ParseError as error:
        raise Refused("parse", telegram=str(error)) from None
    if not parsed.text.strip():
        raise Refused("empty")
    length = limits.utf16_len(parsed.text)
    if length > limits.TEXT_LIMIT:
        raise Refused("long", length=length)
    return html
