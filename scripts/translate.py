"""Merge translations into the catalogs: extract the template, update be/ru/en, fill be and ru from a
JSON file, compile.

    python -m scripts.translate new.json   # {"msgid": {"be": "...", "ru": "..."}, ...}
    python -m scripts.translate            # extract, update and compile only

A plural entry is keyed by its singular msgid and gives a list of forms per language (three for be
and ru). Entries whose msgid the code no longer has are reported, not added. The catalogs are one
shared file per language: run it under `flock locales/.lock` when several people work at once.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
BIN = Path(sys.executable).parent
WIDTH = {"be": 100, "ru": 100, "en": 76}


def _run(*args: str) -> None:
    subprocess.run([str(BIN / args[0]), *args[1:]], check=True, cwd=ROOT)


def extract_and_update() -> None:
    _run("pybabel", "extract", "--no-location", "--sort-output", "-F", "babel.cfg", "-o", "locales/messages.pot", ".")
    for locale, width in WIDTH.items():
        _run(
            "pybabel", "update", "--no-fuzzy-matching", "--ignore-obsolete", "--width", str(width),
            "-i", "locales/messages.pot", "-d", "locales", "-D", "messages", "-l", locale,
        )  # fmt: skip


def fill(entries: dict[str, dict[str, str | list[str]]]) -> list[str]:
    unknown: set[str] = set(entries)
    for locale in ("be", "ru"):
        path = LOCALES / locale / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as file:
            catalog = read_po(file, locale=locale)
        for msgid, by_locale in entries.items():
            message = catalog.get(msgid)
            if message is None or locale not in by_locale:
                continue
            unknown.discard(msgid)
            value = by_locale[locale]
            message.string = tuple(value) if isinstance(value, list) else value
        with path.open("wb") as file:
            write_po(file, catalog, width=WIDTH[locale], sort_output=True, no_location=True, omit_header=False)
    return sorted(unknown)


def main(argv: list[str]) -> int:
    extract_and_update()
    unknown: list[str] = []
    for name in argv:
        unknown += fill(json.loads(Path(name).read_text(encoding="utf-8")))
    _run("pybabel", "compile", "-d", "locales", "-D", "messages")
    for msgid in unknown:
        print(f"not in the code (left out): {msgid[:80]!r}")  # noqa: T201  # a command-line tool
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
