"""Finishing a letter in the chat, end to end: an English speaker types a Latin first name, gets the ru
or be letter finished with it in Cyrillic, adds a few words, and receives a two-page PDF; the name is
never in the database or the logs."""

from __future__ import annotations

import io
import logging

import pytest
from pypdf import PdfReader
from sqlalchemy import text
from sqlmodel import SQLModel

from tests.harness import Harness, Person, buttons, seed_demo

NAME = "Johnathan"  # typed in Latin letters; rare enough to find anywhere it was kept
CYRILLIC = {"ru": "Джонатан", "be": "Джонатан"}
CAT = {"ru": "у меня есть кошка", "be": "у мяне ёсць котка"}


def code_entities(message: dict[str, object]) -> list[str]:
    raw = str(message["text"]).encode("utf-16-le")
    entities = message.get("entities") or []
    assert isinstance(entities, list)
    spans = [(e["offset"] * 2, (e["offset"] + e["length"]) * 2) for e in entities if e["type"] == "code"]
    return [raw[start:end].decode("utf-16-le") for start, end in spans]


async def stored_values(bot: Harness) -> str:
    """Every value of every table, as text."""
    found = []
    async with bot.application.bot_data["deps"].db.transaction() as session:
        for table in SQLModel.metadata.sorted_tables:
            rows = await session.exec(text(f'SELECT * FROM "{table.name}"'))  # type: ignore[call-overload]
            found.extend(str(value) for row in rows for value in row)
    return "\n".join(found)


async def open_letter_text(person: Person, language: str) -> None:
    await person.send("/suggest")
    await person.press("Letter text")
    if language == "be":
        await person.press("In Belarusian")
    assert "Finish with my name" in buttons(person.last())


@pytest.mark.parametrize("language", ["ru", "be"])
async def test_an_english_speaker_finishes_and_prints_a_letter(
    bot: Harness, language: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)  # the level the bot runs at (bot/cli.py)
    await seed_demo(bot)
    person = bot.person(7100 + len(language) + ord(language[0]), "Writer", language_code="en")
    await open_letter_text(person, language)

    await person.press("Finish with my name")
    ask = person.last()
    assert "Nothing you type here is stored or logged" in ask["text"]
    refused = await person.send("Hello! I would like to write 2 letters")  # not a name: asked again
    assert refused["text"].startswith("Your first name") and "does not look like a first name" in refused["text"]

    finished = await person.send(NAME)
    assert code_entities(finished) == [CYRILLIC[language]]
    letter = finished["text"]
    assert CYRILLIC[language] in letter and NAME not in letter
    assert "[" not in letter.split("What it says, in English")[0]  # no placeholder left in the letter
    assert "Nothing you typed here is stored or logged" in letter
    assert "What it says, in English" in letter  # the gloss, for an English speaker

    await person.press("A few words about me")
    await person.press("a cat")
    await person.press("I am a woman")
    assert CAT[language] in person.last()["text"]
    await person.press("Done")
    assert buttons(person.last())[:2] == ["A few words about me", "PDF to print"]

    await person.press("PDF to print")
    document_message = person.messages()[-1]
    document = document_message["document"]
    assert document["file_name"] == "letter.pdf" and document["mime_type"] == "application/pdf"
    assert "Page 2: the address" in document_message["caption"]
    pdf = PdfReader(io.BytesIO(bot.telegram.state.files[document["file_id"]].content))
    assert len(pdf.pages) == 2
    first, second = (page.extract_text() for page in pdf.pages)
    assert CYRILLIC[language] in first and CAT[language] in first
    assert "REPUBLIC OF BELARUS" in second and "Cut along the dashed line" in second
    assert bot.bad_requests() == []

    await person.send("Another text")  # the name is no longer awaited
    assert "I did not understand that" in person.last()["text"]
    stored = await stored_values(bot)
    assert NAME not in stored and CYRILLIC[language] not in stored
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert NAME not in logged and CYRILLIC[language] not in logged


async def test_a_cyrillic_name_is_kept_as_typed_and_a_stale_press_is_refused(bot: Harness) -> None:
    await seed_demo(bot)
    person = bot.person(7200, "Writer", language_code="ru")
    await person.send("/suggest")
    await person.press("Текст письма")
    await person.press("Дополнить моим именем")
    finished = await person.send("Алесь")
    assert code_entities(finished) == ["Алесь"]
    answer = await person.press_data(finished["message_id"], "fin:pdf:1:first:letter:ru:1:999999")
    assert answer is not None and answer["show_alert"]  # choices no button carries
    assert "document" not in person.messages()[-1]


async def test_8_march_is_refused_for_a_man_also_when_finishing_a_letter(bot: Harness) -> None:
    from bot.handlers import buttons as kinds
    from bot.models import LetterKind, Prisoner
    from bot.rules.occasions import Occasion

    await seed_demo(bot)
    async with bot.application.bot_data["deps"].db.transaction() as session:
        man = (await session.exec(text("SELECT id FROM prisoner WHERE gender = 'male' LIMIT 1"))).one()[0]  # type: ignore[call-overload]
        assert isinstance(await session.get(Prisoner, man), Prisoner)
    person = bot.person(7300, "Writer", language_code="en")
    shown = await person.send("/help")
    for forged in (
        kinds.FinishAsk(man, Occasion.WOMENS_DAY, LetterKind.POSTCARD, "ru", 1),
        kinds.FinishPdf(man, Occasion.WOMENS_DAY, LetterKind.POSTCARD, "ru", 1, "000000"),
    ):
        answer = await person.press_data(shown["message_id"], forged.data())
        assert answer is not None and answer["show_alert"], forged
    assert not any("document" in m for m in person.messages())
