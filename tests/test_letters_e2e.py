"""Keeping count and choosing, end to end: an earlier date, deleting a mistaken entry, the filters that
narrow /suggest, and the sweep that releases holds nobody followed up."""

from __future__ import annotations

from datetime import timedelta

from babel.dates import format_date
from sqlalchemy import func
from sqlmodel import select

from bot import jobs
from bot.models import Hold, LetterKind, LetterTally, Prisoner, Supporter
from bot.services import holds, letters, supporters
from tests.harness import Harness, buttons, seed_demo


async def tally(bot: Harness) -> int:
    async with bot.application.bot_data["deps"].db.transaction() as session:
        return int((await session.exec(select(func.coalesce(func.sum(LetterTally.letters), 0)))).one())


async def test_a_letter_sent_earlier_and_a_mistaken_entry_deleted(bot: Harness) -> None:
    await seed_demo(bot)
    person = bot.person(6101, "Ala", language_code="en")
    await person.send("/suggest")
    await person.press("I sent a postcard")
    await person.press("Earlier")
    five_days_ago = bot.application.bot_data["deps"].today() - timedelta(days=5)
    await person.press(format_date(five_days_ago, "d MMMM", locale="en"))
    assert person.last()["text"].startswith("Saved: a postcard")
    assert await tally(bot) == 1

    history = await person.send("/letters")
    assert format_date(five_days_ago, "d MMMM y", locale="en") + " — postcard" in history["text"]
    assert "You have sent 0 letters · 1 postcard" in history["text"]
    await person.press("🗑")
    assert "Only do this if it was a mistake" in person.last()["text"]
    await person.press("No, keep it")
    assert "1 postcard" in person.last()["text"] and await tally(bot) == 1
    await person.press("🗑")
    assert await person.press("Yes, delete") == {"text": "Deleted.", "show_alert": False}
    assert "You have not logged any letters yet" in person.last()["text"]
    assert await tally(bot) == 0
    await person.press("Find someone to write to")  # the empty list offers the next step
    assert "REPUBLIC OF BELARUS" in person.last()["text"]


async def test_filters_by_interest_and_facility_and_when_no_one_matches(bot: Harness) -> None:
    await seed_demo(bot)
    person = bot.person(6102, "Ala", language_code="ru")
    await person.send("/suggest")
    await person.press("Фильтры")
    await person.press("Увлечение")
    await person.press("шахматы")
    for _ in range(3):
        card = person.last()
        assert "Увлечения:" in card["text"] and "шахматы" in card["text"]
        await person.press("Другой человек")

    await person.press("Фильтры")
    assert "шахматы" in person.last()["text"]  # the filter in force is named
    await person.press("Учреждение")
    await person.press("ИК №15 (Могилёв)")  # joins the interest: both hold
    offered = set()
    while "Где содержится: ИК №15" in person.last()["text"]:
        assert "шахматы" in person.last()["text"]
        offered.add(person.last()["text"].split("\n")[0])
        await person.press("Другой человек")
    assert offered  # everyone who matches and was not offered yet, then nobody: each once in two weeks
    assert "Под этот фильтр сейчас никто не подходит" in person.last()["text"]
    await person.press("Снять все фильтры")
    assert "REPUBLIC OF BELARUS" in person.last()["text"]
    assert buttons(person.last())[-1] == "Фильтры"


async def test_the_sweep_releases_holds_after_five_days(bot: Harness) -> None:
    await seed_demo(bot)
    person = bot.person(6103, "Ala", language_code="en")
    await person.send("/suggest")
    database = bot.application.bot_data["deps"].db

    async def open_holds() -> int:
        async with database.transaction() as session:
            rows = (await session.exec(select(Hold).where(Hold.released_at == None))).all()  # noqa: E711
        return len(rows)

    await jobs.expire_holds(bot.application.bot_data["deps"])
    assert await open_holds() == 1  # still within its days
    bot.clock.advance(timedelta(days=holds.HOLD_DAYS, minutes=1).total_seconds())
    await jobs.expire_holds(bot.application.bot_data["deps"])
    assert await open_holds() == 0


