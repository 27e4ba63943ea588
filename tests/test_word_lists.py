"""The censor's word lists (bot/rules/censor/*.txt): every entry catches the inflected forms its line
gives, in a sentence of its language; the newcomer's drafts of issue 13 are flagged; the parts of a
long draft are checked together; the bot's own texts stay clean."""

from __future__ import annotations

import pytest

from bot import TEMPLATES_DIR
from bot.i18n import I18n
from bot.models import Gender, LetterKind
from bot.rules import draft_check, word_lists
from bot.rules.occasions import Occasion
from bot.services.letter_texts import Library

SENTENCE = {
    "ru": "Добрый день! Пишу Вам из дома. {} Желаю Вам здоровья и сил.",
    "be": "Добры дзень! Пішу Вам з дому. {} Жадаю Вам здароўя і сіл.",
    "en": "Hello! I am writing from home. {} I wish you health and strength.",
}
ENTRIES = word_lists.entries()


def test_the_lists_are_read() -> None:
    for language in word_lists.LANGUAGES:
        mine = [entry for entry in ENTRIES if entry.language == language]
        assert len(mine) > 150, language
        assert {entry.topic for entry in mine} == set(word_lists.TOPICS), language
    keys = [entry.key for entry in ENTRIES]
    assert len(keys) == len(set(keys)), "an entry written twice"


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda entry: entry.key)
def test_each_entry_catches_its_forms(entry: word_lists.Entry) -> None:
    assert entry.examples, f"{entry.key}: give the inflected forms it must catch"
    for example in entry.examples:
        assert entry.matches(example), (entry.key, example)
        report = draft_check.check(SENTENCE[entry.only_in or entry.language].format(example))
        # Flagged for the entry's topic: by this entry, or by one the same at that place (белсат* is in
        # the Russian and the Belarusian list alike, and the first list to match names it).
        assert entry.topic in report.topics, (entry.key, example, report.topics)


def test_the_sentences_themselves_are_clean() -> None:
    for language, sentence in SENTENCE.items():
        report = draft_check.check(sentence.format(""))
        assert not report.topics, (language, report.topics)


NEWCOMER = "Тихановская и Колесникова передают привет, Вясна о Вас помнит… Мы победим, вся Беларусь с Вами!"


@pytest.mark.parametrize(
    ("draft", "expected"),
    [
        (NEWCOMER, {"opposition": ["Тихановская", "Колесникова"], "organisations": ["Вясна"],
                    "change": ["победим", "Беларусь с Вами"]}),
        ("Про санкции читала статью. Бабарико и Навальный тоже.",
         {"foreign": ["санкции"], "case": ["статью"], "opposition": ["Бабарико", "Навальный"]}),
        ("Ты герой, скоро всё изменится!", {"change": ["герой", "всё изменится"]}),
        ("Міліцыя, незалежнасць і перамога.",
         {"officials": ["Міліцыя"], "politics": ["незалежнасць"], "change": ["перамога"]}),
        ("You will be free soon.", {"freedom": ["be free", "free soon"]}),
    ],
)  # fmt: skip
def test_the_newcomers_drafts_are_flagged(draft: str, expected: dict[str, list[str]]) -> None:
    report = draft_check.check(draft)
    assert not report.clean
    for topic, words in expected.items():
        assert report.topics.get(topic) == words, (topic, report.topics)


def test_vyasna_is_the_organisation_in_russian_and_the_spring_in_belarusian() -> None:
    assert "organisations" in draft_check.check("Вясна о Вас помнит и передаёт привет.").topics
    assert draft_check.check("Вясна ў нас ранняя, і ўжо квітнеюць яблыні.").clean


def test_the_addressees_own_name_is_no_risk() -> None:
    draft = "Дорогая Мария Колесникова! Желаю Вам здоровья."
    assert "opposition" in draft_check.check(draft).topics
    assert draft_check.check(draft, addressee=["Мария Колесникова", "Марыя Калеснікава"]).clean
    other = draft_check.check("Дорогая Мария! Тихановская передаёт привет.", addressee=["Мария Колесникова"])
    assert other.topics == {"opposition": ["Тихановская"]}


def test_the_parts_of_a_long_draft_are_checked_together() -> None:
    first = draft_check.check("Передаю привет от Латушко. Hello! " + "Пишу о книгах. " * 250)
    kept = first.kept()
    assert kept.latin and kept.parts == 1 and kept.length == first.length
    stored = draft_check.Earlier.from_marks(kept.marks(), kept.length, kept.parts)
    assert stored == kept
    assert not any("Латушко" in mark or "Hello" in mark for mark in kept.marks())  # entries, not the draft
    second = draft_check.check("И ещё немного о погоде и о море.", earlier=stored)
    assert second.parts == 2 and second.length == first.length + len("И ещё немного о погоде и о море.")
    assert second.topics == {"opposition": ["Латушко"]}  # the entry's first example: the part is not kept
    assert second.earlier_latin and not second.clean
    alone = draft_check.check("И ещё немного о погоде и о море.")
    assert alone.clean and alone.parts == 1


def test_every_topic_is_explained_in_every_locale() -> None:
    i18n = I18n(TEMPLATES_DIR.parent / "locales", TEMPLATES_DIR, "en")
    for locale in ("be", "ru", "en"):
        for topic in word_lists.TOPICS:
            shown = i18n.render(
                locale, "check_report", topics={topic: ["слово"]}, latin=[], earlier_latin=False,
                abbreviations=[], earlier_abbreviations=False, too_long=False, length=10, parts=1,
                limit=2500, clean=False,
            )  # fmt: skip
            line = next(line for line in shown.splitlines() if "слово" in line)
            assert len(line.split("—", 1)[1].strip()) > 20, (locale, topic, line)


def test_the_bots_own_texts_are_clean_in_every_language() -> None:
    library = Library(TEMPLATES_DIR)
    names = {"ru": "Мария Колесникова", "be": "Марыя Калеснікава", "en": "Maryia Kalesnikava"}
    checked = 0
    for occasion in Occasion:
        for kind in LetterKind:
            for variant in range(1, library.count(occasion, kind) + 1):
                for language, name in names.items():
                    for gender in (Gender.FEMALE.value, Gender.MALE.value, None):
                        body = library.render(occasion, kind, variant, language, name=name, gender=gender).body
                        report = draft_check.check(body)
                        assert not report.topics, (occasion, kind, variant, language, report.topics)
                        if language != "en":  # the English gloss is in Latin letters by nature
                            assert report.clean, (occasion, kind, variant, language, report)
                        checked += 1
    assert checked >= 10 * 2 * 3 * 3 * 3
