"""The supporter's whole journey, end to end in be, ru and en: /start → /suggest → card → text →
mark sent → /letters → reply received → /forget, and nothing of the user left afterwards."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, text
from sqlmodel import select

from bot.models import LetterTally
from tests.harness import Harness, buttons, seed_demo

LABELS: dict[str, dict[str, Any]] = {
    "be": {"pace": "Раз на месяц", "letter": "Тэкст ліста", "sent": "Я адправіў(ла)", "today": "Сёння",
           "reply": "Прыйшоў адказ", "forget": "Так, выдаліць усё", "text_lang": "па-беларуску",
           "greeting": ("Дарагая", "Дарагі", "Добры дзень,"), "saved": "Захавана: ліст"},
    "ru": {"pace": "Раз в месяц", "letter": "Текст письма", "sent": "Я отправил(а)", "today": "Сегодня",
           "reply": "Пришёл ответ", "forget": "Да, удалить всё", "text_lang": "по-русски",
           "greeting": ("Дорогая", "Дорогой", "Здравствуйте,"), "saved": "Сохранено: письмо"},
    "en": {"pace": "Once a month", "letter": "Letter text", "sent": "I sent it", "today": "Today",
           "reply": "Got a reply", "forget": "Yes, delete everything", "text_lang": "in Russian",
           "greeting": ("Дорогая", "Дорогой", "Здравствуйте,"), "saved": "Saved: a letter"},
}  # fmt: skip


@pytest.mark.parametrize("locale", ["be", "ru", "en"])
async def test_whole_journey(bot: Harness, locale: str) -> None:
    await seed_demo(bot)
    labels = LABELS[locale]
    person = bot.person(4000 + len(locale) + ord(locale[0]), "Writer", language_code=locale)
    await person.send("/start")
    await person.press(labels["pace"])
    card = await person.send("/suggest")
    assert "REPUBLIC OF BELARUS" in card["text"]
    assert any(entity["type"] == "pre" for entity in card["entities"])
    envelope = next(e for e in card["entities"] if e["type"] == "pre")
    lines = card["text"].encode("utf-16-le")[envelope["offset"] * 2 : (envelope["offset"] + envelope["length"]) * 2]
    envelope_lines = lines.decode("utf-16-le").splitlines()
    assert envelope_lines[-1] == "REPUBLIC OF BELARUS"
    assert all(not any("a" <= c.lower() <= "z" for c in line) for line in envelope_lines[:-1])
    assert len(buttons(card)) == 7  # texts, "I sent it", the envelope's language, another, filters

    await person.press(labels["letter"])
    letter = person.last()
    assert labels["text_lang"] in letter["text"]
    assert letter["text"].split("\n")[2].startswith(labels["greeting"])
    if locale == "en":
        assert any(e["type"] == "expandable_blockquote" for e in letter["entities"])
        assert "What it says, in English" in letter["text"]

    await person.press(labels["sent"])
    await person.press(labels["today"])
    assert person.last()["text"].startswith(labels["saved"])

    history = await person.send("/letters")
    assert len(buttons(history)) == 2
    await person.press(buttons(history)[0])
    assert "✓" in buttons(person.last())[0]

    bot.clock.advance(31 * 24 * 3600)  # a month on: /forget takes back only letters logged lately
    await person.send("/forget")
    await person.press(labels["forget"])
    database = bot.application.bot_data["deps"].db
    async with database.transaction() as session:
        for table, column in (
            ("supporter", "telegram_id"),
            ("rolegrant", "telegram_id"),
            ("auditentry", "actor_telegram_id"),
            ("auditentry", "subject_telegram_id"),
        ):
            count = (
                await session.exec(text(f"SELECT COUNT(*) FROM {table} WHERE {column} = :id"), params={"id": person.id})
            ).one()[0]  # type: ignore[call-overload]
            assert count == 0, table
        for table in ("letter", "hold"):
            assert (await session.exec(text(f"SELECT COUNT(*) FROM {table}"))).one()[0] == 0  # type: ignore[call-overload]
        tallies = (await session.exec(select(func.sum(LetterTally.letters)))).one()
    assert tallies == 1  # the count for the prisoner stays after /forget


async def test_concurrent_users_get_different_people(bot: Harness) -> None:
    await seed_demo(bot)
    names = []
    for index in range(6):
        person = bot.person(5000 + index, f"U{index}", language_code="ru")
        card = await person.send("/suggest")
        names.append(card["text"].split("\n")[0])
    # Holds count like letters: people asking one after another are spread (only someone with a birthday
    # soon may be offered twice).
    assert len(set(names)) >= 5
    assert max(names.count(name) for name in names) <= 2


async def test_another_and_filters(bot: Harness) -> None:
    await seed_demo(bot)
    person = bot.person(6001, "Ala", language_code="en")
    first = await person.send("/suggest")
    await person.press("Another person")
    second = person.last()
    assert second["text"].split("\n")[0] != first["text"].split("\n")[0]
    await person.press("Filters")
    await person.press("Women")
    for _ in range(3):
        card = person.last()
        assert "REPUBLIC OF BELARUS" in card["text"]
        await person.press("Another person")
    await person.press("Filters")
    await person.press("Month of birth")
    await person.press("July")
    assert "Birthday:" in person.last()["text"] and "July" in person.last()["text"]


async def test_search_by_name_any_spelling(bot: Harness) -> None:
    await seed_demo(bot)
    person = bot.person(6002, "Ala", language_code="be")
    card = await person.send("/suggest алесь каваленка")
    assert card["text"].startswith("Алесь Каваленка")
    card = await person.send("/suggest KAVALENKA ales")
    assert card["text"].startswith("Алесь Каваленка")
    assert "Захапленні: кнігі" in card["text"]  # stored as "books": known interests are shown translated
    await person.press("Фільтры")
    await person.press("Захапленне")
    assert {"кнігі", "музыка", "шахматы"} <= set(buttons(person.last()))
    nobody = await person.send("/suggest Zzyzx")
    assert "нікога не знойдзена" in nobody["text"]
    many = await person.send("/suggest а")
    assert len(buttons(many)) == 8


async def test_check_flags_a_draft_and_keeps_nothing(bot: Harness) -> None:
    person = bot.person(6003, "Ala", language_code="ru")
    await person.send("/check")
    report = await person.send("Желаю тебе свободы и сил. Скоро суд. Hello!")
    assert "свободы" in report["text"] and "суд" in report["text"] and "Hello" in report["text"]
    clean = await person.send("/check Дорогая Мария! Желаю здоровья и тепла. Недавно читала хорошую книгу.")
    assert clean["text"].startswith("✅")
    again = await person.send("Недавно читала хорошую книгу.")  # while the check is open: checked again
    assert again["text"].startswith("✅")
    bot.clock.advance(2 * 3600)  # an hour after the last check it is closed: text is not taken as a draft
    after = await person.send("просто текст")
    assert after["text"].startswith("Я не понял")
    database = bot.application.bot_data["deps"].db
    async with database.transaction() as session:
        rows = (await session.exec(text("SELECT pending_input FROM supporter"))).all()  # type: ignore[call-overload]
    assert [row[0] for row in rows] == [None]


async def test_forged_buttons_are_refused(bot: Harness) -> None:
    await seed_demo(bot)
    person = bot.person(6004, "Ala", language_code="en")
    card = await person.send("/suggest")
    for data in (
        "tpl:999999:auto:letter:ru:1",
        "tpl:1:auto:letter:de:1",
        "sd:1:letter:-:99",
        "lt:r:123456",
        "sent:1:parcel:-",
        "flt:month:13",
        "flt:fac:nothing",
        "sug:pick:abc",
        "pace:daily",
        "sug:pick:99999999999999999999",  # beyond any database integer
        "tpl:99999999999999999999:auto:letter:ru:1",
        "sent:99999999999999999999:letter:-",
        "lt:r:99999999999999999999",
        "sug:card:-1",
        "sug:pick:²",  # a digit to str.isdigit, not a number to int()
        "sd:1:letter:-:٣",
        "flt:month:99999999999999999999",
        "sent:1",  # cut short
        "sd:1",
        "tpl:1",
        "lt:d",
        "chk:now",
    ):
        answer = await person.press_data(card["message_id"], data)
        assert answer == {"text": "This button is no longer valid.", "show_alert": True}, data