async def test_texts_for_another_occasion_variant_and_language(bot: Harness) -> None:
    await seed_demo(bot)
    person = bot.person(6104, "Ala", language_code="en")
    await person.send("/suggest")
    await person.press("Letter text")
    first = person.last()["text"].split("\n")[0]
    assert first.startswith("Letter text · ") and first.endswith("in Russian · variant 1 of 3")
    await person.press("Other occasion")
    assert person.last()["text"].startswith("What is the letter for?")
    assert len(buttons(person.last())) >= 9  # every occasion (8 March only for a woman)
    await person.press("New Year")
    text = person.last()["text"]
    assert text.startswith("Letter text · New Year · in Russian · variant 1 of 3")
    assert "Новым годом" in text and "New Year" in text.split("What it says, in English")[1]
    assert "do not enclose a return envelope" in text  # replies sent abroad have got prisoners punished
    seen = {text.split("\n", 2)[2]}
    for variant in (2, 3):
        await person.press("Another variant")
        assert f"variant {variant} of 3" in person.last()["text"]
        seen.add(person.last()["text"].split("\n", 2)[2])
    assert len(seen) == 3  # three different texts
    await person.press("Another variant")
    assert "variant 1 of 3" in person.last()["text"]  # round again
    await person.press("In Belarusian")
    text = person.last()["text"]
    assert "New Year · in Belarusian" in text and "Новым годам" in text
    await person.press("Postcard text")
    assert person.last()["text"].startswith("Postcard text · New Year · in Belarusian")
    await person.press("Check my draft")  # the text stays; the check asks in a new message
    assert person.last()["text"].startswith("Paste your draft")
    report = await person.send("Жадаю Вам свабоды і цярпення.")
    assert "свабоды" in report["text"]
    assert person.messages()[-3]["text"].startswith("Postcard text · New Year")
    card = await person.send("/suggest")  # a text in be changes no envelope: the card's choice stands
    data = [button["callback_data"] for row in card["reply_markup"]["inline_keyboard"] for button in row]
    assert data[0].endswith(":letter:ru:1")
    envelope = card["text"].split("Address for the envelope, in Russian")[1]
    assert any(facility in envelope for facility in ("ИК №", "СИЗО №", "Тюрьма №")), envelope
    await person.press("Envelope and texts in Belarusian")  # the choice the card shows, changed there
    card = person.last()
    data = [button["callback_data"] for row in card["reply_markup"]["inline_keyboard"] for button in row]
    assert data[0].endswith(":letter:be:1") and "Envelope and texts in Russian" in buttons(card)
    envelope = card["text"].split("Address for the envelope, in Belarusian")[1]
    assert any(facility in envelope for facility in ("ПК №", "СІЗА №", "Турма №")), envelope


async def test_a_long_history_turns_pages_and_stays_on_its_page(bot: Harness) -> None:
    await seed_demo(bot)
    person = bot.person(6105, "Ala", language_code="en")
    await person.send("/start")
    deps = bot.application.bot_data["deps"]
    async with deps.db.transaction() as session:
        supporter = await supporters.touch(session, person.id, bot.clock.utc())
        ids = [p.id for p in (await session.exec(select(Prisoner).limit(12))).all()]
        for days, prisoner_id in enumerate(ids):
            await letters.record(
                session, supporter_id=supporter.id or 0, prisoner_id=prisoner_id or 0,
                sent_on=deps.today() - timedelta(days=days), kind=LetterKind.LETTER, occasion=None, now=bot.clock.utc(),
                today=deps.today(), daily_cap=len(ids),
            )  # fmt: skip
    first = await person.send("/letters")
    assert "You have sent 12 letters" in first["text"] and "Page 1 of 2" in first["text"]
    assert buttons(first)[-1] == "Earlier letters ▶" and len(buttons(first)) == 10 * 2 + 1
    await person.press("Earlier letters ▶")
    second = person.last()
    assert "Page 2 of 2" in second["text"] and buttons(second)[-1] == "◀ Later letters"
    assert len(buttons(second)) == 2 * 2 + 1
    await person.press(buttons(second)[0])  # a reply came, for the first entry on this page
    assert "Page 2 of 2" in person.last()["text"] and buttons(person.last())[0].endswith("✓ Reply")
    await person.press("🗑")
    await person.press("Yes, delete")
    after = person.last()
    assert "You have sent 11 letters" in after["text"] and "Page 2 of 2" in after["text"]
    assert len(buttons(after)) == 1 * 2 + 1
    assert await person.press_data(after["message_id"], "lt:pg:x") == {
        "text": "This button is no longer valid.",
        "show_alert": True,
    }
    await person.press_data(after["message_id"], "lt:pg:99")  # past the end: the last page
    assert "Page 2 of 2" in person.last()["text"]


async def test_in_a_group_the_bot_points_to_a_private_chat_and_keeps_nothing(bot: Harness) -> None:
    await seed_demo(bot)
    bot.person(6201, "Ala", language_code="be")
    bot.telegram.add_group(-1001, "Валанцёры")
    for text in ("/suggest", f"/letters@{bot.telegram.state.bot_username}", "/suggest@SomeOtherBot", "Прывітанне ўсім"):
        await bot.telegram.wait_processed(await bot.telegram.send_text(6201, text, chat_id=-1001))
    replies = bot.telegram.bot_messages(-1001)
    assert len(replies) == 2  # our two commands; another bot's command and plain talk are not ours
    assert all(reply["text"].startswith("Я працую толькі ў асабістым чаце") for reply in replies)
    update_id = await bot.telegram.press(6201, replies[0]["message_id"], "sug:next", chat_id=-1001)
    await bot.telegram.wait_processed(update_id)
    answer = bot.telegram.callback_answer(update_id)
    assert answer is not None and answer["show_alert"] and answer["text"].startswith("Я працую")
    async with bot.application.bot_data["deps"].db.transaction() as session:
        assert (await session.exec(select(func.count()).select_from(Supporter))).one() == 0
    menus = bot.telegram.state.default_commands
    assert menus and all(key.startswith("all_private_chats:") or key.startswith("chat:") for key in menus)
