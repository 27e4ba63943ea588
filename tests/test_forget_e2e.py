"""/forget, blocking, and the error handler, end to end."""

from __future__ import annotations

import logging

import pytest
from sqlmodel import select

from bot.models import AuditEntry, Role, RoleGrant, Supporter
from bot.services import roles
from tests.harness import Harness, seed_demo


def make_privacy_fail(bot: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    """/privacy's template raises from now on: a handler failing as a bug would make it fail."""
    deps = bot.application.bot_data["deps"]
    original = deps.i18n.render

    def failing_render(locale: str, name: str, **context: object) -> str:
        if name == "privacy":
            raise RuntimeError("template exploded")
        return original(locale, name, **context)

    monkeypatch.setattr(deps.i18n, "render", failing_render)


async def test_forget_removes_every_row_of_the_user(bot: Harness) -> None:
    person = bot.person(2001, "Lena", language_code="ru")
    await person.send("/start")
    await person.press("Беларуская")
    database = bot.application.bot_data["deps"].db
    async with database.transaction() as session:
        await roles.grant(session, telegram_id=2001, role=Role.COORDINATOR, by=900, now=bot.clock.utc())
    confirm = await person.send("/forget")
    assert confirm["text"].startswith("Выдаліць усё, што я захоўваю пра вас?")
    await person.press("Так, выдаліць усё")
    assert person.last()["text"].startswith("Гатова. Я больш нічога пра вас не захоўваю.")
    async with database.transaction() as session:
        assert (await session.exec(select(Supporter).where(Supporter.telegram_id == 2001))).all() == []
        assert (await session.exec(select(RoleGrant).where(RoleGrant.telegram_id == 2001))).all() == []
        audit = (await session.exec(select(AuditEntry))).all()
    # A coordinator's id stays in the audit log: what was done with a role stays accountable.
    assert [(row.action, row.actor_telegram_id, row.subject_telegram_id) for row in audit] == [
        ("role.grant.coordinator", 900, 2001)
    ]
    assert f"chat:{person.id}::" not in bot.telegram.state.default_commands


async def test_forget_can_be_cancelled(bot: Harness) -> None:
    person = bot.person(2002, "Pavel", language_code="en")
    await person.send("/forget")
    await person.press("No, keep it")
    assert person.last()["text"] == "Nothing was deleted."
    database = bot.application.bot_data["deps"].db
    async with database.transaction() as session:
        assert (await session.exec(select(Supporter).where(Supporter.telegram_id == 2002))).one()


async def test_blocking_marks_the_supporter_inactive(bot: Harness, caplog: pytest.LogCaptureFixture) -> None:
    person = bot.person(2003, "Dzmitry", language_code="be")
    await person.send("/start")
    update_id = await bot.telegram.block(person.id)
    await bot.telegram.wait_processed(update_id)
    database = bot.application.bot_data["deps"].db
    async with database.transaction() as session:
        supporter = (await session.exec(select(Supporter).where(Supporter.telegram_id == 2003))).one()
    assert supporter.is_active is False
    update_id = await bot.telegram.send_text(person.id, "/help")  # sent just before blocking: the reply is refused
    await bot.telegram.wait_processed(update_id)
    assert bot.telegram.refusals()[-1].error_code == 403
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]  # not a fault


async def test_a_failing_handler_gets_an_apology_and_the_bot_goes_on(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = bot.person(2004, "Kasia", language_code="ru")
    make_privacy_fail(bot, monkeypatch)
    reply = await person.send("/privacy")
    assert reply["text"] == "Извините, у меня что-то пошло не так. Попробуйте, пожалуйста, через минуту."
    assert (await person.send("/help"))["text"].startswith("Что я умею")


async def test_logs_carry_no_message_text_and_no_user_id(
    bot: Harness, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At the level the bot runs at (INFO, httpx at WARNING as `cli.configure_logging` sets), through a
    journey, a draft check, a failing handler and Telegram's refusal, nothing logged names the person or
    repeats what they wrote."""
    await seed_demo(bot)
    caplog.set_level(logging.INFO)
    for noisy in ("httpx", "httpcore"):
        monkeypatch.setattr(logging.getLogger(noisy), "level", logging.WARNING)
    person = bot.person(987654321, "Kasia", language_code="ru")
    secret = "Тайнаяфраза"
    await person.send("/start")
    await person.send("/suggest")
    await person.press("Текст письма")
    await person.send(f"/check {secret} свобода")
    await person.send(f"/suggest {secret}")
    await person.send(secret)
    make_privacy_fail(bot, monkeypatch)
    await person.send("/privacy")
    await bot.telegram.wait_processed(await bot.telegram.block(person.id))
    assert any(record.levelno >= logging.ERROR for record in caplog.records)  # the failure was logged
    logged = caplog.text
    assert str(person.id) not in logged and secret not in logged and "Kasia" not in logged
