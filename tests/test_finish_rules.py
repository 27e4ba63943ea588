"""The pure parts of finishing a letter: a name offered in Cyrillic, the writer's words filled in or taken
out, every letter text finished without a bracket left, and the printable PDF."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from bot import TEMPLATES_DIR
from bot.models import LetterKind
from bot.rules import letter_fill, letter_pdf, transliteration
from bot.rules.occasions import Occasion
from bot.services.finished_letters import Choices, finish, phrases_in
from bot.services.letter_texts import Library


@pytest.mark.parametrize(
    ("typed", "ru", "be"),
    [
        ("John", "Джон", "Джон"),
        ("Anna", "Анна", "Анна"),
        ("Zhenya", "Женя", "Женя"),
        ("Siarhei", "Сярхей", "Сяргей"),
        ("Yauhen", "Яухен", "Яўген"),
        ("Volha", "Вольга", "Вольга"),
        ("Hanna", "Ханна", "Ганна"),
        ("Maria", "Мария", "Марія"),
        ("Chris", "Крис", "Кріс"),
        ("Mary-Jane", "Мари-Джане", "Мары-Джане"),
        ("Алесь", "Алесь", "Алесь"),  # Cyrillic stays as typed
    ],
)
def test_a_latin_name_is_offered_in_cyrillic(typed: str, ru: str, be: str) -> None:
    assert transliteration.to_cyrillic(typed, "ru") == ru
    assert transliteration.to_cyrillic(typed, "be") == be


NOT_NAMES = ["", "  ", "Hello! I want to write", "R2D2", "a" * 41, "Anna 🌷", "one two three four"]


@pytest.mark.parametrize("typed", NOT_NAMES)
def test_what_is_not_a_first_name_is_refused(typed: str) -> None:
    assert transliteration.clean(typed) is None


def test_a_name_is_tidied() -> None:
    assert transliteration.clean("  Anna   Maria ") == "Anna Maria"
    assert transliteration.clean("D'Arcy") == "D'Arcy"


def test_words_left_out_take_what_only_made_sense_around_them() -> None:
    about, hobby = letter_fill.ABOUT, letter_fill.HOBBY
    body = f"Меня зовут Джон, {about}. Как Вы?\n\nНемного о себе: {about}. Люблю {hobby}."
    assert letter_fill.fill(body, about=None, hobby=None) == "Меня зовут Джон. Как Вы?"
    filled = letter_fill.fill(body, about="я живу в деревне", hobby="читать")
    assert filled == "Меня зовут Джон, я живу в деревне. Как Вы?\n\nНемного о себе: я живу в деревне. Люблю читать."
    assert letter_fill.join(["a", "b", "c"], "и") == "a, b и c"
    assert letter_fill.join([], "и") == ""


def test_choices_read_back_only_as_buttons_write_them() -> None:
    assert Choices.parse("000000") == Choices()
    chosen = Choices.parse("213104")
    assert chosen == Choices((2, 1, 3, 1, 0, 4))
    assert chosen.chosen("pets") is None and chosen.chosen("hobby") == "music" and chosen.chosen("writer") == "woman"
    assert chosen.toggle(0, 2).code == "013104" and chosen.toggle(0, 1).code == "113104"
    for forged in ("", "00000", "0000000", "300000", "000030", "0000a0", "00000５"):
        assert Choices.parse(forged) is None


def test_every_letter_text_finishes_without_a_place_left_empty() -> None:
    library, phrases = Library(TEMPLATES_DIR), phrases_in(Library(TEMPLATES_DIR).root)
    for occasion in Occasion:
        for kind in LetterKind:
            for variant in range(1, library.count(occasion, kind) + 1):
                for language in ("ru", "be"):
                    for code in ("000000", "111111", "232224", "020100"):
                        choices = Choices.parse(code)
                        assert choices is not None
                        done = finish(
                            library, phrases, occasion=occasion, kind=kind, variant=variant, language=language,
                            prisoner_name="Мария Колесникова", prisoner_name_en="Maryia", gender="female",
                            writer="Джон", choices=choices,
                        )  # fmt: skip
                        for text in (done.body, done.gloss):
                            where = (occasion, kind, variant, language, code)
                            assert not re.search(r"[\[\]\x02\x03]|, \.|: \.|  |\n\n\n", text), (where, text)
                            assert "Джон" in text, where
                        if code[0] == "2":  # written as a woman: no "(а)" left
                            assert "(" not in done.body, (occasion, kind, variant, language)


def test_the_pdf_has_the_letter_and_the_envelope_page() -> None:
    letter = "Дорогая Мария!\n\n" + "Пусть у Вас будут силы, здоровье и терпение. " * 80 + "\n\nЎ і № — Джон"
    envelope = ["Мария Колесникова", "ИК №4", "ул. Антошкина, 3", "246035, г. Гомель", "REPUBLIC OF BELARUS"]
    pdf = PdfReader(io.BytesIO(letter_pdf.build(letter, envelope, cut_hint="✂ Cut here")))
    assert len(pdf.pages) == 3  # a long letter takes two pages, then the envelope
    assert "Ў і № — Джон" in pdf.pages[1].extract_text()
    last = pdf.pages[2].extract_text()
    assert all(line in last for line in envelope) and "Cut here" in last
    assert pdf.metadata is not None and "Мария" not in str(dict(pdf.metadata))
    short = PdfReader(io.BytesIO(letter_pdf.build("Привет", [], cut_hint="")))
    assert len(short.pages) == 1  # no address, no envelope page
