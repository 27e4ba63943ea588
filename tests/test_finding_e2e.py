"""Finding someone, end to end (issue 13, item 5): filters that combine, shown as removable chips with
"clear all"; facilities with their town, in natural order; interests several to a row; and going back
never loses the person: "Back to the card" on every screen about them, and "I sent it" within reach
later from /letters or a search, with no new suggestion taking the hold."""

from __future__ import annotations

from datetime import date
from typing import Any

from babel.dates import format_date
from sqlmodel import col, select

from bot.models import Hold, Prisoner, Supporter
from bot.rules import filters
from bot.sandbox import demo
from tests.harness import Harness, Person, buttons, seed_demo

WOMEN_RU = {first[1] for first in demo.WOMEN}


def keyboard(message: dict[str, Any]) -> list[list[str]]:
    return [[b["text"] for b in row] for row in message.get("reply_markup", {}).get("inline_keyboard", [])]


def name_of(card: dict[str, Any]) -> str:
    return str(card["text"].split("\n")[0].split(",")[0])


async def stored_filter(bot: Harness, person: Person) -> str | None:
    async with bot.application.bot_data["deps"].db.transaction() as session:
        query = select(Supporter.suggest_filter).where(Supporter.telegram_id == person.id)
        stored: str | None = (await session.exec(query)).one()
        return stored


async def holds_of(bot: Harness, person: Person) -> list[tuple[str, bool]]:
    """The supporter's hold rows: whom (Russian name), and whether still open."""
    async with bot.application.bot_data["deps"].db.transaction() as session:
        rows = await session.exec(
            select(Prisoner.name_ru, Hold.released_at)
            .join(Hold, col(Hold.prisoner_id) == Prisoner.id)
            .join(Supporter, col(Supporter.id) == Hold.supporter_id)
            .where(Supporter.telegram_id == person.id)
            .order_by(col(Hold.id))
        )
        return [(name, released is None) for name, released in rows.all()]


async def test_filters_combine_as_chips_and_clear_all(bot: Harness) -> None:
    await seed_demo(bot)
    person = bot.person(6201, "Ala", language_code="ru")
    await person.send("/suggest")
    await person.press("Фильтры")
    menu = person.last()
    assert "Сейчас без фильтра" in menu["text"] and "Фильтры можно сочетать" in menu["text"]
    assert not [label for label in buttons(menu) if label.startswith("✕")]

    # Facilities show their town and sort by number: ИК №2 before ИК №15.
    await person.press("Учреждение")
    offered = [label for label in buttons(person.last()) if label != "Назад"]
    assert offered == [
        "ИК №2 (Бобруйск)", "ИК №3 (Витебский р-н)", "ИК №4 (Гомель)", "ИК №15 (Могилёв)", "СИЗО №1 (Минск)",
        "Тюрьма №1 (Гродно)",
    ]  # fmt: skip
    assert await person.press("ИК №15 (Могилёв)") == {"text": "Фильтр сохранён.", "show_alert": False}
    assert "Где содержится: ИК №15" in person.last()["text"]

    # A second filter joins the first: in that colony there are only men, so no one is left.
    await person.press("Фильтры")
    menu = person.last()
    assert "Фильтры сейчас: ИК №15 (Могилёв)" in menu["text"]
    assert keyboard(menu)[:2] == [["✕ ИК №15 (Могилёв)"], ["Снять все фильтры"]]
    assert "✓ Учреждение" in buttons(menu)
    await person.press("Женщины")
    nobody = person.last()
    assert "Под этот фильтр сейчас никто не подходит" in nobody["text"]
    assert keyboard(nobody)[:2] == [["✕ Женщины", "✕ ИК №15 (Могилёв)"], ["Снять все фильтры"]]
    assert await stored_filter(bot, person) == f"gender:female;fac:{filters.key('ИК №15')}"

    # A chip's ✕ removes that filter alone and shows what is left.
    assert await person.press("✕ ИК №15 (Могилёв)") == {"text": "Фильтр снят.", "show_alert": False}
    assert "Фильтры сейчас: Женщины" in person.last()["text"]
    assert await stored_filter(bot, person) == "gender:female"
    await person.press("Найти, кому написать")
    assert name_of(person.last()).split()[0] in WOMEN_RU

    # Women in another colony: every card then offered is a woman held there.
    await person.press("Фильтры")
    await person.press("Учреждение")
    await person.press("ИК №2 (Бобруйск)")
    seen = 0
    while "Где содержится: ИК №2" in person.last()["text"]:
        assert name_of(person.last()).split()[0] in WOMEN_RU
        seen += 1
        await person.press("Другой человек")
    assert seen >= 2 and "никто не подходит" in person.last()["text"]

    await person.press("Снять все фильтры")
    assert await stored_filter(bot, person) is None
    assert "REPUBLIC OF BELARUS" in person.last()["text"]
    assert not bot.bad_requests()


