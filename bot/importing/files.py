"""Reading import files: CSV with a header (own format or Viasna export) or JSON (own format)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.importing import record, viasna


class FileError(ValueError):
    """The file as a whole cannot be read; the message says why, and `kind` what sort of trouble it is
    (for the chat, which answers each in the admin's language): unreadable, encoding, empty, archive,
    picture, binary or format."""

    def __init__(self, message: str, kind: str = "format") -> None:
        super().__init__(message)
        self.kind = kind


# The first bytes of files people send by mistake: an archive or a picture is named as such, not
# reported as "not UTF-8 text".
SIGNATURES = (
    (b"PK\x03\x04", "archive"), (b"PK\x05\x06", "archive"), (b"\x1f\x8b", "archive"), (b"Rar!", "archive"),
    (b"7z\xbc\xaf", "archive"), (b"\x89PNG", "picture"), (b"\xff\xd8\xff", "picture"), (b"GIF8", "picture"),
    (b"%PDF", "binary"), (b"\xd0\xcf\x11\xe0", "binary"),
)  # fmt: skip


@dataclass
class RawFile:
    path: Path
    kind: str  # "own" or "viasna"
    rows: list[tuple[str, dict[str, str]]]  # (where, values)
    language: str | None = None  # for Viasna exports
    errors: list[tuple[str, str]] = field(default_factory=list)  # (where, reason) of unreadable rows


def read(path: Path) -> RawFile:
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise FileError(f"{path}: cannot read: {exc.strerror}", "unreadable") from exc
    return parse(path, content)


def parse(path: Path | str, content: bytes) -> RawFile:
    """The file's rows from its bytes: what the command line reads from disk and the chat downloads."""
    path = Path(path)
    for signature, kind in SIGNATURES:
        if content.startswith(signature) or (kind == "picture" and content[8:12] == b"WEBP"):
            raise FileError(f"{path}: {'an archive' if kind == 'archive' else 'not a text file'}", kind)
    try:
        data = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileError(f"{path}: not UTF-8 text", "encoding") from exc
    if not data.strip():
        raise FileError(f"{path}: the file is empty", "empty")
    if "\x00" in data:
        raise FileError(f"{path}: not a text file", "binary")
    if path.suffix.lower() == ".json" or data.lstrip().startswith(("[", "{")):
        return RawFile(path, "own", _json_rows(path, data))
    return _csv(path, data)


def _json_rows(path: Path, data: str) -> list[tuple[str, dict[str, str]]]:
    try:
        parsed = json.loads(data)
    except json.JSONDecodeError as exc:
        raise FileError(f"{path}: line {exc.lineno}: invalid JSON: {exc.msg}") from exc
    items = parsed.get("prisoners") if isinstance(parsed, dict) else parsed
    if not isinstance(items, list):
        raise FileError(f'{path}: expected a list of prisoners, or {{"prisoners": [...]}}')
    rows = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise FileError(f"{path}: item {number}: expected an object")
        unknown = set(item) - set(record.COLUMNS)
        if unknown:
            raise FileError(f"{path}: item {number}: unknown fields {', '.join(sorted(unknown))}")
        rows.append((f"item {number}", {key: _as_text(value) for key, value in item.items()}))
    return rows


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(str(part) for part in value)
    return str(value)


def _csv(path: Path, data: str) -> RawFile:
    reader = csv.reader(io.StringIO(data, newline=""))
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        raise FileError(f"{path}: the file is empty", "empty") from None
    except csv.Error as exc:
        raise FileError(f"{path}: line 1: {exc}") from exc
    kind = "viasna" if viasna.is_viasna(header) else "own"
    if kind == "own":
        unknown = [name for name in header if name not in record.COLUMNS]
        if unknown or "source_id" not in header:
            raise FileError(
                f"{path}: line 1: unknown columns {', '.join(unknown) or '(none)'}; expected the own format "
                f"({', '.join(record.COLUMNS)}) or a Viasna export ({', '.join(viasna.HEADERS)})"
            )
    raw = RawFile(path, kind, [])
    line = reader.line_num + 1
    try:
        for values in reader:
            if not any(value.strip() for value in values):
                pass
            elif len(values) != len(header):
                raw.errors.append((f"line {line}", f"{len(values)} fields where the header has {len(header)}"))
            else:
                raw.rows.append((f"line {line}", dict(zip(header, values, strict=True))))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise FileError(f"{path}: line {line}: {exc}") from exc
    rows = raw.rows
    if kind == "viasna":
        raw.language = viasna.detect_language([values for _, values in rows])
    return raw
