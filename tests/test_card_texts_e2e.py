"""The card and the texts as a newcomer meets them (issue 13, items 3 and 4), end to end: an English
reader is told what ИК and СИЗО are and which Cyrillic name goes on the envelope; texts never ask for
a reply; 8 March only for women and 21 May explained; no "why this person" for a released person;
counts, dates and the delete question; a native reader's wording."""

from __future__ import annotations

import re
from datetime import timedelta

from babel.dates import format_date

from bot.models import LetterKind
from bot.rules.occasions import Occasion
from tests.harness import Harness, buttons, seed_demo


async def test_an_english_card_explains_the_facility_and_names_the_envelope(bot: Harness) -> None:
    await seed_demo(bot)
    reader = bot.person(7301, "Emma", language_code="en")
    for query, name, kind in (
        ("Volha Kavalenka", "Ольга Коваленко", "СИЗО №1 — a pre-trial detention centre"),
        ("Ales Kavalenka", "Александр Коваленко", "ИК №4 — a penal colony"),
        ("Siarhei Bahdanau", "Сергей Богданов", "Тюрьма №1 — a prison"),
    ):
        card = (await reader.send(f"/suggest {query}"))["text"]
        assert card.startswith(f"{query}, aged "), card  # "aged 58", not "58 years"
        assert f"Held in: {kind}" in card
        assert f"On the envelope: {name}" in card
        assert "Address for the envelope, in Russian" in card and f"{name}\n" in card
    incommunicado = (await reader.send("/suggest Alena Bahdanava"))["text"]
    assert "incommunicado, cut off from everyone outside: no visits, calls or letters" in incommunicado

    russian = bot.person(7302, "Оля", language_code="ru")
    card = (await russian.send("/suggest Ольга Коваленко"))["text"]
    assert re.match(r"Ольга Коваленко, \d+ (год|года|лет)\n", card), card  # the plural agrees with the age
    assert "На конверте:" not in card  # the name on the card is the one on the envelope
    assert "Где содержится: СИЗО №1\n" in card  # a Russian reader needs no gloss of СИЗО


async def test_texts_ask_for_no_reply_and_the_gloss_reads_as_english(bot: Harness) -> None:
    await seed_demo(bot)
    reader = bot.person(7303, "Emma", language_code="en")
    await reader.send("/suggest Volha Kavalenka")
    await reader.press("Letter text")
    screen = reader.last()["text"]
    assert "These texts never ask for a reply." in screen
    assert "prisoners have been punished for replying abroad" in screen
    assert "you can add the request in your own words" in screen
    gloss = screen.split("What it says, in English")[1]
    assert gloss.lstrip().startswith("Dear Volha,\n")

    # No text in either language asks the prisoner to write back.
    library = bot.application.bot_data["deps"].library
    asking = re.compile(
        r"напиш[иі]це|ответьте|адкажыце|интересно узнать|цікава даведацца|write back|interested to know"
    )
    for occasion in Occasion:
        for kind in LetterKind:
            for variant in range(1, library.count(occasion, kind) + 1):
                for language in ("ru", "be", "en"):
                    body = library.render(occasion, kind, variant, language, name="Ольга", gender="female").body
                    assert not asking.search(body.lower()), (occasion, kind, variant, language)


async def test_8_march_only_for_women_and_21_may_explained_in_belarusian(bot: Harness) -> None:
    await seed_demo(bot)
    reader = bot.person(7304, "Ала", language_code="be")
    man = await reader.send("/suggest Алесь Каваленка")
    await reader.press("Тэкст ліста")
    await reader.press("Іншая нагода")
    menu = reader.last()
    assert "8 Сакавіка" not in buttons(menu) and "21 траўня" in buttons(menu)
    assert "21 траўня — Дзень салідарнасці з палітвязнямі Беларусі" in menu["text"]
    man_id = man["reply_markup"]["inline_keyboard"][0][0]["callback_data"].split(":")[1]
    forged = await reader.press_data(menu["message_id"], f"tpl:{man_id}:march8:letter:ru:1")
    assert forged == {"text": "Гэтая кнопка ўжо не дзейнічае.", "show_alert": True}

    await reader.press("21 траўня")
    may21 = reader.last()["text"]
    assert may21.startswith("Тэкст ліста · 21 траўня")
    assert "звычайны вясновы ліст" in may21 and "многія людзі" not in may21
    await reader.press("Іншая нагода")
    await reader.press("Каляды (25 снежня)")
    christmas = reader.last()["text"]
    assert "З Калядамі!" in christmas and "якое святкуюць" not in christmas

    await reader.send("/suggest Вольга Каваленка")
    await reader.press("Тэкст ліста")
    await reader.press("Іншая нагода")
    assert "8 Сакавіка" in buttons(reader.last())


async def test_a_released_person_found_by_search_is_not_given_a_reason_to_write(bot: Harness) -> None:
    await seed_demo(bot)
    reader = bot.person(7305, "Emma", language_code="en")
    card = (await reader.send("/suggest Viktar Siniak"))["text"]
    assert "has been released" in card
    assert "Why this person" not in card


async def test_letters_show_numeric_dates_and_the_delete_question_names_the_entry(bot: Harness) -> None:
    await seed_demo(bot)
    reader = bot.person(7306, "Emma", language_code="en")
    await reader.send("/suggest Volha Kavalenka")
    await reader.press("I sent a letter")
    await reader.press("Yesterday")
    yesterday = bot.application.bot_data["deps"].today() - timedelta(days=1)
    history = await reader.send("/letters")
    assert buttons(history)[0] == f"{yesterday:%d.%m} · Volha Kavalenka: Got a reply"
    await reader.press("🗑")
    day = format_date(yesterday, "d MMMM y", locale="en")
    assert reader.last()["text"].startswith(f"Delete the entry “letter to Volha Kavalenka, sent on {day}”?")


async def test_a_native_readers_wording(bot: Harness) -> None:
    reader = bot.person(7307, "Ала", language_code="be")
    await reader.send("/start")
    start = reader.messages()[0]["text"]  # the greeting, before the question of pace
    assert "Ліст — часта адзіная сувязь" in start
    assert "Мова бота: беларуская." in start  # a language's name in running text is lower-case
    assert "не прашу нумар тэлефона" in start and "падпісвацца на канал" in start and "пытаю" not in start
    safety = (await reader.send("/privacy"))["text"]
    assert "не прашу нумар тэлефона" in safety and "падпісацца на канал" in safety and "пытаю" not in safety
    russian = bot.person(7308, "Оля", language_code="ru")
    assert "никогда не прошу номер телефона" in (await russian.send("/privacy"))["text"]


async def test_a_long_draft_is_counted_in_the_right_plural(bot: Harness) -> None:
    reader = bot.person(7309, "Оля", language_code="ru")
    sentence = "Желаю Вам здоровья и тепла. "
    draft = (sentence * 200)[:3250].strip() + "а"  # 3251 characters, one ending in 1: "знак", not "знаков"
    assert len(draft) == 3251
    await reader.send("/check")
    report = await reader.send(draft)
    assert "Письмо длинное (3251 знак)." in report["text"]
