"""An admin keeps individual records true from the chat (issue 11), end to end: /prisoner finds a
person and shows the full record; each everyday change (moved, letters withheld, incommunicado,
released, died, interests, bio) is shown as old → new, confirmed, and then seen in the card a supporter
gets; cancel changes nothing; a confirmation after someone else changed the record asks again; /release
with and without a date; supporters and coordinators are refused, by command and by forged buttons."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlmodel import col, select

from bot import db, jobs
from bot.handlers import buttons
from bot.importing import record
from bot.models import (
    AuditEntry,
    Letter,
    Prisoner,
    PrisonerEdit,
    RefusalTally,
    Reminder,
    ReminderKind,
    Role,
    Supporter,
)
from bot.rules import filters, limits
from bot.services import prisoner_edits, prisoners, reminders, roles
from tests.harness import Harness, Person
from tests.harness import buttons as labels

ADMIN = 900  # BOT_ADMIN_IDS in the bot fixture
SECOND_ADMIN = 902
COORDINATOR = 903
SUPPORTER = 7401

GOMEL = ("ПК №4", "ИК №4", "вул. Антошкіна, 3\n246035, г. Гомель", "ул. Антошкина, 3\n246035, г. Гомель")
MOGILEV = ("ПК №15", "ИК №15", "Слаўгарадская шаша, 183\n213105, г. Магілёў",
           "Славгородское шоссе, 183\n213105, г. Могилёв")  # fmt: skip


def deps(bot: Harness) -> Any:
    return bot.application.bot_data["deps"]


def row(source_id: str, be: str, ru: str, en: str, *, status: str = "active", place: tuple[str, ...] = GOMEL) -> Any:
    held = status == "active"
    raw = {
        "source_id": source_id, "name_be": be, "name_ru": ru, "name_en": en, "gender": "male",
        "birth_date": "1980-07-15", "status": status,
        "institution_be": place[0] if held else "", "institution_ru": place[1] if held else "",
        "address_be": place[2] if held else "", "address_ru": place[3] if held else "",
        "interests": "chess", "bio_en": "An engineer from Gomel.",
    }  # fmt: skip
    parsed = record.parse_row(raw, source_id)
    assert not parsed.errors, parsed.errors
    return parsed.values


async def seed(bot: Harness) -> None:
    """One person letters can reach (p-101), another Ales held elsewhere who is released already, and a
    third Ales: a part of the name matches several."""
    people = [
        row("p-101", "Алесь Пятроў", "Алесь Петров", "Ales Piatrou"),
        row("p-102", "Алесь Іваноў", "Алесь Иванов", "Ales Ivanou", status="released"),
        row("p-103", "Алесь Сідарэнка", "Алесь Сидоренко", "Ales Sidarenka", status="released"),
    ]
    async with deps(bot).db.transaction() as session:
        await prisoners.upsert(session, people, now=bot.clock.utc(), actor=None)


async def person_row(bot: Harness, source_id: str) -> Prisoner:
    async with deps(bot).db.transaction() as session:
        return (await session.exec(select(Prisoner).where(Prisoner.source_id == source_id))).one()


async def audit_actions(bot: Harness) -> list[tuple[str, int | None, str | None]]:
    async with deps(bot).db.transaction() as session:
        rows = await session.exec(
            select(AuditEntry.action, AuditEntry.actor_telegram_id, AuditEntry.detail)
            .where(col(AuditEntry.action).startswith("prisoner."))
            .order_by(col(AuditEntry.id))
        )
        return list(rows.all())


async def refusals(bot: Harness) -> dict[str, int]:
    async with deps(bot).db.transaction() as session:
        return dict((await session.exec(select(RefusalTally.what, RefusalTally.times))).all())


async def grant(bot: Harness, telegram_id: int, role: Role) -> None:
    async with deps(bot).db.transaction() as session:
        await roles.grant(session, telegram_id=telegram_id, role=role, by=None, now=bot.clock.utc())


async def card_for(bot: Harness, query: str) -> str:
    reader = bot.person(SUPPORTER, "Sam", language_code="en")
    return str((await reader.send(f"/suggest {query}"))["text"])


async def open_record(bot: Harness, user_id: int = ADMIN, query: str = "p-101") -> Person:
    admin = bot.person(user_id, "Admin", language_code="en")
    shown = await admin.send(f"/prisoner {query}")
    assert "Id in the list: p-101" in shown["text"], shown["text"]
    return admin


def confirm_data(message: dict[str, Any]) -> str:
    return next(
        b["callback_data"] for r in message["reply_markup"]["inline_keyboard"] for b in r if b["text"] == "Confirm"
    )


async def test_moved_shows_old_and_new_and_the_envelope_follows(bot: Harness) -> None:
    await seed(bot)
    admin = await open_record(bot)
    record_text = admin.last()["text"]
    assert "Ales Piatrou" in record_text and "Facility (ru): ИК №4" in record_text
    assert "Address (be): вул. Антошкіна, 3\n246035, г. Гомель" in record_text
    assert "Status: political prisoner now" in record_text and "Bio (en): An engineer from Gomel." in record_text

    await admin.press("Moved")
    assert "in Belarusian" in admin.last()["text"]
    too_long = await admin.send("ПК " + "х" * 300)
    assert "too long: at most 300 characters" in too_long["text"] and "in Belarusian" in too_long["text"]
    for text in MOGILEV[:3]:
        await admin.send(text)
    # Lines are trimmed as the import trims them.
    shown = await admin.send("  Славгородское шоссе, 183  \n\n 213105, г. Могилёв ")
    assert "Facility (ru): ИК №4 → ИК №15" in shown["text"]
    assert (
        "Address (ru): ул. Антошкина, 3\n246035, г. Гомель → Славгородское шоссе, 183\n213105, г. Могилёв"
        in (shown["text"])
    )
    assert "Status" not in shown["text"]  # unchanged values are not listed
    assert labels(shown) == ["Confirm", "Cancel"]
    assert "Гомель" in await card_for(bot, "Piatrou")  # not yet

    await admin.press("Confirm")
    confirmed_at = bot.clock.utc()
    saved = admin.last()["text"]
    assert saved.startswith("✅ Saved.") and "Facility (ru): ИК №15" in saved
    card = await card_for(bot, "Piatrou")
    assert "Held in: ИК №15" in card and "213105, г. Могилёв" in card and "Гомель" not in card
    moved = await person_row(bot, "p-101")
    assert moved.facility_key == filters.key("ИК №15")  # derived as the import derives it
    assert moved.updated_at.replace(tzinfo=None) == confirmed_at.replace(tzinfo=None)  # as an import sets it
    [(action, actor, detail)] = await audit_actions(bot)
    assert (action, actor) == ("prisoner.facility", ADMIN)
    assert detail is not None and detail.startswith("p-101: ") and "institution_ru ИК №4→ИК №15" in detail
    assert str(SUPPORTER) not in detail


async def test_released_is_no_longer_suggested_and_brings_the_news(bot: Harness) -> None:
    await seed(bot)
    before = bot.person(7402, "Ann", language_code="en")
    assert "Ales Piatrou" in (await before.send("/suggest"))["text"]  # the only one letters can reach
    pid = (await person_row(bot, "p-101")).id or 0
    today = deps(bot).today()
    reader = bot.person(SUPPORTER, "Sam", language_code="en")
    await reader.send("/start")
    async with deps(bot).db.transaction() as session:  # the reader wrote to him last week
        sid = (await session.exec(select(Supporter.id).where(Supporter.telegram_id == SUPPORTER))).one()
        day = today - timedelta(days=7)
        session.add(Letter(supporter_id=sid or 0, prisoner_id=pid, sent_on=day, kind="letter", logged_on=day))

    admin = await open_record(bot)
    await admin.press("Released")
    asked = admin.last()
    assert "YYYY-MM-DD" in asked["text"] and labels(asked) == [f"Today, {today.isoformat()}", "Cancel"]
    future = await admin.send((today + timedelta(days=1)).isoformat())
    assert "has not come yet" in future["text"]
    assert "not a date" in (await admin.send("2026-02-30"))["text"]
    shown = await admin.send((today - timedelta(days=2)).isoformat())
    assert "Status: political prisoner now → released" in shown["text"]
    assert "In custody: yes → no" in shown["text"] and f"Release date: — → {today - timedelta(days=2)}" in shown["text"]
    await admin.press("Confirm")
    assert "Status: released" in admin.last()["text"]
    assert labels(admin.last())[:3] == ["Moved", "Released", "Died"]

    after = bot.person(7403, "Bo", language_code="en")
    assert "There is no one to suggest" in (await after.send("/suggest"))["text"]
    card = await card_for(bot, "Piatrou")
    assert "has been released" in card and "Address for the envelope" not in card
    released = await person_row(bot, "p-101")
    assert (released.status, released.in_custody, released.facility_key) == ("released", False, None)
    assert released.expected_release_date == today - timedelta(days=2)

    # The sweep that brings good news of an import's release brings this one too.
    now = bot.clock.utc()
    await reminders.sweep(deps(bot).db, now, today, now.astimezone(deps(bot).settings.timezone), expire=False)
    async with deps(bot).db.transaction() as session:
        news = (await session.exec(select(Reminder.kind, Reminder.subject))).all()
    assert (ReminderKind.RELEASED.value, pid) in news
    assert [action for action, _, _ in await audit_actions(bot)] == ["prisoner.release"]


async def test_flags_interests_bio_and_death_reach_the_card(bot: Harness) -> None:
    await seed(bot)
    admin = await open_record(bot)
    await admin.press("Letters withheld")
    assert "Letters withheld: no → yes" in admin.last()["text"]
    await admin.press("Confirm")
    assert "Letters no longer withheld" in labels(admin.last())
    await admin.press("Incommunicado")
    assert "Incommunicado: no → yes" in admin.last()["text"]
    await admin.press("Confirm")
    card = await card_for(bot, "Piatrou")
    assert "likely withheld" in card and "held incommunicado" in card

    await admin.press("No longer incommunicado")
    await admin.press("Confirm")
    assert "held incommunicado" not in await card_for(bot, "Piatrou")

    await admin.press("Edit interests")
    shown = await admin.send("books ;  music;;")
    assert "Interests: chess → books; music" in shown["text"]
    await admin.press("Confirm")
    assert "Interests: books, music" in await card_for(bot, "Piatrou")

    await admin.press("Edit bio")
    await admin.press("English")
    shown = await admin.send("A teacher from Mogilev.")
    assert "Bio (en): An engineer from Gomel. → A teacher from Mogilev." in shown["text"]
    await admin.press("Confirm")
    assert "A teacher from Mogilev." in await card_for(bot, "Piatrou")
    await admin.press("Edit bio")
    await admin.press("English")
    await admin.send("-")
    await admin.press("Confirm")
    assert "Bio (en)" not in admin.last()["text"]

    await admin.press("Died")
    assert "Status: political prisoner now → died" in admin.last()["text"]
    await admin.press("Confirm")
    assert "Moved" not in labels(admin.last()) and "Died" not in labels(admin.last())
    assert "has died" in await card_for(bot, "Piatrou")
    assert [action for action, _, _ in await audit_actions(bot)] == [
        "prisoner.letters_blocked", "prisoner.incommunicado", "prisoner.incommunicado", "prisoner.interests",
        "prisoner.bio_en", "prisoner.bio_en", "prisoner.death",
    ]  # fmt: skip
    # Nothing is left waiting for confirmation once applied.
    async with deps(bot).db.transaction() as session:
        assert not (await session.exec(select(PrisonerEdit))).all()


async def test_cancel_changes_nothing(bot: Harness) -> None:
    await seed(bot)
    admin = await open_record(bot)
    before = await person_row(bot, "p-101")
    await admin.press("Released")
    await admin.press(f"Today, {deps(bot).today().isoformat()}")
    confirm = admin.last()
    await admin.press("Cancel")
    assert admin.last()["text"].startswith("✅ Cancelled: nothing changed.")
    await admin.press("Moved")
    await admin.press("Cancel")  # while a value is asked for: what is typed next is not taken
    assert "I did not understand that" in (await admin.send("ПК №1"))["text"]
    # The confirmation of the cancelled change is dead.
    answer = await admin.press_data(confirm["message_id"], confirm_data(confirm))
    assert answer == {"text": "This button is no longer valid.", "show_alert": True}
    after = await person_row(bot, "p-101")
    assert after.model_dump() == before.model_dump()
    assert await audit_actions(bot) == []


async def test_a_change_made_meanwhile_is_shown_and_asked_again(bot: Harness) -> None:
    await seed(bot)
    await grant(bot, SECOND_ADMIN, Role.ADMIN)
    first = await open_record(bot)
    await first.press("Moved")
    for text in MOGILEV:
        await first.send(text)
    first_confirm = first.last()

    # A second admin moves him elsewhere first; also forges presses on the first admin's change: refused
    # and counted, as another admin's import is, and the first admin's change stays open.
    second = await open_record(bot, SECOND_ADMIN)
    not_yours = {"text": "Another admin started this change: only they can confirm or cancel it.", "show_alert": True}
    pressed = buttons.read(confirm_data(first_confirm), buttons.PrisonerConfirm)
    assert pressed is not None
    edit_id = pressed.edit
    for forged in (
        confirm_data(first_confirm),
        buttons.PrisonerConfirm(edit_id, "no").data(),
        buttons.PrisonerReleaseToday(edit_id).data(),
    ):
        assert await second.press_data(second.last()["message_id"], forged) == not_yours
    assert await refusals(bot) == {"admin_prisoner.not_yours": 3}
    await second.press("Moved")
    for text in (
        "СІЗА №1",
        "СИЗО №1",
        "вул. Валадарскага, 2\n220030, г. Мінск",
        "ул. Володарского, 2\n220030, г. Минск",
    ):
        await second.send(text)
    await second.press("Confirm")
    assert (await person_row(bot, "p-101")).institution_ru == "СИЗО №1"

    answer = await first.press("Confirm", first_confirm)
    assert answer == {"text": "Someone changed this record meanwhile.", "show_alert": True}
    again = first.last()
    assert "Someone changed this record meanwhile" in again["text"]
    assert "Facility (ru): СИЗО №1 → ИК №15" in again["text"]
    assert (await person_row(bot, "p-101")).institution_ru == "СИЗО №1"  # not applied without asking
    await first.press("Confirm", again)
    assert (await person_row(bot, "p-101")).institution_ru == "ИК №15"
    assert [(a, actor) for a, actor, _ in await audit_actions(bot)] == [
        ("prisoner.facility", SECOND_ADMIN), ("prisoner.facility", ADMIN),
    ]  # fmt: skip

    # The same flag set by both: the second finds nothing left to change.
    await first.press("Letters withheld")
    flag_confirm = first.last()
    await second.send("/prisoner p-101")
    await second.press("Letters withheld")
    await second.press("Confirm")
    await first.press("Confirm", flag_confirm)
    assert "Nothing to change" in first.last()["text"]
    assert len(await audit_actions(bot)) == 3


async def test_release_command_with_and_without_a_date(bot: Harness) -> None:
    await seed(bot)
    admin = bot.person(ADMIN, "Admin", language_code="en")
    today = deps(bot).today()
    assert "/release 1234 2026-11-20" in (await admin.send("/release"))["text"]
    assert "No one matches “nobody”" in (await admin.send("/release nobody"))["text"]
    assert "Several people match “Ales”" in (await admin.send("/release Ales"))["text"]
    assert "not a date" in (await admin.send("/release p-101 20.02.2026"))["text"]
    assert "not a date" in (await admin.send("/release p-101 20260220"))["text"]
    assert "has not come yet" in (await admin.send(f"/release p-101 {today + timedelta(days=3)}"))["text"]
    assert "/release" in (await admin.send("/release p-101 2026-02-01 extra"))["text"]
    assert (await person_row(bot, "p-101")).status == "active"

    shown = await admin.send("/release p-101")
    assert f"Release date: — → {today.isoformat()}" in shown["text"] and labels(shown) == ["Confirm", "Cancel"]
    await admin.press("Confirm")
    released = await person_row(bot, "p-101")
    assert (released.status, released.expected_release_date) == ("released", today)

    # Another day for someone released already: only the date changes.
    shown = await admin.send("/release p-102 2025-12-31")
    assert "Release date: — → 2025-12-31" in shown["text"] and "Status" not in shown["text"]
    await admin.press("Confirm")
    assert (await person_row(bot, "p-102")).expected_release_date == date(2025, 12, 31)
    assert [action for action, _, _ in await audit_actions(bot)] == ["prisoner.release", "prisoner.release"]


async def test_finding_a_record_by_name_and_the_usage(bot: Harness) -> None:
    await seed(bot)
    admin = bot.person(ADMIN, "Алесь", language_code="ru")
    assert "/prisoner 1234" in (await admin.send("/prisoner"))["text"]
    assert "По запросу «Кастусь» никого не найдено" in (await admin.send("/prisoner Кастусь"))["text"]
    many = await admin.send("/prisoner Алесь")
    assert labels(many) == [
        "Алесь Петров · p-101 · в списке политзаключённых", "Алесь Иванов · p-102 · на свободе",
        "Алесь Сидоренко · p-103 · на свободе",
    ]  # fmt: skip
    await admin.press(next(label for label in labels(many) if "p-103" in label))
    shown = admin.last()["text"]
    assert "p-103" in shown and "Алесь Сидоренко" in shown
    assert "Пятроў" not in shown
    one = await admin.send("/prisoner Петров")
    assert "Алесь Пятроў" in one["text"] and "Алесь Петров" in one["text"]  # names as stored, in be and ru


async def test_supporters_and_coordinators_are_refused(bot: Harness) -> None:
    await seed(bot)
    await grant(bot, COORDINATOR, Role.COORDINATOR)
    admin = await open_record(bot)
    await admin.press("Letters withheld")
    confirm = admin.last()
    before = await person_row(bot, "p-101")
    pid = before.id or 0
    refused = "This is only for coordinators and admins of the bot."
    for user_id in (SUPPORTER, COORDINATOR):
        other = bot.person(user_id, "X", language_code="en")
        assert (await other.send("/prisoner p-101"))["text"] == refused
        assert (await other.send("/release p-101"))["text"] == refused
        forged = [
            confirm_data(confirm),
            buttons.PrisonerChange(pid, "died").data(),
            buttons.PrisonerRecord(pid).data(),
        ]
        for data in forged:
            answer = await other.press_data(other.last()["message_id"], data)
            assert answer == {"text": refused, "show_alert": True}
    assert await person_row(bot, "p-101") == before
    assert await refusals(bot) == {
        "admin_prisoner.command": 2, "admin_prisoner.release": 2, "admin_prisoner.button": 6,
    }  # fmt: skip
    await admin.press("Confirm", confirm)  # the admin's own change still stands
    assert (await person_row(bot, "p-101")).letters_blocked is True


async def test_an_admin_revoked_while_a_value_is_asked_for_is_refused_and_nothing_changes(bot: Harness) -> None:
    await seed(bot)
    await grant(bot, SECOND_ADMIN, Role.ADMIN)
    second = await open_record(bot, SECOND_ADMIN)
    await second.press("Moved")
    assert "in Belarusian" in second.last()["text"]
    before = await person_row(bot, "p-101")
    async with deps(bot).db.transaction() as session:
        assert await roles.revoke(session, telegram_id=SECOND_ADMIN, role=Role.ADMIN, by=ADMIN, now=bot.clock.utc())

    assert (await second.send("ПК №1"))["text"] == "This is only for coordinators and admins of the bot."
    assert await refusals(bot) == {"admin_prisoner.take_text": 1}
    # Nothing was taken, nor is anything awaited any more: the next text is no longer a value.
    async with deps(bot).db.transaction() as session:
        [edit] = (await session.exec(select(PrisonerEdit))).all()
        assert prisoner_edits.waiting(edit) == "institution_be"
        pending = await session.exec(select(Supporter.pending_input).where(Supporter.telegram_id == SECOND_ADMIN))
        assert pending.one() is None
    assert "I did not understand that" in (await second.send("ИК №1"))["text"]
    assert await person_row(bot, "p-101") == before
    assert await audit_actions(bot) == []


async def test_an_unconfirmed_change_is_forgotten_after_an_hour(bot: Harness) -> None:
    await seed(bot)
    admin = await open_record(bot)
    await admin.press("Died")
    confirm = admin.last()
    bot.clock.advance(3601)
    await jobs.expire_holds(deps(bot))
    async with deps(bot).db.transaction() as session:
        assert not (await session.exec(select(PrisonerEdit))).all()
    answer = await admin.press("Confirm", confirm)
    assert answer == {"text": "This button is no longer valid.", "show_alert": True}
    assert (await person_row(bot, "p-101")).status == "active"


async def test_two_confirmations_at_the_same_moment_apply_one_and_ask_again_for_the_other(
    database: db.Database,
) -> None:
    """Two admins move the same person at once, each in their own transaction: one change is applied,
    the other waits for it (a row lock on PostgreSQL, one writer on SQLite) and is asked again."""
    now = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    async with database.transaction() as session:
        await prisoners.upsert(
            session, [row("p-101", "Алесь Пятроў", "Алесь Петров", "Ales Piatrou")], now=now, actor=None
        )
    edits = {}
    async with database.transaction() as session:
        prisoner = (await session.exec(select(Prisoner))).one()
        for admin, place in ((ADMIN, MOGILEV), (SECOND_ADMIN, ("СІЗА №1", "СИЗО №1", "г. Мінск", "г. Минск"))):
            edit = prisoner_edits.propose(session, admin=admin, prisoner=prisoner, field="facility", now=now)
            for text in place:
                assert prisoner_edits.give(edit, prisoner, text, now.date()) is None
            await session.flush()
            edits[admin] = edit.id or 0

    async def confirm(admin: int) -> str:
        async with database.transaction() as session:
            outcome = await prisoner_edits.confirm(session, edit_id=edits[admin], admin=admin, now=now)
            return outcome.kind

    outcomes = await asyncio.gather(confirm(ADMIN), confirm(SECOND_ADMIN))
    assert sorted(outcomes) == ["applied", "stale"]
    async with database.transaction() as session:
        moved = (await session.exec(select(Prisoner))).one()
        winner = ADMIN if outcomes[0] == "applied" else SECOND_ADMIN
        assert moved.institution_ru == ("ИК №15" if winner == ADMIN else "СИЗО №1")
        [again] = (await session.exec(select(PrisonerEdit))).all()  # the other one, from the record as it is now
        assert again.admin_telegram_id != winner and moved.institution_ru in (again.old_value or "")
        actions = (
            await session.exec(
                select(AuditEntry.actor_telegram_id).where(col(AuditEntry.action) == "prisoner.facility")
            )
        ).all()
        assert actions == [winner]


async def test_interests_are_the_known_ones_typed_in_any_language(bot: Harness) -> None:
    """A card translates only the interests it knows, stored as English keys: an admin picks from the
    list shown in their language, and a word that is none of them is refused with the list again."""
    await seed(bot)
    admin = bot.person(ADMIN, "Алесь", language_code="ru")
    await admin.send("/prisoner p-101")
    await admin.press("Изменить увлечения")
    asked = admin.last()["text"]
    assert "; книги; кошки; кулинария;" in asked and "шахматы" in asked  # the list, in the admin's language
    refused = await admin.send("Вязание; книги; <b>")
    assert "Таких увлечений нет среди тех, что показывает карточка: Вязание; <b>." in refused["text"]
    assert "; книги; кошки; кулинария;" in refused["text"]
    shown = await admin.send("Книги;  кошки ; music; книги")  # any case, either language, once each
    assert "Увлечения: шахматы → книги; кошки; музыка" in shown["text"]
    await admin.press("Подтвердить")
    assert (await person_row(bot, "p-101")).interests == "books;cats;music"
    assert "Interests: books, cats, music" in await card_for(bot, "Piatrou")

    belarusian = bot.person(SECOND_ADMIN, "Алесь", language_code="be")
    await grant(bot, SECOND_ADMIN, Role.ADMIN)
    await belarusian.send("/prisoner p-101")
    await belarusian.press("Змяніць захапленні")
    assert "кнігі; музыка" in (await belarusian.send("Кнігі; Музыка"))["text"]
    await belarusian.press("Пацвердзіць")
    assert (await person_row(bot, "p-101")).interests == "books;music"


async def test_moving_a_released_person_shows_that_they_are_a_prisoner_again(bot: Harness) -> None:
    """The way to undo a release made by mistake: a move sets the status back, and says so before it is
    confirmed."""
    await seed(bot)
    admin = bot.person(ADMIN, "Admin", language_code="en")
    await admin.send("/prisoner p-102")
    await admin.press("Moved")
    for text in MOGILEV[:3]:
        await admin.send(text)
    shown = (await admin.send(MOGILEV[3]))["text"]
    assert "Status: released → political prisoner now" in shown and "In custody: no → yes" in shown
    assert "Facility (ru): — → ИК №15" in shown
    await admin.press("Confirm")
    moved = await person_row(bot, "p-102")
    assert (moved.status, moved.in_custody, moved.institution_ru) == ("active", True, "ИК №15")
    [(action, _, detail)] = await audit_actions(bot)
    assert action == "prisoner.facility" and detail is not None and "status released→active" in detail


async def test_the_longest_record_still_fits_one_message(bot: Harness) -> None:
    """Names at their limit, addresses and interests of any length (the list sets none, and the chat
    takes what the list takes), three long bios, all of it markup that escapes to more: the record, the
    change and the confirmed record are each one message Telegram takes, the bios cut to what is left."""
    await seed(bot)
    async with deps(bot).db.transaction() as session:
        person = (await session.exec(select(Prisoner).where(Prisoner.source_id == "p-101"))).one()
        person.name_be = person.name_ru = person.name_en = "&" * 200
        person.institution_be = person.institution_ru = "<ИК>" * 75
        person.address_be = person.address_ru = "&" * 4000
        person.interests = ";".join(["&<>"] * 1000)
        person.bio_be = person.bio_ru = person.bio_en = "Біяграфія & " * 1000
        session.add(person)
    admin = bot.person(ADMIN, "Admin", language_code="be")
    shown = await admin.send("/prisoner p-101")
    assert "Адрас (бел.): &&&" in shown["text"] and "Біяграфія (англ.): Біяграфія" in shown["text"]
    assert limits.utf16_len(shown["text"]) <= limits.TEXT_LIMIT

    # A typed address as long as a message is taken (an import would take it); it is cut only when shown.
    await admin.press("Перавод")
    for text in ("ПК №1", "ИК №1", "&" * 4000):
        await admin.send(text)
    change = await admin.send("ул. Кирова, 1 " * 290)
    assert "Адрас (рус.): &&&" in change["text"] and "Пацвердзіць" in labels(change)
    await admin.press("Пацвердзіць")
    saved = await person_row(bot, "p-101")
    assert saved.address_ru == ("ул. Кирова, 1 " * 290).strip() and saved.institution_ru == "ИК №1"
    assert admin.last()["text"].startswith("✅")
    assert bot.bad_requests() == []  # every one of them was taken, none over Telegram's limit
