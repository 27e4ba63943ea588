"""The censor's word lists: one data file per language in bot/rules/censor/, read once, compiled into
one regular expression per draft language.

The file format is described at the top of each file. Matching is pure: normalise the text (case,
ё/е, ў/у, apostrophes, each one character for one, so that positions stay those of the draft), then
one pass of one expression, which says by its group which entry matched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

LISTS_DIR = Path(__file__).resolve().parent / "censor"
LANGUAGES = ("ru", "be", "en")
# Topics in the order the report gives them; each has its explanation in templates/check_report.html.j2.
TOPICS = (
    "politics", "opposition", "organisations", "protest", "change", "freedom", "struggle", "war", "case",
    "prison", "foreign", "regime", "officials", "lgbt",
)  # fmt: skip
# One character for one: the draft's positions stay valid for what the expression finds.
_NORMAL = str.maketrans({"ё": "е", "Ё": "Е", "ў": "у", "Ў": "У", "’": "'", "ʼ": "'", "`": "'"})
_DASH = r"[-‐‑–—\s]?"  # a hyphen in a pattern: a hyphen, a dash, a space, or nothing
_BETWEEN = r"[\W_]{1,4}"  # between the words of a phrase: spaces and punctuation («», —, ...)
_TOKEN = re.compile(r"(?:\([^)]*\)|[^\s(])+")  # a word of a pattern: spaces inside (a|b c) stay in it


@dataclass(frozen=True)
class Entry:
    language: str
    topic: str
    source: str  # the pattern as the file writes it: with the language, the entry's key
    examples: tuple[str, ...]
    only_in: str | None  # "ru" or "be": only in a draft written in that language
    expression: str  # a regular expression without capturing groups

    @property
    def key(self) -> str:
        return f"{self.language}:{self.source}"

    @property
    def label(self) -> str:
        """How a report names the entry when the draft's own word is not at hand (an earlier part)."""
        return self.examples[0] if self.examples else self.source

    def matches(self, text: str) -> bool:
        return _compiled(self.expression).search(normalise(text)) is not None


def normalise(text: str) -> str:
    return text.translate(_NORMAL)


@cache
def _compiled(expression: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + expression, re.IGNORECASE)


def _word(pattern: str) -> str:
    """One word of a pattern as a regular expression: letters, (a|b|) endings, '-', a final '*'."""
    out, i = [], 0
    while i < len(pattern):
        char = pattern[i]
        if char == "(":
            end = pattern.index(")", i)
            choices = normalise(pattern[i + 1 : end]).split("|")
            out.append("(?:" + "|".join(re.escape(choice) for choice in choices) + ")")
            i = end + 1
            continue
        if char == "*":
            if i != len(pattern) - 1:
                raise ValueError(f"'*' only at the end of a word: {pattern!r}")
            out.append(r"\w*")
        elif char == "-":
            out.append(_DASH)
        else:
            out.append(re.escape(normalise(char)))
        i += 1
    return "".join(out) + r"(?!\w)"


def parse(language: str, text: str) -> list[Entry]:
    entries: list[Entry] = []
    topic: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            topic = line[1:-1]
            if topic not in TOPICS:
                raise ValueError(f"{language}.txt:{number}: unknown topic {topic!r}")
            continue
        if topic is None:
            raise ValueError(f"{language}.txt:{number}: an entry before any [topic]")
        pattern, _, examples = (part.strip() for part in line.partition("="))
        only_in = None
        if pattern.endswith((" @ru", " @be")):
            pattern, only_in = pattern[:-4].strip(), pattern[-2:]
        words = _TOKEN.findall(pattern.lower())
        entries.append(
            Entry(
                language=language,
                topic=topic,
                source=" ".join(words) + (f" @{only_in}" if only_in else ""),
                examples=tuple(e.strip() for e in examples.split(",") if e.strip()),
                only_in=only_in,
                expression=_BETWEEN.join(_word(word) for word in words),
            )
        )
    return entries


@cache
def entries() -> tuple[Entry, ...]:
    """Every entry of every language, read once."""
    found: list[Entry] = []
    for language in LANGUAGES:
        found.extend(parse(language, (LISTS_DIR / f"{language}.txt").read_text(encoding="utf-8")))
    return tuple(found)


@cache
def by_key() -> dict[str, Entry]:
    return {entry.key: entry for entry in entries()}


_WORD_START = re.compile(r"(?<!\w)\w")


@dataclass(frozen=True)
class Matcher:
    """The entries that apply to a draft in one language, bucketed by their first letter: at each word
    of the draft one expression is tried, whose group n is the bucket's entry n-1."""

    buckets: dict[str, tuple[re.Pattern[str], tuple[Entry, ...]]]

    def find(self, draft: str) -> list[tuple[Entry, str]]:
        """Each match in the draft: the entry and the draft's own word(s)."""
        text = normalise(draft)
        found = []
        for start in _WORD_START.finditer(text):
            bucket = self.buckets.get(start.group(0).lower())
            match = bucket[0].match(text, start.start()) if bucket is not None else None
            if match is not None and match.lastindex is not None:
                found.append((bucket[1][match.lastindex - 1], draft[match.start() : match.end()]))  # type: ignore[index]
        return found


def _first_letters(entry: Entry) -> set[str]:
    first = entry.source.split()[0]
    if first.startswith("("):
        return {normalise(choice[:1]).lower() for choice in first[1 : first.index(")")].split("|")}
    return {normalise(first[0]).lower()}


@cache
def matcher(draft_language: str | None) -> Matcher:
    """Entries marked @ru apply unless the draft is Belarusian, @be ones unless it is Russian."""
    chosen = [entry for entry in entries() if entry.only_in is None or draft_language in (None, entry.only_in)]
    grouped: dict[str, list[Entry]] = {}
    for entry in chosen:
        for letter in _first_letters(entry):
            grouped.setdefault(letter, []).append(entry)
    return Matcher(
        {
            letter: (re.compile("|".join(f"({e.expression})" for e in bucket), re.IGNORECASE), tuple(bucket))
            for letter, bucket in grouped.items()
        }
    )
