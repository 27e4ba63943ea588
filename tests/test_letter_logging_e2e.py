"""Logging a letter cannot be inflated: a double tap, forged presses and a flood of them change the
counts (and so everyone's suggestions) by at most the one real letter; a day's button logs the day
its label showed, also when pressed after midnight."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from bot.handlers import buttons
from bot.models import Letter, LetterKind, LetterTally, Prisoner
from bot.rules import fairness
from tests.harness import Harness, Person, seed_demo


async def ranking(bot: Harness) -> list[tuple[int, float]]:
    """Every prisoner's letter load, in the order suggestions rank them (fewest letters first)."""
    async with bot.application.bot_data["deps"].db.transaction() as session:
        rows = await session.exec(
            select(Prisoner.id, Prisoner.load_ref).order_by(col(Prisoner.load_ref), col(Prisoner.id))
        )
        return [(pid or 0, round(load, 9)) for pid, load in rows.all()]


async def tallied(bot: Harness) -> int:
    async with bot.application.bot_data["deps"].db.transaction() as session:
        return int((await session.exec(select(func.coalesce(func.sum(LetterTally.letters), 0)))).one())


async def letter_rows(bot: Harness) -> list[tuple[int, date, str]]:
    async with bot.application.bot_data["deps"].db.transaction() as session:
        return list((await session.exec(select(Letter.prisoner_id, Letter.sent_on, Letter.kind))).all())


def today(bot: Harness) -> date:
    result: date = bot.application.bot_data["deps"].today()
    return result


async def card_of_someone(person: Person) -> int:
    """Ask for a suggestion; the id of the person on the card."""
    await person.send("/suggest")
    for row in person.last()["reply_markup"]["inline_keyboard"]:
        for button in row:
            pressed = buttons.read(button.get("callback_data"), buttons.SentAsk)
            if pressed is not None:
                return pressed.prisoner
    raise AssertionError("the card offers no 'I sent' button")


async def test_a_double_tap_and_fifty_forged_presses_log_one_letter(bot: Harness) -> None:
    await seed_demo(bot)
    before = dict(await ranking(bot))
    person = bot.person(8101, "Ala", language_code="en")
    pid = await card_of_someone(person)
    await person.press("I sent a letter")
    menu = person.last()
    first = await person.press("Today", menu)
    second = await person.press("Today", menu)  # the second tap of a double tap
    assert first is not None and first["text"] == "Saved. Thank you!"
    assert second is not None and second["text"] == "Already recorded."
    forged = buttons.SentOn(pid, LetterKind.LETTER, None, today(bot)).data()
    answers = [await person.press_data(menu["message_id"], forged) for _ in range(50)]
    assert {answer["text"] for answer in answers if answer} == {"Already recorded."}
    assert len([a for a in answers if a]) == 50  # every press was answered
    assert await letter_rows(bot) == [(pid, today(bot), "letter")]
    assert await tallied(bot) == 1
    # The ranking is what one letter makes of it: only this person's load moved, by one letter.
    expected = {**before, pid: round(before[pid] + fairness.weight(today(bot)), 9)}
    assert await ranking(bot) == sorted(expected.items(), key=lambda item: (item[1], item[0]))


async def test_a_letter_and_a_postcard_on_one_day_are_two(bot: Harness) -> None:
    await seed_demo(bot)
    person = bot.person(8102, "Ala", language_code="en")
    await card_of_someone(person)
    card = person.last()
    await person.press("I sent a letter", card)
    await person.press("Today")
    await person.press("I sent a postcard", card)
    answer = await person.press("Today")
    assert answer is not None and answer["text"] == "Saved. Thank you!"
    assert sorted(kind for _, _, kind in await letter_rows(bot)) == ["letter", "postcard"]
    assert await tallied(bot) == 2


async def writable_ids(bot: Harness) -> list[int]:
    from bot.services import suggestions

    async with bot.application.bot_data["deps"].db.transaction() as session:
        rows = await session.exec(select(Prisoner.id).where(suggestions.writable()).order_by(col(Prisoner.id)))
        return [pid or 0 for pid in rows.all()]


