"""The draft check: words and topics that get a letter withheld, Latin text, abbreviations, length.

Stems cover inflected forms in Russian, Belarusian and English. The draft is only read here: it is
never stored or logged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# topic -> stems (regular expressions matched at the start of a word, case-insensitive)
STEMS: dict[str, dict[str, list[str]]] = {
    "politics": {
        "ru": [r"политик\w*", r"политическ\w*", r"политзаключ\w*", r"политзэк\w*", r"оппозиц\w*",
               r"выбор(ы|ов|ах|ам)\b", r"революц\w*", r"президент\w*", r"правительств\w*"],
        "be": [r"палітык\w*", r"палітычн\w*", r"палітвязн\w*", r"палітвязень", r"апазіц\w*",
               r"выбар(ы|аў|ах|ам)\b", r"рэвалюц\w*", r"прэзідэнт\w*", r"урад(а|у|ам|зе)?\b"],
        "en": [r"politic\w*", r"opposition\w*", r"elections?\b", r"revolution\w*", r"president\w*",
               r"government\w*"],
    },
    "freedom": {
        "ru": [r"свобод\w*", r"вол(я|и|е|ю|ей|ею)\b", r"освобожд\w*", r"освобод\w*"],
        "be": [r"свабод\w*", r"вол(я|і|е|ю|яй|яю)\b", r"вызвален\w*", r"вызвал(іць|яць)\w*"],
        "en": [r"freedom\w*", r"liberty", r"liberat\w*"],
    },
    "struggle": {
        "ru": [r"борьб\w*", r"бороть\w*", r"бор(ем|ет|ют|ол)\w*", r"сопротивлен\w*"],
        "be": [r"барацьб\w*", r"змаг\w*", r"супраціў\w*"],
        "en": [r"fight\w*", r"struggl\w*", r"resist\w*"],
    },
    "war": {
        "ru": [r"войн(а|ы|е|у|ой|ам)?\b", r"военн\w*", r"вторжен\w*", r"оккупац\w*", r"украин\w*",
               r"фронт(а|е|у|ом|ов)?\b", r"мобилизац\w*", r"спецопераци\w*", r"путин\w*", r"зеленск\w*"],
        "be": [r"вайн(а|ы|е|у|ой|аў)?\b", r"ваенн\w*", r"уварван\w*", r"акупац\w*", r"украін\w*",
               r"фронт(а|у|ам|аў)?\b", r"фронце\b", r"мабілізац\w*", r"спецаперацы\w*", r"пуцін\w*", r"зяленск\w*"],
        "en": [r"wars?\b", r"invasion\w*", r"occupation\w*", r"military", r"ukrain\w*", r"mobili[sz]ation",
               r"putin\w*", r"zelensk\w*"],
    },
    "case": {
        "ru": [r"суд(а|у|ом|е|ы|ов|ами|ах|ьи|ья|ье|ей)?\b", r"приговор\w*", r"уголовн\w*", r"обвинен\w*",
               r"следовател\w*", r"адвокат\w*", r"апелляц\w*", r"помилова\w*", r"амнист\w*",
               r"стать(и|я|ю|е)\s+\d+"],
        "be": [r"суд(а|у|ом|зе|ы|оў|дзя|дзі)?\b", r"прысуд\w*", r"крымінальн\w*", r"абвінавач\w*",
               r"следч\w*", r"адвакат\w*", r"апеляц\w*", r"памілаван\w*", r"амністы\w*",
               r"артыкул\w*\s+\d+"],
        "en": [r"courts?\b", r"trials?\b", r"verdict\w*", r"sentenc\w*", r"judges?\b", r"lawyers?\b",
               r"appeal\w*", r"pardon\w*", r"amnesty", r"prosecut\w*"],
    },
    "protest": {
        "ru": [r"протест\w*", r"митинг\w*", r"забастов\w*", r"демонстрац\w*", r"бчб\b", r"бело-красно-бел\w*",
               r"жыве\b", r"погон(я|и|ю)\b"],
        "be": [r"пратэст\w*", r"мітынг\w*", r"забастоўк\w*", r"страйк\w*", r"дэманстрац\w*", r"бчб\b",
               r"бел-чырвона-бел\w*", r"жыве\b", r"пагон(я|і|ю)\b"],
        "en": [r"protest\w*", r"rall(y|ies)\b", r"strikes?\b", r"demonstration\w*"],
    },
    "regime": {
        "ru": [r"режим\w*", r"диктат\w*", r"лукашенк\w*", r"хунт\w*", r"тиран\w*"],
        "be": [r"рэжым\w*", r"дыктат\w*", r"лукашэнк\w*", r"хунт\w*", r"тыран\w*"],
        "en": [r"regimes?\b", r"dictat\w*", r"lukashenk\w*", r"tyran\w*"],
    },
    "lgbt": {
        "ru": [r"лгбт\w*", r"гей\b", r"ге(я|ев|ям|ями|и)\b", r"лесби\w*", r"квир\w*", r"трансгендер\w*",
               r"однопол\w*"],
        "be": [r"лгбт\w*", r"гей\b", r"ге(я|яў|ям|ямі|і)\b", r"лесбі\w*", r"квір\w*", r"трансгендар\w*",
               r"аднапол\w*"],
        "en": [r"lgbt\w*", r"gays?\b", r"lesbian\w*", r"queer\w*", r"transgender\w*"],
    },
    "officials": {
        "ru": [r"мент(ы|ов|ам|ами|ах)?\b", r"мусор(а|ов|ам)\b", r"омон\w*", r"кгб\b", r"силовик\w*",
               r"карател\w*"],
        "be": [r"мент(ы|аў|ам|амі|ах)?\b", r"амап\w*", r"кдб\b", r"сілавік\w*", r"карнік\w*"],
        "en": [r"kgb\b", r"omon\b", r"cops?\b"],
    },
}  # fmt: skip
TOPICS = tuple(STEMS)
PATTERNS = {
    topic: re.compile(r"(?<!\w)(" + "|".join(p for stems in by_language.values() for p in stems) + ")", re.IGNORECASE)
    for topic, by_language in STEMS.items()
}
LATIN_WORD = re.compile(r"\b[^\W\d_]*[A-Za-z][^\W\d_]*\b")
ABBREVIATION = re.compile(r"(?<!\w)[А-ЯЁІЎ]{2,6}(?!\w)")
# Short capitalised words that are ordinary on envelopes and in letters, not ciphers.
ALLOWED_ABBREVIATIONS = {"ИК", "ПК", "СИЗО", "СІЗА", "РБ"}
LONG_LETTER = 2500  # characters: about two handwritten pages; longer letters wait longer with the censor


@dataclass
class Report:
    topics: dict[str, list[str]] = field(default_factory=dict)  # topic -> the words found
    latin_words: list[str] = field(default_factory=list)
    abbreviations: list[str] = field(default_factory=list)
    length: int = 0

    @property
    def too_long(self) -> bool:
        return self.length > LONG_LETTER

    @property
    def clean(self) -> bool:
        return not (self.topics or self.latin_words or self.abbreviations or self.too_long)


def _unique(words: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for word in words:
        seen.setdefault(word.lower(), word)
    return list(seen.values())


def check(draft: str) -> Report:
    report = Report(length=len(draft.strip()))
    for topic, pattern in PATTERNS.items():
        found = [match.group(0) for match in pattern.finditer(draft)]
        if found:
            report.topics[topic] = _unique(found)
    already = {word.lower() for words in report.topics.values() for word in words}
    report.latin_words = [w for w in _unique(LATIN_WORD.findall(draft)) if w.lower() not in already]
    report.abbreviations = [
        word for word in _unique(ABBREVIATION.findall(draft))
        if word not in ALLOWED_ABBREVIATIONS and word.lower() not in already
    ]  # fmt: skip
    return report
