"""Pure rules: occasions, envelopes, names, fairness, and the letter texts' library."""

from __future__ import annotations

import random
from datetime import date

import pytest

from bot import TEMPLATES_DIR
from bot.models import Gender, LetterKind
from bot.rules import envelope, fairness, names, occasions
from bot.rules.occasions import Occasion
from bot.services import letter_texts


@pytest.mark.parametrize(
    ("occasion", "year", "expected"),
    [
        (Occasion.EASTER_WESTERN, 2027, date(2027, 3, 28)),
        (Occasion.EASTER_ORTHODOX, 2027, date(2027, 5, 2)),
        (Occasion.EASTER_WESTERN, 2025, date(2025, 4, 20)),
        (Occasion.EASTER_ORTHODOX, 2025, date(2025, 4, 20)),
        (Occasion.SOLIDARITY_DAY, 2026, date(2026, 5, 21)),
        (Occasion.CHRISTMAS_ORTHODOX, 2026, date(2026, 1, 7)),
        (Occasion.WOMENS_DAY, 2026, date(2026, 3, 8)),
    ],
)
def test_occasion_dates(occasion: Occasion, year: int, expected: date) -> None:
    assert occasions.date_in_year(occasion, year) == expected


def test_no_protest_date_is_an_occasion() -> None:
    dates = {(occasions.date_in_year(o, 2026).month, occasions.date_in_year(o, 2026).day) for o in occasions.CALENDAR}
    assert (3, 25) not in dates


def test_leap_day_birthdays_fall_on_28_february_in_common_years() -> None:
    assert occasions.next_birthday(2, 29, date(2027, 1, 10)) == date(2027, 2, 28)
    assert occasions.next_birthday(2, 29, date(2027, 3, 1)) == date(2028, 2, 29)
    assert (2, 29) in occasions.birthday_window(date(2027, 2, 20), 10)
    assert (2, 29) not in occasions.birthday_window(date(2028, 2, 20), 5)


def test_next_dates_and_ages() -> None:
    assert occasions.next_date(Occasion.NEW_YEAR, date(2026, 11, 22)) == date(2027, 1, 1)
    assert occasions.next_birthday(None, 5, date(2026, 1, 1)) is None
    assert occasions.age_on(1982, 4, 24, date(2026, 4, 23)) == 43
    assert occasions.age_on(1982, 4, 24, date(2026, 4, 24)) == 44
    assert occasions.age_on(1982, None, None, date(2026, 1, 1)) == 44
    assert [o for o, _ in occasions.upcoming(date(2026, 12, 1), 40)] == [
        Occasion.CHRISTMAS_WESTERN,
        Occasion.NEW_YEAR,
        Occasion.CHRISTMAS_ORTHODOX,
    ]


def test_envelope_as_domain_shows_it() -> None:
    lines = envelope.envelope("Мария Колесникова", "ИК №4", "ул. Антошкина, 3\n246035, г. Гомель")
    assert lines == ["Мария Колесникова", "ИК №4", "ул. Антошкина, 3", "246035, г. Гомель", "REPUBLIC OF BELARUS"]


def test_one_line_address_with_postcode_first_is_reordered() -> None:
    assert envelope.address_lines("213105, г. Магілёў, Слаўгарадская шаша, 183") == [
        "Слаўгарадская шаша, 183",
        "213105, г. Магілёў",
    ]


@pytest.mark.parametrize(
    ("full", "first"),
    [("Мария Колесникова", "Мария"), ("Колесникова Мария Александровна", "Мария"),
     ("Калеснікава Марыя Аляксандраўна", "Марыя"), ("Іван Іваноў", "Іван"), ("Сяргей", "Сяргей")],
)  # fmt: skip
def test_first_name(full: str, first: str) -> None:
    assert names.first_name(full) == first


def test_fold_forgives_case_and_diacritics() -> None:
    assert names.fold("Ёлка Ўладзімір ŚWIĘTY") == "елка уладзімір swiety"  # і stays: it is a letter of its own


def test_fairness_prefers_fewest_recent_letters() -> None:
    today = date(2026, 6, 1)
    busy = fairness.Candidate(1, 5 * fairness.weight(today))
    quiet = fairness.Candidate(2, 1 * fairness.weight(today))
    assert fairness.choose([busy, quiet], today, random.Random(1)) == quiet


def test_old_letters_count_less() -> None:
    today = date(2026, 6, 1)
    assert fairness.recent_letters(fairness.weight(date(2026, 5, 2)), today) == pytest.approx(0.5)
    assert fairness.recent_letters(fairness.weight(today), today) == pytest.approx(1.0)