async def test_a_month_of_birth_and_an_interest_combine(bot: Harness) -> None:
    await seed_demo(bot)
    person = bot.person(6203, "Ala", language_code="ru")
    await person.send("/suggest")
    await person.press("Фильтры")
    await person.press("Увлечение")
    rows = keyboard(person.last())
    assert len(rows[0]) == 3 and rows[-1] == ["Назад"]  # several to a row
    await person.press("шахматы")
    shown = name_of(person.last())
    # A month in which someone else who likes chess was born (the one shown is not offered again soon).
    today = bot.application.bot_data["deps"].today()
    chess = [
        p for p in demo.people(today)
        if p["status"] == "active" and "chess" in (p["interests"] or "") and p["birth_month"] and p["name_ru"] != shown
    ]  # fmt: skip
    month = chess[0]["birth_month"]
    label = format_date(date(2000, month, 1), "LLLL", locale="ru")
    await person.press("Фильтры")
    await person.press("Месяц рождения")
    await person.press(label)
    card = person.last()
    assert "шахматы" in card["text"]
    assert name_of(card) in {p["name_ru"] for p in chess if p["birth_month"] == month}
    assert await stored_filter(bot, person) == f"month:{month};int:{filters.key('chess')}"
    await person.press("Фильтры")
    assert keyboard(person.last())[:2] == [[f"✕ {label}", "✕ шахматы"], ["Снять все фильтры"]]
    assert {"✓ Месяц рождения", "✓ Увлечение"} <= set(buttons(person.last()))
    await person.press("Месяц рождения")
    assert f"✓ {label}" in buttons(person.last())
    await person.press("Назад")
    assert await person.press("Снять все фильтры") == {"text": "Все фильтры сняты.", "show_alert": False}
    assert "REPUBLIC OF BELARUS" in person.last()["text"]
    assert await stored_filter(bot, person) is None
    assert not bot.bad_requests()


async def test_going_back_never_loses_the_person(bot: Harness) -> None:
    await seed_demo(bot)
    person = bot.person(6202, "Ala", language_code="en")
    first = await person.send("/suggest")
    name = name_of(first)

    async def back_to_the_card() -> None:
        await person.press("Back to the card")
        assert name_of(person.last()) == name and "REPUBLIC OF BELARUS" in person.last()["text"]

    for way in (["Letter text"], ["Letter text", "Other occasion"], ["I sent a letter"],
                ["I sent a postcard", "Earlier"], ["Filters"], ["Filters", "Facility", "Back"]):  # fmt: skip
        for label in way:
            await person.press(label)
        assert "Back to the card" in buttons(person.last()), way
        await back_to_the_card()
    held = await holds_of(bot, person)
    assert len(held) == 1 and held[0][1]  # the same hold all along: none released, none placed again

    # Another suggestion takes the hold; /letters still leads back to the first person, to log the letter.
    await person.press("Another person")
    second = name_of(person.last())
    letters = await person.send("/letters")
    assert "Suggested to you lately" in letters["text"]
    assert {f"✉️ {name}", f"✉️ {second}"} <= set(buttons(letters))
    await person.press(f"✉️ {name}")
    assert name_of(person.last()) == name
    await person.press("I sent a letter")
    await person.press("Today")
    assert person.last()["text"].startswith(f"Saved: a letter to {name}")
    await back_to_the_card()
    letters = await person.send("/letters")
    assert f"✉️ {name}" not in buttons(letters) and f"✉️ {second}" in buttons(letters)

    # A search reaches the second person's "I sent it" too; looking someone released up releases nothing.
    card = await person.send(f"/suggest {second}")
    assert name_of(card) == second
    still_held = [who for who, still in await holds_of(bot, person) if still]
    assert len(still_held) == 1
    await person.send("/suggest Viktar Siniak")
    assert "has been released" in person.last()["text"] and "I sent a letter" not in buttons(person.last())
    assert [who for who, still in await holds_of(bot, person) if still] == still_held
    await person.press("I sent a postcard", card)
    await person.press("Yesterday")
    edited = next(m for m in person.messages() if m["message_id"] == card["message_id"])
    assert edited["text"].startswith(f"Saved: a postcard to {second}")
    assert not [who for who, still in await holds_of(bot, person) if still]
    assert not bot.bad_requests()


async def test_the_8_march_reminder_finds_a_woman_whatever_filters_were_set(bot: Harness) -> None:
    from bot.handlers import buttons as kinds

    await seed_demo(bot)
    person = bot.person(9301, "Ala", language_code="en")
    shown = await person.send("/suggest")
    await person.press_data(shown["message_id"], kinds.SetFilter("gender", "male").data())
    assert await stored_filter(bot, person) == "gender:male"
    # The reminder's "Find a woman to write to": women alone, not women among men (no one).
    await person.press_data(shown["message_id"], kinds.ReminderOpen(0, "1").data())
    assert await stored_filter(bot, person) == "gender:female"
    async with bot.application.bot_data["deps"].db.transaction() as session:
        held = (await session.exec(select(Hold).order_by(col(Hold.id).desc()))).first()
        assert held is not None
        woman = await session.get(Prisoner, held.prisoner_id)
    assert woman is not None and woman.gender == "female"
