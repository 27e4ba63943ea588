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
    """The file as a whole cannot be read; the message says why."""


@dataclass
class RawFile:
    path: Path
    kind: str  # "own" or "viasna"
    rows: list[tuple[str, dict[str, str]]]  # (where, values)
    language: str | None = None  # for Viasna exports
    errors: list[tuple[str, str]] = field(default_factory=list)  # (where, reason) of unreadable rows


def read(path: Path) -> RawFile:
    try:
        data = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise FileError(f"{path}: cannot read: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise FileError(f"{path}: not UTF-8 text") from exc
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
        raise FileError(f"{path}: the file is empty") from None
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
