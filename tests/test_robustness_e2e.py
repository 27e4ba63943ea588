"""Whatever a user sends, the bot keeps running: random commands, texts and forged button presses.

A seeded stream of inputs (so a failure replays exactly): commands with odd arguments, text with
markup characters, files, presses of real buttons, and presses of button data changed field by field (huge
numbers, negatives, other ids, cut short). Every press must be answered, nothing may reach the error
handler, and Telegram must never refuse what the bot sends (the `bot` fixture checks that).
"""

from __future__ import annotations

import logging
import random

import pytest

from tests.harness import Harness, Person, seed_demo

COMMANDS = ["/start", "/help", "/language", "/privacy", "/suggest", "/letters", "/check", "/forget", "/nonsense"]
ODD = [
    "", "0", "-1", "99999999999999999999", "1e9", "<b>", "</i>&amp;", "*_[]()~`>#+-=|{}.!", "%", "_", "'; --",
    "ё", "Ў", "Łukašenka", "\u200b", "😀" * 3, "a" * 300, "NULL", "None", "-", ":", "::", "sug:next",
]  # fmt: skip
STEPS = 160


def odd_token(rng: random.Random) -> str:
    return rng.choice(ODD) if rng.random() < 0.8 else str(rng.randrange(-5, 10**12))


def forge(data: str, rng: random.Random) -> str:
    parts = data.split(":")
    change = rng.randrange(4)
    if change == 0:
        parts[rng.randrange(len(parts))] = odd_token(rng)
    elif change == 1:
        parts = parts[: rng.randrange(1, len(parts) + 1)]
    elif change == 2:
        parts.append(odd_token(rng))
    else:
        parts[rng.randrange(len(parts))] = str(rng.randrange(1, 60))
    return ":".join(parts)[:64]


def seen_buttons(person: Person) -> list[tuple[int, str]]:
    return [
        (message["message_id"], str(button["callback_data"]))
        for message in person.messages()
        for row in message.get("reply_markup", {}).get("inline_keyboard", [])
        for button in row
        if "callback_data" in button
    ]


@pytest.mark.parametrize("seed", [1, 2])
async def test_random_input_never_breaks_the_bot(bot: Harness, seed: int, caplog: pytest.LogCaptureFixture) -> None:
    await seed_demo(bot)
    rng = random.Random(seed)
    person = bot.person(7000 + seed, "Fuzz", language_code=rng.choice(["be", "ru", "en"]))
    await person.send("/start")
    caplog.set_level(logging.WARNING)
    unanswered = []
    for step in range(STEPS):
        action = rng.random()
        known = seen_buttons(person)
        if action < 0.3:
            await person.send(f"{rng.choice(COMMANDS)} {odd_token(rng)}".strip())
        elif action < 0.37:
            await person.send(odd_token(rng))
        elif action < 0.4:  # a file, as people send photos of letters
            update_id = await bot.telegram.upload(
                person.id, "letter.jpg", b"\xff\xd8" * 50, "image/jpeg", odd_token(rng)
            )
            await bot.telegram.wait_processed(update_id)
        else:
            message_id, data = rng.choice(known)
            if action >= 0.65:
                data = forge(data, rng)
            if await person.press_data(message_id, data) is None:
                unanswered.append((step, data))
    assert not unanswered
    problems = [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]
    assert not problems
    assert bot.application.running


async def test_replies_to_a_person_faster_than_telegram_allows_wait_and_arrive(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """Six commands in the same second: Telegram answers some replies with 429 (about one message a
    second to a chat); the bot waits as told, on its injected clock, and every reply arrives."""
    person = bot.person(7101, "Fast", language_code="en")
    caplog.set_level(logging.WARNING)
    for _ in range(6):
        await bot.telegram.wait_processed(await bot.telegram.send_text(person.id, "/help"))
    assert [m["text"].split("\n")[0] for m in person.messages()] == ["What I can do"] * 6
    assert [call.error_code for call in bot.telegram.refusals()].count(429) >= 2  # it was held back
    assert not bot.telegram.state.rate.violations  # and never sent again before it was allowed to
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
