"""Long real-world records: a card fits Telegram's limit whatever the bio, facilities with long names
can be chosen as a filter (a page at a time), and both databases refuse the same over-long values."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import exc, text
from sqlmodel import select

from bot.db import Database
from bot.importing import record
from bot.models import Supporter
from bot.rules import filters, limits
from bot.sandbox.formatting import parse_html
from bot.services import prisoners
from tests.harness import Harness, buttons

LONG_FACILITY = (
    "Исправительная колония №{n} для лиц, впервые осуждённых к лишению свободы, управления ДИН МВД по области"
)


def person_row(index: int, **extra: str) -> dict[str, Any]:
    row = {
        "source_id": f"long-{index}", "name_be": f"Асоба {index}", "name_ru": f"Персона {index}",
        "name_en": f"Person {index}", "gender": "female", "birth_date": "1980-05-05", "status": "active",
        "institution_be": f"Калонія {index}", "institution_ru": f"Колония {index}",
        "address_be": "вул. Кірава, 1\n230023, г. Гродна", "address_ru": "ул. Кирова, 1\n230023, г. Гродно",
        **extra,
    }  # fmt: skip
    result = record.parse_row(row, f"line {index}")
    assert not result.errors, result.errors
    return result.values


async def load(bot: Harness, rows: list[dict[str, Any]]) -> None:
    deps = bot.application.bot_data["deps"]
    async with deps.db.transaction() as session:
        await prisoners.upsert(session, rows, now=bot.clock.utc(), actor=None)


@pytest.mark.parametrize("locale", ["ru", "be", "en"])
async def test_a_card_with_the_longest_record_fits_one_message(bot: Harness, locale: str) -> None:
    # 4,500 characters of bio, half of them outside the Basic Multilingual Plane count twice in UTF-16,
    # and markup characters that HTML escaping lengthens.
    bio = ("Любіць кнігі & <шахматы> 📚 " * 200)[:4500]
    await load(bot, [person_row(1, name_be="Б" * 200, name_ru="Р" * 200, name_en="E" * 200,
                                institution_be="І" * 300, institution_ru="И" * 300,
                                interests=";".join(f"interest number {n}" for n in range(60)),
                                bio_be=bio, bio_ru=bio, bio_en=bio)])  # fmt: skip
    reader = bot.person(8301, "Ala", language_code=locale)
    await reader.send("/language")
    await reader.press({"ru": "Русский", "be": "Беларуская", "en": "English"}[locale])
    card = await reader.send("/suggest")
    assert limits.utf16_len(card["text"]) <= limits.TEXT_LIMIT
    assert "Р" * 200 in card["text"] or "Б" * 200 in card["text"] or "E" * 200 in card["text"]
    assert "…" in card["text"]  # the bio was shortened, not dropped
    assert "230023" in card["text"]  # the envelope is whole
    assert reader.last()["message_id"] == card["message_id"]  # and no apology came after it


async def test_a_long_bio_is_shortened_within_the_limit_as_telegram_counts_it(bot: Harness) -> None:
    await load(bot, [person_row(2, bio_en="word " * 2000)])
    reader = bot.person(8302, "Ala", language_code="en")
    card = await reader.send("/suggest")
    assert 3500 < limits.utf16_len(parse_html(card["text"]).text) <= limits.TEXT_LIMIT  # used, not wasted


async def test_facilities_with_long_names_are_chosen_a_page_at_a_time(bot: Harness) -> None:
    names = [LONG_FACILITY.format(n=n) + " " + "и" * (n * 7) for n in range(1, 26)]
    assert all(80 < len(name) <= 300 for name in names)
    await load(bot, [person_row(n, institution_ru=name, institution_be=name) for n, name in enumerate(names, 1)])
    reader = bot.person(8303, "Ala", language_code="ru")
    first = await reader.send("/suggest")
    await reader.press("Фильтры")
    await reader.press("Учреждение")
    pages = [buttons(reader.last())]
    while "▶" in pages[-1]:
        await reader.press("▶")
        pages.append(buttons(reader.last()))
    offered = [label for page in pages for label in page if label not in ("◀", "▶", "Назад")]
    # With their town, and in the order of their numbers (№2 before №10, as a person reads them).
    assert len(pages) == 3 and offered == [f"{name} (Гродно)" for name in names]
    chosen = next(name for name in names[20:] if name not in first["text"])  # on the last page
    await reader.press(f"{chosen} (Гродно)")
    card = reader.last()
    assert chosen in card["text"]
    async with bot.application.bot_data["deps"].db.transaction() as session:
        stored = (await session.exec(select(Supporter.suggest_filter).where(Supporter.telegram_id == reader.id))).one()
    assert stored == f"fac:{filters.key(chosen)}"
    await reader.press("Фильтры")
    assert chosen in reader.last()["text"]  # the filter screen names the chosen facility


@pytest.mark.parametrize(
    ("table", "column", "length"),
    [("prisoner", "institution_ru", 300), ("prisoner", "name_be", 200), ("supporter", "suggest_filter", 80)],
)
async def test_both_databases_refuse_a_value_longer_than_its_column(
    database: Database, table: str, column: str, length: int
) -> None:
    async with database.transaction() as session:
        await prisoners.upsert(session, [person_row(1)], now=record.datetime(2026, 1, 1), actor=None)
        await session.exec(  # type: ignore[call-overload]
            text("INSERT INTO supporter (telegram_id, is_active, created_at, last_seen_at) VALUES (5, true, :t, :t)"),
            params={"t": record.datetime(2026, 1, 1)},
        )
    statement = text(f"UPDATE {table} SET {column} = :value")
    async with database.transaction() as session:
        await session.exec(statement, params={"value": "я" * length})  # type: ignore[call-overload]
    with pytest.raises(exc.DBAPIError):
        async with database.transaction() as session:
            await session.exec(statement, params={"value": "я" * (length + 1)})  # type: ignore[call-overload]


async def test_long_input_gets_an_answer_that_fits(bot: Harness) -> None:
    """What a person sends is never repeated back whole: the answer must still fit one message."""
    reader = bot.person(8304, "Ala", language_code="en")
    words = [f"{a}{b}{c}x" for a in "abcdefghij" for b in "abcdefghij" for c in "abcdefgh"]  # 800 Latin words
    report = await reader.send("/check " + " ".join(words))
    assert words[0] in report["text"] and words[-1] not in report["text"]
    missing = await reader.send("/suggest " + "я" * 4000)
    assert "No one found" in missing["text"] and "…" in missing["text"]


async def test_a_card_with_an_address_no_envelope_holds_still_arrives(bot: Harness) -> None:
    await load(bot, [person_row(3, address_ru="ул. " + "Длинная " * 600, address_be="вул. " + "Доўгая " * 600)])
    reader = bot.person(8305, "Ala", language_code="ru")
    card = await reader.send("/suggest")
    assert "Персона 3" in card["text"] and limits.utf16_len(card["text"]) <= limits.TEXT_LIMIT
