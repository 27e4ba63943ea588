"""The draft check end to end (issue 13, item 1): the newcomer's drafts flagged in ru, be and en, the
honest ✅, checking again by a button and by the next text, the parts of a long draft checked
together, the way back to the letter text and the card, and nothing of a draft kept or logged."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy import text

from bot.services import draft_checks
from tests.harness import Harness, buttons, seed_demo

NEWCOMER = "Тихановская и Колесникова передают привет, Вясна о Вас помнит… Мы победим, вся Беларусь с Вами!"
CLEAN_RU = "Добрый день! Пишу Вам о книгах и о море. Желаю Вам здоровья, сил и тепла."
HONEST = {
    "en": "None of the words I know were found — the censor may still cut what I cannot recognise.",
    "ru": "Ни одного из известных мне слов не нашлось — но цензура может вырезать и то, чего я не умею распознать.",
    "be": "Ніводнага з вядомых мне слоў не знайшлося — але цэнзура можа выразаць і тое, чаго я не ўмею распазнаць.",
}


async def test_the_newcomers_draft_is_flagged(bot: Harness) -> None:
    person = bot.person(7101, "Newcomer", language_code="ru")
    await person.send("/check")
    answer = await person.send(NEWCOMER)
    assert "✅" not in answer["text"]
    assert answer["text"].startswith("Из-за чего письмо могут не передать")
    for words in ("Тихановская, Колесникова", "Вясна", "победим, Беларусь с Вами"):
        assert words in answer["text"], words
    assert buttons(answer) == ["Проверить снова"]  # /check came from no person: no way back to one


@pytest.mark.parametrize(
    ("locale", "draft", "flagged"),
    [
        ("be", "Міліцыя, незалежнасць і перамога — усё будзе добра.", ("Міліцыя", "незалежнасць", "перамога")),
        ("en", "You will be free soon.", ("be free, free soon",)),
        ("ru", "Про санкции и статью — Бабарико и Навальный. Ты герой, скоро всё изменится!",
         ("санкции", "статью", "Бабарико, Навальный", "герой, всё изменится")),
    ],
)  # fmt: skip
async def test_drafts_in_each_language_are_flagged(bot: Harness, locale: str, draft: str, flagged: tuple[str]) -> None:
    person = bot.person(7200 + ord(locale[0]), "Writer", language_code=locale)
    await person.send("/check")
    answer = await person.send(draft)
    assert "✅" not in answer["text"]
    for words in flagged:
        assert f"• {words} — " in answer["text"], (words, answer["text"])


@pytest.mark.parametrize("locale", ["be", "ru", "en"])
async def test_the_all_clear_says_what_it_is(bot: Harness, locale: str) -> None:
    person = bot.person(7300 + ord(locale[0]), "Writer", language_code=locale)
    await person.send("/check")
    answer = (await person.send(CLEAN_RU))["text"]
    assert answer.startswith("✅ " + HONEST[locale])
    assert "safe" not in answer.lower() and "безопас" not in answer.lower() and "бяспеч" not in answer.lower()


async def test_checked_again_by_the_next_text_and_by_the_button(bot: Harness) -> None:
    person = bot.person(7401, "Writer")
    await person.send("/check")
    first = await person.send("I hope the verdict is appealed and you will be free soon.")
    assert "verdict" in first["text"] and "✅" not in first["text"]
    second = await person.send(CLEAN_RU)  # no /check: the check is still open
    assert second["text"].startswith("✅ " + HONEST["en"])
    await person.press("Check again", second)
    assert person.last()["text"].startswith("Paste your draft")
    third = await person.send("Передаю привет от Латушко.")
    assert "Латушко" in third["text"]

    bot.clock.advance(2 * 3600)  # long after the last check: a text is no draft any more
    assert (await person.send("hello")).get("text") == "I did not understand that. Send /help to see what I can do."


async def test_from_a_letter_text_and_back(bot: Harness) -> None:
    await seed_demo(bot)
    person = bot.person(7501, "Writer")
    await person.send("/start")
    await person.press("Once a month")
    card = await person.send("/suggest")
    await person.press("Letter text")
    letter = person.last()
    await person.press("Check my draft", letter)
    ask = person.last()
    assert ask["text"].startswith("Paste your draft")
    assert buttons(ask) == ["Back to the letter text", "Back to the card"]
    report = await person.send("Пусть скорее закончится война.")
    assert "война" in report["text"]
    assert buttons(report) == ["Check again", "Back to the letter text", "Back to the card"]

    again = await person.send(CLEAN_RU)  # checked again: the way back stays
    assert buttons(again) == ["Check again", "Back to the letter text", "Back to the card"]
    await person.press("Back to the letter text", again)
    assert _now(person.messages(), again)["text"] == letter["text"]  # the answer becomes the letter text
    await person.press("Back to the card", report)
    assert _now(person.messages(), report)["text"] == card["text"]

    await person.press("Check again", report)
    assert buttons(person.last()) == ["Back to the letter text", "Back to the card"]


def _now(messages: list[dict[str, Any]], message: dict[str, Any]) -> dict[str, Any]:
    """The message as it is now (after the bot edited it)."""
    return next(m for m in messages if m["message_id"] == message["message_id"])


async def test_the_parts_of_a_long_draft_are_checked_together(bot: Harness, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)  # what the bot logs when it runs (libraries log the raw API at DEBUG)
    person = bot.person(7601, "Writer", language_code="ru")
    await person.send("/check")
    part_one = "Передаю привет от Латушко. " + "Сегодня читала книгу о море и о горах. " * 110  # Telegram cut here
    part_two = "А ещё у нас во дворе расцвели яблони."
    first = await person.send(part_one)
    assert "Латушко" in first["text"]
    second = await person.send(part_two)  # the next part, a moment later: one result for both
    assert second["text"].startswith("Проверено как один черновик вместе с предыдущими частями. Частей: 2;")
    assert "Латушко" in second["text"] and "✅" not in second["text"]

    database = bot.application.bot_data["deps"].db
    async with database.transaction() as session:
        rows = (await session.exec(text("SELECT back_to, parts, length, found FROM draftcheck"))).all()
        pending = (await session.exec(text("SELECT pending_input FROM supporter"))).all()
    assert rows == [(None, 2, len(part_one.strip()) + len(part_two), None)]  # the last part was short: nothing kept
    assert pending == [("draft",)]
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "Латушко" not in logged and "яблони" not in logged and "книгу" not in logged

    bot.clock.advance(120)  # a new draft, not a part: checked alone
    alone = await person.send(part_two)
    assert alone["text"].startswith("✅ ")


async def test_between_the_parts_only_list_entries_are_kept(bot: Harness) -> None:
    person = bot.person(7701, "Writer", language_code="ru")
    await person.send("/check")
    await person.send("Передаю привет от Латушко. Hello! " + "Сегодня читала книгу о море и о горах. " * 110)
    database = bot.application.bot_data["deps"].db
    async with database.transaction() as session:
        (found,) = (await session.exec(text("SELECT found FROM draftcheck"))).one()
    assert found.split("\n") == ["!latin", "ru:латушк*"]


async def test_a_check_left_open_is_closed_after_a_day(bot: Harness) -> None:
    person = bot.person(7801, "Writer")
    await person.send("/check")  # and never a draft
    deps = bot.application.bot_data["deps"]
    async with deps.db.transaction() as session:
        await draft_checks.prune(session, deps.clock())  # within the day: stays open
    assert (await person.send(CLEAN_RU))["text"].startswith("✅ ")
    bot.clock.advance(25 * 3600)
    async with deps.db.transaction() as session:
        await draft_checks.prune(session, deps.clock())
        assert (await session.exec(text("SELECT COUNT(*) FROM draftcheck"))).one()[0] == 0
        assert (await session.exec(text("SELECT pending_input FROM supporter"))).all() == [(None,)]
    assert (await person.send(CLEAN_RU))["text"].startswith("I did not understand")
