"""The draft check flags each risky stem in each language, in inflected forms, and passes the bot's
own letter texts as clean."""

from __future__ import annotations

import pytest

from bot import TEMPLATES_DIR
from bot.models import Gender, LetterKind
from bot.rules import draft_check
from bot.rules.occasions import Occasion
from bot.services.letter_texts import Library

# topic -> words in inflected forms, in ru, be and en
FLAGGED = {
    "politics": ["политика", "политической", "политзаключённым", "оппозиции", "выборах", "революцию",
                 "палітыкай", "палітычных", "палітвязням", "апазіцыі", "выбарах", "рэвалюцыю",
                 "politics", "political", "elections", "opposition"],
    "freedom": ["свобода", "свободы", "свободе", "волю", "воли", "освобождения", "свабоды", "свабодзе", "волю",
                "вызвалення", "freedom", "liberty", "liberation"],
    "struggle": ["борьба", "борьбой", "бороться", "борется", "барацьба", "барацьбе", "змагары", "змаганні",
                 "fight", "fighting", "struggle", "struggling", "resistance"],
    "war": ["война", "войны", "войне", "военных", "вторжения", "Слава Украине", "украинцы", "на фронте",
            "мобилизации", "Путина", "вайна", "вайне", "ваенных", "Украіне", "на фронце", "мабілізацыя",
            "Пуціна", "war", "invasion", "military", "Ukraine", "Ukrainian", "mobilization", "Putin"],
    "case": ["суд", "суда", "судом", "судья", "приговор", "приговора", "уголовное", "адвокату", "статья 342",
             "суд", "суда", "судзе", "прысуд", "прысудам", "адвакат", "court", "trial", "verdict", "sentence",
             "sentenced", "lawyer", "appeal"],
    "protest": ["протест", "протестов", "митинге", "забастовку", "бчб", "пратэсты", "мітынгу", "страйк",
                "protest", "protests", "rally", "strike"],
    "regime": ["режим", "режима", "диктатура", "диктатору", "Лукашенко", "рэжым", "дыктатар", "Лукашэнка",
               "regime", "dictator", "dictatorship"],
    "lgbt": ["ЛГБТ", "геи", "лесбиянки", "квир", "гей", "лесбіянкі", "LGBT", "gay", "lesbian", "queer"],
    "officials": ["менты", "ОМОН", "КГБ", "силовики", "АМАП", "КДБ", "сілавікі", "KGB", "cops"],
}  # fmt: skip


@pytest.mark.parametrize(("topic", "word"), [(t, w) for t, words in FLAGGED.items() for w in words])
def test_each_stem_is_flagged_in_inflected_forms(topic: str, word: str) -> None:
    report = draft_check.check(f"Добрый день. {word} и ещё несколько слов.")
    assert topic in report.topics, (word, report)
    assert not report.clean


@pytest.mark.parametrize(
    "text",
    [
        "Дорогая Мария! Желаю здоровья, тепла и терпения. Недавно читала книгу о море.",
        "Дарагі Іван! Жадаю здароўя, цеплыні і цярпення. Вясной у нас квітнеюць яблыні.",
        "Как дела? Сегодня был хороший день, волосы подстригла, волны на озере.",  # воля is not in волосы
        "Судоку и судак на ужин, в момент заката.",  # суд, мент only as whole words
        "На фронтоне старого дома свили гнездо ласточки.",  # фронт only with its own endings
    ],
)
def test_ordinary_letters_are_clean(text: str) -> None:
    report = draft_check.check(text)
    assert report.clean, report


def test_latin_abbreviations_and_length() -> None:
    report = draft_check.check("Привет, my friend! Как дела в ЖКХ? " + "а" * 2600)
    assert report.latin_words == ["my", "friend"]
    assert report.abbreviations == ["ЖКХ"]
    assert report.too_long


def test_envelope_abbreviations_are_not_ciphers() -> None:
    assert draft_check.check("Передаю привет всем в ИК и СИЗО.").abbreviations == []


def test_the_bots_own_texts_are_clean() -> None:
    library = Library(TEMPLATES_DIR)
    checked = 0
    for occasion in Occasion:
        for kind in LetterKind:
            for variant in range(1, library.count(occasion, kind) + 1):
                for language, name in (("ru", "Мария Колесникова"), ("be", "Марыя Калеснікава")):
                    for gender in (Gender.FEMALE.value, Gender.MALE.value, None):
                        text = library.render(occasion, kind, variant, language, name=name, gender=gender)
                        report = draft_check.check(text.body)
                        assert report.clean, (occasion, kind, variant, language, report)
                        checked += 1
    assert checked >= 10 * 2 * 3 * 2 * 3