async def test_presses_beyond_the_daily_cap_are_refused_politely(bot: Harness) -> None:
    await seed_demo(bot)
    cap = bot.settings.bot_daily_letter_cap
    person = bot.person(8103, "Ala", language_code="en")
    await person.send("/start")
    message_id = person.last()["message_id"]
    ids = await writable_ids(bot)
    assert len(ids) > cap + 2
    answers: list[dict[str, Any] | None] = []
    for pid in ids[: cap + 3]:
        data = buttons.SentOn(pid, LetterKind.POSTCARD, None, today(bot)).data()
        answers.append(await person.press_data(message_id, data))
    texts = [answer["text"] if answer else None for answer in answers]
    assert texts[:cap] == ["Saved. Thank you!"] * cap
    assert all(text and "as many letters as I can record in one day" in text for text in texts[cap:])
    assert all(answer and answer["show_alert"] for answer in answers[cap:])
    assert await tallied(bot) == cap
    # Tomorrow the same person can log again.
    bot.clock.advance(24 * 3600)
    data = buttons.SentOn(ids[cap], LetterKind.POSTCARD, None, today(bot)).data()
    answer = await person.press_data(message_id, data)
    assert answer is not None and answer["text"] == "Saved. Thank you!"


async def test_a_day_button_pressed_after_midnight_logs_the_day_it_showed(bot: Harness) -> None:
    await seed_demo(bot)
    person = bot.person(8104, "Ala", language_code="en")
    await card_of_someone(person)
    # Just before midnight where the bot works (BOT_TIMEZONE, Europe/Minsk: UTC+3).
    minsk_midnight = bot.clock.utc().replace(hour=21, minute=0, second=0) - timedelta(seconds=30)
    bot.clock.advance((minsk_midnight - bot.clock.utc()).total_seconds())
    shown_on = today(bot)
    await person.press("I sent a letter")
    menu = person.last()
    bot.clock.advance(120)  # the person pressed a little later: it is the next day now
    assert today(bot) == shown_on + timedelta(days=1)
    await person.press("Yesterday", menu)
    await person.press("Today", menu)
    assert sorted(day for _, day, _ in await letter_rows(bot)) == [shown_on - timedelta(days=1), shown_on]


async def test_forged_days_outside_the_offered_range_are_refused(bot: Harness) -> None:
    await seed_demo(bot)
    person = bot.person(8105, "Ala", language_code="en")
    pid = await card_of_someone(person)
    message_id = person.last()["message_id"]
    for day in (today(bot) + timedelta(days=1), today(bot) - timedelta(days=30)):
        answer = await person.press_data(message_id, buttons.SentOn(pid, LetterKind.LETTER, None, day).data())
        assert answer is not None and answer["text"] == "This button is no longer valid."
    assert await letter_rows(bot) == []


async def test_forget_cannot_be_used_to_log_the_same_letters_again(bot: Harness) -> None:
    """Log a letter and a postcard, /forget, and again, five times: the counts end where one round leaves them."""
    await seed_demo(bot)
    person = bot.person(8106, "Ala", language_code="en")
    pid = await card_of_someone(person)
    message_id = person.last()["message_id"]
    for _ in range(5):
        for kind in (LetterKind.LETTER, LetterKind.POSTCARD):
            await person.press_data(message_id, buttons.SentOn(pid, kind, None, today(bot)).data())
        await person.send("/forget")
        await person.press("Yes, delete everything")
    assert await tallied(bot) == 0
    for kind in (LetterKind.LETTER, LetterKind.POSTCARD):
        await person.press_data(message_id, buttons.SentOn(pid, kind, None, today(bot)).data())
    assert await tallied(bot) == 2


async def test_one_person_gets_at_most_two_letters_a_day_from_one_supporter(bot: Harness) -> None:
    await seed_demo(bot)
    person = bot.person(8107, "Ala", language_code="en")
    pid = await card_of_someone(person)
    message_id = person.last()["message_id"]
    answers = []
    for days in range(5):  # five letters "sent" on five days, all logged today
        data = buttons.SentOn(pid, LetterKind.LETTER, None, today(bot) - timedelta(days=days)).data()
        answers.append(await person.press_data(message_id, data))
    assert [a["text"] if a else None for a in answers][:2] == ["Saved. Thank you!"] * 2
    assert all(a and "as many letters as I can record" in a["text"] for a in answers[2:])
    assert await tallied(bot) == 2
