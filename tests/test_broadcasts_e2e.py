"""Broadcasts end to end: the real bot, the emulated Bot API over HTTP, an injected clock. A coordinator
chooses the audience, writes each language, previews, confirms, watches the progress and pauses,
resumes or cancels; recipients get their own language once; a supporter is refused, also by forged
button data; an admin may do it all too."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from sqlmodel import col, select

from bot import jobs
from bot.delivery import sender
from bot.handlers import broadcast_progress, buttons
from bot.models import AuditEntry, Broadcast, Outbox, RefusalTally, Role
from bot.services import roles
from tests.harness import Harness, Person
from tests.harness import buttons as labels

ADMIN = 900  # BOT_ADMIN_IDS in the bot fixture
COORDINATOR = 901


def deps(bot: Harness) -> Any:
    return bot.application.bot_data["deps"]


async def make_coordinator(bot: Harness, telegram_id: int) -> None:
    async with deps(bot).db.transaction() as session:
        await roles.grant(session, telegram_id=telegram_id, role=Role.COORDINATOR, by=None, now=bot.clock.utc())


async def deliver(bot: Harness) -> sender.Stats:
    return await sender.deliver_due(deps(bot), bot.application.bot, jobs.pacer_for(deps(bot)), jobs.purposes())


async def supporters_in(bot: Harness, languages: dict[int, str]) -> dict[int, Person]:
    people = {}
    for user_id, language in languages.items():
        person = bot.person(user_id, "S", language_code=language)
        await person.send("/start")
        people[user_id] = person
    return people


def by_id(person: Person, message_id: int) -> dict[str, Any]:
    return next(m for m in person.messages() if m["message_id"] == message_id)


def got(person: Person, text: str) -> int:
    return sum(1 for m in person.messages() if m["text"] == text)


async def write_text(coordinator: Person, locale: str, text: str) -> None:
    await coordinator.press("➕ " + locale)
    await coordinator.send(text)


async def broadcast_in_english(bot: Harness, text: str, recipients: int) -> Person:
    """A coordinator writes `text` in English and confirms it for everyone; their chat."""
    await make_coordinator(bot, COORDINATOR)
    coordinator = bot.person(COORDINATOR, "C")
    await coordinator.send("/broadcast")
    await write_text(coordinator, "en", text)
    await coordinator.press("📤 Send…")
    await coordinator.press(f"📤 Yes, send to {recipients} people")
    return coordinator


@pytest.mark.parametrize("staff", [COORDINATOR, ADMIN])
async def test_a_broadcast_reaches_each_supporter_once_in_their_language(bot: Harness, staff: int) -> None:
    readers = await supporters_in(bot, {7001: "be", 7002: "ru", 7003: "en", 7004: "ru"})
    if staff == COORDINATOR:
        await make_coordinator(bot, staff)
    coordinator = bot.person(staff, "C", language_code="en")
    draft = await coordinator.send("/broadcast")
    assert "New broadcast" in draft["text"] and "5 people" in draft["text"]  # the four and the coordinator
    await write_text(coordinator, "be", "Пішам лісты <b>сёння</b>")
    await write_text(coordinator, "ru", "Пишем письма <b>сегодня</b>")
    shown = coordinator.last()
    assert "Беларуская" in shown["text"] and "Русский" in shown["text"]
    # English readers get the fallback: the first version written, until the coordinator picks another.
    await coordinator.press("Others: ru")
    await coordinator.press("👁 Preview")
    previews = [m["text"] for m in coordinator.messages()[-4:]]
    assert "Пішам лісты сёння" in previews and "Пишем письма сегодня" in previews
    assert got(readers[7001], "Пішам лісты сёння") == 0  # a preview goes to the coordinator alone
    draft_id = next(m for m in reversed(coordinator.messages()) if "📤 Send…" in labels(m))["message_id"]
    await coordinator.press("📤 Send…")
    assert "Send to 5 people?" in by_id(coordinator, draft_id)["text"]
    await coordinator.press("📤 Yes, send to 5 people")
    progress_id = draft_id  # the confirmation becomes the progress message
    assert "Broadcast #" in by_id(coordinator, draft_id)["text"]

    stats = await deliver(bot)
    assert stats.total == 5
    assert got(readers[7001], "Пішам лісты сёння") == 1
    assert got(readers[7002], "Пишем письма сегодня") == 1 and got(readers[7004], "Пишем письма сегодня") == 1
    assert got(readers[7003], "Пишем письма сегодня") == 1  # English: the fallback chosen
    assert (await deliver(bot)).total == 0  # nothing is sent twice

    await broadcast_progress.refresh(deps(bot), bot.application.bot)
    progress = by_id(coordinator, progress_id)
    assert "done" in progress["text"] and "sent: 5" in progress["text"]
    async with deps(bot).db.transaction() as session:
        assert (await session.exec(select(Outbox))).all() == []  # who got it is forgotten; the counts stay
        done = (await session.exec(select(Broadcast))).one()
        assert (done.total, done.sent, done.status) == (5, 5, "done")
        actions = (await session.exec(select(AuditEntry.action))).all()
    assert "broadcast.send" in actions and "broadcast.done" in actions
    listing = await coordinator.send("/broadcasts")
    assert "Recipients: 5" in listing["text"]
    assert bot.bad_requests() == []


async def test_html_telegram_would_refuse_is_refused_with_the_reason(bot: Harness) -> None:
    await make_coordinator(bot, COORDINATOR)
    coordinator = bot.person(COORDINATOR, "C", language_code="ru")
    await coordinator.send("/broadcast")
    await coordinator.press("➕ en")
    answer = await coordinator.send("Write <div>today</div>")
    assert "Telegram" in answer["text"] and "div" in answer["text"]
    answer = await coordinator.send("Write <b>today</b> & tomorrow")
    assert "can't parse entities" in answer["text"]  # a bare & is refused, as Telegram refuses it
    answer = await coordinator.send("Write <b>today</b> &amp; tomorrow <i>please</i>")
    assert "Новая рассылка" in answer["text"] and "English" in answer["text"]


async def test_a_supporter_is_refused_by_command_and_by_forged_buttons(bot: Harness) -> None:
    supporter = bot.person(7100, "S", language_code="be")
    answer = await supporter.send("/broadcast")
    assert "каардынатар" in answer["text"].lower()
    await make_coordinator(bot, COORDINATOR)
    coordinator = bot.person(COORDINATOR, "C")
    await coordinator.send("/broadcast")
    await write_text(coordinator, "en", "Hello")
    await coordinator.press("📤 Send…")
    message_id = supporter.last()["message_id"]
    forged = [
        buttons.BroadcastSend(1, 2), buttons.BroadcastGo("confirm"), buttons.BroadcastAudience("all", "-"),
        buttons.BroadcastText("en"), buttons.BroadcastControl(1, "cancel_yes"), buttons.CampaignResults(1),
    ]  # fmt: skip
    for pressed in forged:
        answer = await supporter.press_data(message_id, pressed.data())
        assert answer is not None and answer["show_alert"], pressed
    async with deps(bot).db.transaction() as session:
        assert (await session.exec(select(Outbox))).all() == []
        refused = (await session.exec(select(RefusalTally))).all()
        audited = (await session.exec(select(AuditEntry))).all()
    assert sum(row.times for row in refused) == 1 + len(forged)  # counted, naming nobody
    assert all(7100 not in (entry.actor_telegram_id, entry.subject_telegram_id) for entry in audited)


async def test_pause_resume_and_cancel(bot: Harness) -> None:
    readers = await supporters_in(bot, {7200 + n: "en" for n in range(30)})
    coordinator = await broadcast_in_english(bot, "Letter night tonight", 31)
    progress = coordinator.messages()[-1]
    # 10 go out, then the coordinator pauses: nothing more is sent until Resume.
    await sender.deliver_due(deps(bot), bot.application.bot, jobs.pacer_for(deps(bot)), jobs.purposes(), batch=10,
                             budget=0.39)  # fmt: skip
    sent_before = sum(got(p, "Letter night tonight") for p in readers.values())
    assert 0 < sent_before < 31
    await coordinator.press("⏸ Pause", progress)
    assert (await deliver(bot)).total == 0
    await coordinator.press("▶️ Resume", progress)
    await sender.deliver_due(deps(bot), bot.application.bot, jobs.pacer_for(deps(bot)), jobs.purposes(), batch=5,
                             budget=0.19)  # fmt: skip
    await coordinator.press("⏹ Cancel", progress)
    assert "will not be" in by_id(coordinator, progress["message_id"])["text"]
    await coordinator.press("Yes, cancel it", progress)
    assert (await deliver(bot)).total == 0
    sent = sum(got(p, "Letter night tonight") for p in readers.values())
    assert all(got(p, "Letter night tonight") <= 1 for p in readers.values())
    async with deps(bot).db.transaction() as session:
        done = (await session.exec(select(Broadcast))).one()
        assert done.status == "cancelled" and done.dropped > 0
        assert done.sent == sent + got(coordinator, "Letter night tonight")
        assert done.sent + done.dropped == 31
        assert (await session.exec(select(Outbox))).all() == []


async def test_after_a_sender_died_mid_batch_the_next_resumes_missing_no_one(bot: Harness) -> None:
    """What kill -9 leaves behind: a batch claimed, one row begun. The next sender (a restart) gives the
    claimed rows back, sends the begun one again and counts it as a possible duplicate."""
    readers = await supporters_in(bot, {7300 + n: "en" for n in range(12)})
    coordinator = await broadcast_in_english(bot, "Write tonight", 13)
    async with deps(bot).db.transaction() as session:
        rows = list((await session.exec(select(Outbox).order_by(col(Outbox.id)))).all())
        for row in rows[:5]:  # the dead sender's batch: claimed, and the first one's send begun
            row.status, row.claimed_at = "claimed", bot.clock.utc()
            session.add(row)
        rows[0].status = "sending"
    stats = await deliver(bot)
    assert stats.total == 13
    assert all(got(p, "Write tonight") == 1 for p in readers.values())
    async with deps(bot).db.transaction() as session:
        done = (await session.exec(select(Broadcast))).one()
    assert (done.status, done.sent, done.resent) == ("done", 13, 1)
    await broadcast_progress.refresh(deps(bot), bot.application.bot)
    assert "may have arrived twice): 1" in coordinator.messages()[-1]["text"] or any(
        "may have arrived twice): 1" in m["text"] for m in coordinator.messages()
    )


async def test_a_campaign_link_suggests_within_its_target_and_counts_letters(bot: Harness) -> None:
    from tests.harness import seed_demo

    await seed_demo(bot)
    await make_coordinator(bot, COORDINATOR)
    coordinator = bot.person(COORDINATOR, "C")
    usage = await coordinator.send("/campaign")
    assert "/campaign person" in usage["text"]
    created = await coordinator.send("/campaign date 2026-05-20")
    link = next(word for word in created["text"].split() if word.startswith("https://t.me/"))
    code = link.rsplit("c_", 1)[1]
    await coordinator.press("➕ ru")
    await coordinator.send("Вечер писем: напишите тому, кто ждёт")
    supporter = bot.person(7400, "S", language_code="ru")
    await supporter.send(f"/start c_{code}")
    texts = [m["text"] for m in supporter.messages()]
    assert "Вечер писем: напишите тому, кто ждёт" in texts
    card = supporter.messages()[-1]
    assert any("отправил" in label.lower() or "sent" in label.lower() for label in labels(card)), labels(card)
    async with deps(bot).db.transaction() as session:
        from bot.models import Hold

        holds = (await session.exec(select(Hold).where(col(Hold.campaign_id).is_not(None)))).all()
    assert len(holds) == 1
    from datetime import date

    from bot.services import campaigns, letters, supporters

    async with deps(bot).db.transaction() as session:
        me = await supporters.find(session, 7400)
        assert me is not None
        await letters.record(
            session, supporter_id=me.id or 0, prisoner_id=holds[0].prisoner_id, sent_on=date(2026, 3, 1),
            kind=letters.LetterKind.LETTER, occasion=None, now=bot.clock.utc(), today=date(2026, 3, 1), daily_cap=10,
        )  # fmt: skip
        campaign = await campaigns.by_code(session, code)
        assert campaign is not None
        results = await campaigns.results(session, campaign)
    assert (results.letters, results.people_reached) == (1, 1) and results.people_in_target > 1
    await coordinator.send("/campaigns")
    await coordinator.press(coordinator.last()["reply_markup"]["inline_keyboard"][0][0]["text"])
    assert "1 letter logged through it" in coordinator.messages()[-2]["text"]
    assert coordinator.messages()[-1].get("photo")  # the chart, drawn by matplotlib and sent as a photo


async def test_a_thousand_recipients_fifty_blocked_and_429s_waited_out_exactly(bot: Harness) -> None:
    from datetime import UTC, datetime

    from sqlalchemy import insert

    from bot.models import Supporter, table_of
    from bot.services import broadcasts

    first, count = 810_000, 1000
    blocked = {first + n for n in range(0, count, 20)}  # 50 who blocked the bot without the bot knowing
    now = datetime.now(UTC)
    for n in range(count):
        bot.telegram.add_user(first + n, f"R{n}")
        bot.telegram.state.chat(first + n).blocked = first + n in blocked
    async with deps(bot).db.transaction() as session:
        rows = [{"telegram_id": first + n, "is_active": True, "created_at": now, "last_seen_at": now,
                 "locale": "ru"} for n in range(count)]  # fmt: skip
        await session.exec(insert(table_of(Supporter)), params=rows)
        draft = await broadcasts.start_draft(session, COORDINATOR, now)
        broadcasts.set_text(draft, "ru", "Вечер писем")
        assert await broadcasts.confirm(session, draft, now=now, default_locale="en", paid=False) == count
    bot.telegram.flood(retry_after=3)
    half = await sender.deliver_due(deps(bot), bot.application.bot, jobs.pacer_for(deps(bot)), jobs.purposes(),
                                    budget=20)  # fmt: skip
    bot.telegram.flood(retry_after=5)  # a second 429 in the middle
    rest = await deliver(bot)
    assert half.total + rest.total == count and (await deliver(bot)).total == 0

    calls = [call for call in bot.telegram.state.calls if call.method == "sendMessage"]
    accepted = Counter(int(call.params["chat_id"]) for call in calls if call.ok)
    tried = Counter(int(call.params["chat_id"]) for call in calls if call.error_code == 403)
    assert set(accepted) == {first + n for n in range(count)} - blocked and set(accepted.values()) == {1}
    assert set(tried) == blocked and set(tried.values()) == {1}  # each blocked user tried once
    floods = [i for i, call in enumerate(calls) if call.error_code == 429]
    assert len(floods) == 2
    for index, wait in zip(floods, (3, 5), strict=True):
        again = calls[index + 1]
        assert again.params["chat_id"] == calls[index].params["chat_id"] and again.at - calls[index].at == wait
    assert bot.telegram.violations() == []
    async with deps(bot).db.transaction() as session:
        done = (await session.exec(select(Broadcast))).one()
        inactive = (await session.exec(select(Supporter).where(col(Supporter.is_active).is_(False)))).all()
    assert (done.status, done.sent, done.blocked, done.failed, done.uncertain) == ("done", 950, 50, 0, 0)
    assert {s.telegram_id for s in inactive} == blocked


async def test_a_recipient_who_uses_forget_mid_broadcast_leaves_it_and_it_still_ends(bot: Harness) -> None:
    readers = await supporters_in(bot, {7500 + n: "en" for n in range(4)})
    coordinator = await broadcast_in_english(bot, "Write tonight", 5)
    gone = readers[7501]
    await gone.send("/forget")
    await gone.press("Yes, delete everything")
    assert (await deliver(bot)).total == 4
    assert got(gone, "Write tonight") == 0
    async with deps(bot).db.transaction() as session:
        done = (await session.exec(select(Broadcast))).one()
        assert (done.status, done.total, done.sent) == ("done", 4, 4)
        assert (await session.exec(select(Outbox))).all() == []
    # The coordinator's own /forget: their draft goes; the broadcast they sent stays with their id, as a
    # record of what was done with a coordinator's powers (README, "Roles and the audit log").
    await coordinator.send("/broadcast")
    await coordinator.send("/forget")
    await coordinator.press("Yes, delete everything")
    async with deps(bot).db.transaction() as session:
        kept = (await session.exec(select(Broadcast))).all()
    assert [(b.status, b.created_by, b.progress_chat) for b in kept] == [("done", COORDINATOR, None)]


async def test_an_old_yes_after_the_audience_changed_asks_again(bot: Harness) -> None:
    await supporters_in(bot, {7600: "be", 7601: "ru"})
    await make_coordinator(bot, COORDINATOR)
    coordinator = bot.person(COORDINATOR, "C")
    await coordinator.send("/broadcast")
    await write_text(coordinator, "en", "Hello")
    await coordinator.press("📤 Send…")
    confirm = coordinator.last()
    await coordinator.send("/broadcast")  # the same draft, now for Belarusian users only
    await coordinator.press("👥 Audience")
    await coordinator.press("Беларуская")
    answer = await coordinator.press("📤 Yes, send to 3 people", confirm)
    assert answer is not None and answer["show_alert"] and "changed" in answer["text"]
    async with deps(bot).db.transaction() as session:
        assert (await session.exec(select(Outbox))).all() == []
        assert (await session.exec(select(Broadcast))).one().status == "draft"


@pytest.mark.parametrize(
    ("locale", "title", "question", "yes", "progress"),
    [
        ("be", "Новая рассылка", "Адправіць 3 людзям?", "📤 Так, адправіць 3 людзям", "Рассылка №"),
        ("ru", "Новая рассылка", "Отправить 3 людям?", "📤 Да, отправить 3 людям", "Рассылка №"),
        ("en", "New broadcast", "Send to 3 people?", "📤 Yes, send to 3 people", "Broadcast #"),
    ],
)
async def test_a_coordinator_works_in_their_own_language(
    bot: Harness, locale: str, title: str, question: str, yes: str, progress: str
) -> None:
    readers = await supporters_in(bot, {7700: "be", 7701: "en"})
    await make_coordinator(bot, COORDINATOR)
    coordinator = bot.person(COORDINATOR, "C", language_code=locale)
    draft = await coordinator.send("/broadcast")
    assert title in draft["text"]
    await coordinator.press("➕ be")
    await coordinator.send("Пішыце сёння")
    send_label = next(label for label in labels(coordinator.last()) if label.startswith("📤"))
    await coordinator.press(send_label)
    assert question in coordinator.last()["text"] or any(question in m["text"] for m in coordinator.messages())
    await coordinator.press(yes)
    assert any(m["text"].startswith("📣 " + progress) for m in coordinator.messages())
    assert (await deliver(bot)).total == 3
    assert got(readers[7700], "Пішыце сёння") == 1 and got(readers[7701], "Пішыце сёння") == 1  # the fallback