def test_birthday_soon_raises_priority() -> None:
    today = date(2026, 6, 1)
    birthday = fairness.Candidate(1, 1 * fairness.weight(today), birthday_in_days=10)
    other = fairness.Candidate(2, 1 * fairness.weight(today))
    assert fairness.choose([birthday, other], today, random.Random(1)) == birthday
    far = fairness.Candidate(1, 2 * fairness.weight(today), birthday_in_days=60)
    assert fairness.choose([far, other], today, random.Random(1)) == other


def test_ties_are_spread_at_random() -> None:
    today = date(2026, 6, 1)
    tied = [fairness.Candidate(i, 0.0) for i in range(10)]
    rng = random.Random(7)
    assert len({fairness.choose(tied, today, rng).prisoner_id for _ in range(50)}) > 5  # type: ignore[union-attr]
    assert fairness.choose([], today, rng) is None


def test_every_occasion_has_several_texts_in_both_languages_with_a_gloss() -> None:
    library = letter_texts.Library(TEMPLATES_DIR)
    for occasion in Occasion:
        for kind in LetterKind:
            count = library.count(occasion, kind)
            assert count >= 3, (occasion, kind)  # several, so that letters to one person differ
            for variant in range(1, count + 1):
                for language in ("ru", "be", "en"):
                    body = library.render(occasion, kind, variant, language, name="Іван Іваноў", gender=None).body
                    assert body and "{{" not in body
                    if kind == LetterKind.POSTCARD:
                        assert len(body) < 400, (occasion, variant, language)


@pytest.mark.parametrize(
    ("language", "gender", "greeting"),
    [("ru", Gender.FEMALE.value, "Дорогая Мария!"), ("ru", Gender.MALE.value, "Дорогой Мария!"),
     ("ru", None, "Здравствуйте, Мария!"), ("be", Gender.FEMALE.value, "Дарагая Мария!"),
     ("be", Gender.MALE.value, "Дарагі Мария!"), ("en", None, "Dear Мария,"), ("en", Gender.MALE.value, "Dear Мария,")],
)  # fmt: skip
def test_greeting_agrees_with_gender(language: str, gender: str | None, greeting: str) -> None:
    library = letter_texts.Library(TEMPLATES_DIR)
    text = library.render(Occasion.GENERAL, LetterKind.POSTCARD, 1, language, name="Мария Колесникова", gender=gender)
    assert text.body.startswith(greeting)


def test_writer_words_show_both_forms() -> None:
    assert letter_texts.both_forms("подумал", "подумала") == "подумал(а)"
    assert letter_texts.both_forms("падумаў", "падумала") == "падумаў (падумала)"


@pytest.mark.parametrize(
    ("today", "gender", "birthday", "written", "expected"),
    [
        (date(2026, 4, 1), "female", (4, 20), False, Occasion.BIRTHDAY),
        (date(2026, 12, 1), "male", (7, 1), True, Occasion.CHRISTMAS_WESTERN),
        (date(2026, 2, 20), "male", (7, 1), True, Occasion.GENERAL),  # 8 March is not offered for men
        (date(2026, 2, 20), "female", (7, 1), True, Occasion.WOMENS_DAY),
        (date(2026, 9, 1), None, (None, None), False, Occasion.FIRST),
    ],
)
def test_default_occasion(
    today: date, gender: str | None, birthday: tuple[int | None, int | None], written: bool, expected: Occasion
) -> None:
    found = letter_texts.default_occasion(
        birth_month=birthday[0], birth_day=birthday[1], gender=gender, today=today, written_before=written
    )
    assert found == expected


@pytest.mark.parametrize(
    ("institution", "kind"),
    [("ИК №4", "colony"), ("ПК №15", "colony"), ("Исправительная колония №3", "colony"), ("КП №6", "settlement"),
     ("СИЗО №1", "pretrial"), ("СІЗА №1", "pretrial"), ("Тюрьма №1", "prison"), ("Турма №8", "prison"),
     ("г. Гомель", None), ("", None)],
)  # fmt: skip
def test_facility_kind_reads_the_short_name(institution: str, kind: str | None) -> None:
    assert envelope.facility_kind(institution) == kind


def test_8_march_is_offered_only_for_women() -> None:
    assert Occasion.WOMENS_DAY in letter_texts.offered_occasions(Gender.FEMALE.value)
    for gender in (Gender.MALE.value, None):
        offered = letter_texts.offered_occasions(gender)
        assert Occasion.WOMENS_DAY not in offered and Occasion.SOLIDARITY_DAY in offered
