"""/start, /language, /help and /privacy end to end in each locale, through the emulated Telegram."""

from __future__ import annotations

import pytest

from tests.harness import Harness, buttons, seed_demo

GREETINGS = {
    "be": "Вітаю! Я дапамагаю пісаць лісты палітвязням у Беларусі.",
    "ru": "Здравствуйте! Я помогаю писать письма политзаключённым в Беларуси.",
    "en": "Hello! I help you write letters to political prisoners in Belarus.",
}


@pytest.mark.parametrize(
    ("language_code", "expected"),
    [("be", "be"), ("ru", "ru-RU"), ("en", "en-US"), ("en", "de"), ("en", None)],
)
async def test_start_greets_in_the_users_language(bot: Harness, expected: str | None, language_code: str) -> None:
    person = bot.person(1001, "Ala", language_code=expected)
    await person.send("/start")
    reply, pace = person.messages()  # the greeting, then how often to write
    assert reply["text"].startswith(GREETINGS[language_code])
    assert "/forget" in reply["text"]
    assert any(entity["type"] == "bold" for entity in reply["entities"])
    assert len(buttons(pace)) == 3
    assert buttons(reply)[:3] == [
        label if not label.endswith(_native(language_code)) else f"✓ {label}"
        for label in ("Беларуская", "Русский", "English")
    ]


def _native(locale: str) -> str:
    return {"be": "Беларуская", "ru": "Русский", "en": "English"}[locale]


async def test_language_button_switches_and_is_remembered(bot: Harness) -> None:
    person = bot.person(1002, "Olga", language_code="en")
    await person.send("/start")
    answer = await person.press("Беларуская")
    assert answer == {"text": "Мова захавана.", "show_alert": False}
    edited = person.messages()[0]
    assert edited["text"].startswith("Гатова: цяпер мова бота — беларуская.")
    assert "edit_date" in edited
    reply = await person.send("/help")
    assert reply["text"].startswith("Што я ўмею")
    chat_menu = bot.telegram.state.default_commands[f"chat:{person.id}::"]
    assert {"command": "start", "description": "Пачатак і выбар мовы"} in chat_menu


async def test_menus_are_registered_per_language(bot: Harness) -> None:
    menus = {key: {c["command"]: c["description"] for c in value} for key, value in
             bot.telegram.state.default_commands.items()}  # fmt: skip
    assert menus["all_private_chats:::ru"]["help"] == "Что этот бот может сделать для вас"
    assert menus["all_private_chats:::be"]["help"] == "Што гэты бот можа зрабіць для вас"
    assert menus["all_private_chats:::en"]["help"] == "What this bot can do for you"
    assert menus["all_private_chats:::be"]["suggest"] == "Каму напісаць"
    assert list(menus["all_private_chats:::en"])[:3] == ["suggest", "letters", "check"]
    assert menus["all_private_chats:::"] == menus["all_private_chats:::en"]


async def test_forged_language_button_is_refused(bot: Harness) -> None:
    person = bot.person(1003, "Ivan", language_code="ru")
    message = await person.send("/language")
    answer = await person.press_data(message["message_id"], "lang:xx")
    assert answer == {"text": "Эта кнопка больше не действует.", "show_alert": True}
    answer = await person.press_data(message["message_id"], "admin:nuke")
    assert answer is not None and answer["show_alert"] is True


async def test_help_shows_admin_section_only_to_admins(bot: Harness) -> None:
    admin = bot.person(900, "Admin", language_code="en")
    supporter = bot.person(901, "Someone", language_code="en")
    assert "You are an admin." in (await admin.send("/help"))["text"]
    assert "You are an admin." not in (await supporter.send("/help"))["text"]


async def test_privacy_and_unknown_text(bot: Harness) -> None:
    person = bot.person(1004, "Nina", language_code="be")
    privacy = await person.send("/privacy")
    assert "Што я захоўваю пра вас" in privacy["text"]
    unknown = await person.send("how are you?")
    assert unknown["text"] == "Я не зразумеў. Дашліце /help, каб даведацца, што я ўмею."


async def test_after_the_pace_question_one_button_leads_on(bot: Harness) -> None:
    await seed_demo(bot)
    person = bot.person(1003, "Ala", language_code="ru")
    await person.send("/start")
    await person.press("Раз в две недели")
    saved = person.last()
    assert saved["text"].startswith("Сохранено: раз в две недели.")
    assert buttons(saved) == ["Найти, кому написать"]
    await person.press("Найти, кому написать")
    assert "REPUBLIC OF BELARUS" in person.last()["text"]
