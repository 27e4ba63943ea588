"""Suggestion filters as stored (bot/rules/filters.py): they combine one per slot, every combination fits
the column, a stored value is read strictly, and facilities sort by their numbers."""

from __future__ import annotations

import itertools

from bot.models import Supporter
from bot.rules import envelope, filters

KEY = filters.key("ИК №15")


def test_filters_combine_one_of_each_slot_in_a_fixed_order() -> None:
    women = filters.Filter("gender", "female")
    colony = filters.Filter("fac", KEY)
    chosen = filters.adding(filters.adding((), colony), women)
    assert chosen == (women, colony)
    assert filters.store(chosen) == f"gender:female;fac:{KEY}"
    assert filters.parse(filters.store(chosen)) == chosen
    # One of a slot replaces the other: men for women, a month for birthdays soon.
    assert filters.adding(chosen, filters.Filter("gender", "male")) == (filters.Filter("gender", "male"), colony)
    soon = filters.adding(chosen, filters.Filter("bday"))
    assert filters.adding(soon, filters.Filter("month", "7"))[0] == filters.Filter("month", "7")
    assert filters.without(chosen, "gender") == (colony,)
    assert filters.store(filters.without(chosen, "gender")) == f"fac:{KEY}"  # as one filter was stored before
    assert filters.store(()) is None and filters.parse(None) == () and filters.parse("") == ()


def test_every_combination_fits_the_column() -> None:
    column = Supporter.__table__.c.suggest_filter.type.length  # type: ignore[attr-defined]
    assert column == filters.STORED_MAX
    slots = [
        [filters.Filter("bday"), filters.Filter("month", "12")],
        [filters.Filter("gender", "female"), filters.Filter("gender", "male")],
        [filters.Filter("fac", "f" * 10)],
        [filters.Filter("int", "e" * 10)],
    ]
    longest = max(
        len(filters.store(combination) or "")
        for combination in itertools.product(*slots)
    )  # fmt: skip
    assert 50 < longest <= filters.STORED_MAX


def test_a_stored_value_is_read_strictly() -> None:
    assert filters.parse("month:13;gender:other;fac:../x;int:ABCDEF0123;colour:red") == ()
    assert filters.parse(f"int:{KEY};month:03;month:4") == (filters.Filter("month", "4"), filters.Filter("int", KEY))


def test_facilities_sort_by_their_numbers() -> None:
    names = ["ИК №15", "Тюрьма №1", "ИК №2", "СИЗО №1", "ИК №3", "ик №10"]
    assert sorted(names, key=filters.natural) == ["ИК №2", "ИК №3", "ик №10", "ИК №15", "СИЗО №1", "Тюрьма №1"]


def test_the_town_of_an_address() -> None:
    assert envelope.town("ул. Антошкина, 3\n246035, г. Гомель") == "Гомель"
    assert envelope.town("213105, г. Магілёў, Слаўгарадская шаша, 183") == "Магілёў"
    assert envelope.town("п. Витьба\n211323, Витебский р-н") == "Витебский р-н"
    assert envelope.town("ул. Кирова, 1") is None
