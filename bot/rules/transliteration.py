"""A writer's first name for a letter: checked, and offered in Cyrillic when typed in Latin letters.

Only Russian and Belarusian reach a prisoner, so a name typed as "John" or "Siarhei" is offered as
"Джон" or "Сяргей"; it is a guess, and the writer corrects it by typing the name in Cyrillic. The
letters of each alphabet come from cyrtranslit (its Russian and Belarusian tables); what it does not
know, the spellings of English names and of Belarusian passports (j, ch, kh, ts, ia, a final -ei,
"au" for "аў"), is turned into Cyrillic first, here. Nothing here keeps or logs a name.
"""

from __future__ import annotations

import re
from typing import Literal

import cyrtranslit

Language = Literal["ru", "be"]
LONGEST = 40  # characters: a first name, perhaps double, never a sentence
NAME = re.compile(r"[^\W\d_]+(?:[ '’-][^\W\d_]+){0,2}")  # up to three words of letters
LATIN = re.compile(r"[A-Za-z]")
PARTS = re.compile(r"([ '’-])")
LIBRARY_CODE = {"ru": "ru", "be": "by"}  # cyrtranslit calls Belarusian "by"

VOWEL = "aeiouyаеёиоуыэюяі"  # Latin, and Cyrillic already spelt out by an earlier rule
# Ordered: longer spellings first. Each is (pattern, Russian, Belarusian), on a lower-case word.
SPELLINGS: tuple[tuple[str, str, str], ...] = (
    (r"shch", "щ", "шч"),
    (r"sch", "ш", "ш"),
    (r"chr", "кр", "кр"),
    (r"zh", "ж", "ж"),
    (r"kh", "х", "х"),
    (r"ch", "ч", "ч"),
    (r"sh", "ш", "ш"),
    (r"ph", "ф", "ф"),
    (r"th", "т", "т"),
    (r"ck", "к", "к"),
    (r"qu", "кв", "кв"),
    (r"x", "кс", "кс"),
    (r"t[sz]", "ц", "ц"),
    (r"j", "дж", "дж"),
    (r"c(?=[eiy])", "с", "с"),
    (r"c", "к", "к"),
    (r"w", "в", "в"),
    (r"q", "к", "к"),
    (r"ee", "и", "і"),
    (r"oo", "у", "у"),
    (r"lh", "льг", "льг"),  # Volha: Вольга
    (rf"(?<=[{VOWEL}])h(?![{VOWEL}])", "", ""),  # the silent h of John, Sarah, Hannah
    (r"yia\b", "ия", "ыя"),  # Viktoryia
    (r"(?<=[^aeiouy])ia\b", "ия", "ія"),  # Maria, Natalia (inside a word, "ia" is "я": Siarhei)
    (r"y(?=[aeou])|(?<=[^aeiouy])i(?=[aou])", "\x01", "\x01"),  # y or i before a vowel: я, ю, ё, е
    (r"\x01a", "я", "я"),
    (r"\x01u", "ю", "ю"),
    (r"\x01o", "ё", "ё"),
    (r"\x01e", "е", "е"),
    (r"(?<=[aeo])[iy]\b", "й", "й"),  # Andrei, Siarhei, Roy
    (r"^e", "э", "э"),
    (rf"(?<=[{VOWEL}])u(?![{VOWEL}])", "у", "ў"),  # Yauhen, Tsikhanouskaya: "аў", "оў" in Belarusian
    (r"g", "г", "г"),
)
_RULES = [(re.compile(pattern), ru, be) for pattern, ru, be in SPELLINGS]


def clean(text: str) -> str | None:
    """The name as typed, spaces tidied; None if it does not look like a first name (a sentence, digits,
    emoji, or longer than LONGEST)."""
    name = " ".join(text.split())
    if not name or len(name) > LONGEST or NAME.fullmatch(name) is None:
        return None
    return name


def is_latin(name: str) -> bool:
    return LATIN.search(name) is not None


def to_cyrillic(name: str, language: Language) -> str:
    """The name in the letter's alphabet: Cyrillic stays as typed; each Latin word is spelt out."""
    return "".join(_word(part, language) if LATIN.search(part) else part for part in PARTS.split(name))


def _word(word: str, language: Language) -> str:
    spelt = word.lower()
    for pattern, ru, be in _RULES:
        spelt = pattern.sub(ru if language == "ru" else be, spelt)
    spelt = spelt.replace("\x01", "й")  # a y before a vowel that no rule above took
    cyrillic = str(cyrtranslit.to_cyrillic(spelt, LIBRARY_CODE[language]))
    return cyrillic[:1].upper() + cyrillic[1:]
