"""/grant, /revoke, /roles and /audit end to end: who may do what, what the grantee hears, the menus
Telegram shows each person, and what the audit log keeps (staff ids only, also after /forget)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from bot.handlers import menu
from bot.models import AuditEntry, PendingImport, Prisoner, PrisonerEdit, RefusalTally, Role, RoleGrant
from bot.sandbox import views
from bot.services import audit, roles, supporters
from tests.harness import Harness, Person, seed_demo, start_harness, stop_harness
from tests.harness import buttons as labels

ADMIN = 900  # BOT_ADMIN_IDS of the `bot` fixture


def deps(bot: Harness) -> Any:
    return bot.application.bot_data["deps"]


def menu_of(bot: Harness, person: Person) -> list[str]:
    """The commands this person's Telegram lists, as Telegram picks the menu (their chat's, else everyone's)."""
    user = bot.telegram.state.users[person.id]
    return [c["command"] for c in views.command_menu(bot.telegram.state, person.id, user.language_code)]


async def audit_rows(bot: Harness) -> list[tuple[str, int | None, int | None]]:
    async with deps(bot).db.transaction() as session:
        rows = (await session.exec(select(AuditEntry).order_by(col(AuditEntry.id)))).all()
    return [(row.action, row.actor_telegram_id, row.subject_telegram_id) for row in rows]


async def held(bot: Harness, telegram_id: int) -> set[Role]:
    async with deps(bot).db.transaction() as session:
        return await roles.roles_of(session, telegram_id, deps(bot).settings.bot_admin_ids)


async def test_a_grant_tells_the_grantee_in_their_language_and_gives_them_a_menu(bot: Harness) -> None:
    admin = bot.person(ADMIN, "Admin")
    grantee = bot.person(2101, "Lena", language_code="ru")
    supporter = bot.person(2102, "Ala", language_code="be")
    await grantee.send("/start")
    await supporter.send("/start")

    answer = await admin.send("/grant 2101 coordinator")
    assert answer["text"] == "Done: 2101 is now coordinator."
    told = grantee.last()
    assert told["text"].startswith("Теперь вы координатор этого бота.")
    assert "/broadcast — Разослать сообщение пользователям бота" in told["text"] and "/grant" not in told["text"]
    assert "/forget" in told["text"]  # that their id stays in the audit log is said before they act

    # The grantee's menu, in the language they use here, with a coordinator's commands; nobody else's changes.
    own = bot.telegram.state.default_commands[f"chat:{grantee.id}::"]
    assert {"command": "broadcasts", "description": "Рассылки и их результаты"} in own
    assert menu_of(bot, grantee)[: len(menu.commands(deps(bot).i18n.translator("ru")))] == [
        c.command for c in menu.commands(deps(bot).i18n.translator("ru"))
    ]
    assert {"broadcast", "campaigns", "stats"} <= set(menu_of(bot, grantee))
    assert not {"grant", "audit", "import"} & set(menu_of(bot, grantee))
    staff_names = set(menu.staff_names({Role.ADMIN}))
    assert not staff_names & set(menu_of(bot, supporter))
    assert await audit_rows(bot) == [("role.grant.coordinator", ADMIN, 2101)]

    assert (await admin.send("/grant 2101 coordinator"))["text"] == "2101 is already coordinator."
    assert await audit_rows(bot) == [("role.grant.coordinator", ADMIN, 2101)]  # nothing happened: nothing audited

    # An admin's menu in English, with every staff command; /help lists them too.
    await admin.send("/grant 2101 admin")
    assert grantee.last()["text"].startswith("Теперь вы администратор этого бота.")
    assert staff_names <= set(menu_of(bot, grantee))
    help_text = (await grantee.send("/help"))["text"]
    assert "Вы администратор." in help_text and "/audit — Журнал аудита: последние действия" in help_text
    assert "/grant" not in (await supporter.send("/help"))["text"]


async def test_someone_who_never_wrote_is_granted_and_gets_the_menu_once_they_write(bot: Harness) -> None:
    admin = bot.person(ADMIN, "Admin")
    answer = await admin.send("/grant 2199 admin")
    assert answer["text"].startswith("Done: 2199 is now admin.") and "have not written to the bot yet" in answer["text"]
    assert await held(bot, 2199) == {Role.ADMIN}
    newcomer = bot.person(2199, "New", language_code="be")
    assert not newcomer.messages()  # nothing was sent into a chat that did not exist
    text = (await newcomer.send("/help"))["text"]
    assert "Вы адміністратар." in text and "/revoke — Адклікаць ролю" in text
    assert "revoke" in menu_of(bot, newcomer)


async def test_the_grant_stands_when_the_grantee_cannot_be_told(bot: Harness) -> None:
    admin = bot.person(ADMIN, "Admin")
    grantee = bot.person(2150, "Blocked", language_code="en")
    await grantee.send("/start")
    bot.telegram.state.chats[grantee.id].blocked = True  # blocked just now: the bot has not heard of it yet
    answer = await admin.send("/grant 2150 coordinator")
    assert answer["text"] == "Done: 2150 is now coordinator."
    assert await held(bot, 2150) == {Role.COORDINATOR}
    assert [call.error_code for call in bot.telegram.refusals()] == [403]


async def test_revoke_asks_first_and_the_menu_goes_back_to_everyones(bot: Harness) -> None:
    admin = bot.person(ADMIN, "Admin")
    coordinator = bot.person(2201, "Kasia", language_code="en")
    await coordinator.send("/start")
    await admin.send("/grant 2201 coordinator")
    question = await admin.send("/revoke 2201 coordinator")
    assert question["text"] == "Take the role of coordinator back from 2201?"
    assert labels(question) == ["Yes, take it back", "No"]
    await admin.press("No")
    assert admin.last()["text"] == "Nothing changed."
    assert await held(bot, 2201) == {Role.COORDINATOR}

    question = await admin.send("/revoke 2201 coordinator")
    await admin.press("Yes, take it back", question)
    assert admin.messages()[-1]["text"] == "Done: 2201 is no longer coordinator."
    assert await held(bot, 2201) == set()
    assert f"chat:{coordinator.id}::" not in bot.telegram.state.default_commands
    assert "broadcast" not in menu_of(bot, coordinator) and "suggest" in menu_of(bot, coordinator)
    answer = await admin.press("Yes, take it back", question)  # the same confirmation, pressed again
    assert answer is not None and not answer["show_alert"]
    assert admin.messages()[-1]["text"] == "This role has been taken back already."
    assert (await admin.send("/revoke 2201 coordinator"))["text"] == "2201 is not coordinator."
    assert [row[0] for row in await audit_rows(bot)] == ["role.grant.coordinator", "role.revoke.coordinator"]
    assert (await coordinator.send("/broadcast"))["text"] == "This is only for coordinators and admins of the bot."


async def test_usage_is_explained(bot: Harness) -> None:
    admin = bot.person(ADMIN, "Admin", language_code="ru")
    for wrong in ("/grant", "/grant 2301", "/grant 2301 boss", "/grant @lena admin", "/grant 0 admin"):
        text = (await admin.send(wrong))["text"]
        assert text.startswith("Чтобы назначить роль") and "/grant 123456789 coordinator" in text
    assert (await admin.send("/revoke 1"))["text"].startswith("Чтобы отозвать роль")
    assert (await admin.send("/audit 0"))["text"].startswith("Отправьте /audit")
    assert (await admin.send("/audit 101"))["text"].startswith("Отправьте /audit")
    assert (await admin.send("/audit x"))["text"].startswith("Отправьте /audit")
    assert await audit_rows(bot) == []


async def test_an_admin_from_the_configuration_cannot_be_revoked_in_the_chat(bot: Harness) -> None:
    other = bot.person(2301, "Other", language_code="en")
    await other.send("/start")
    admin = bot.person(ADMIN, "Admin")
    await admin.send("/grant 2301 admin")
    answer = await other.send("/revoke 900 admin")
    assert answer["text"].startswith("900 is an admin in the bot's configuration (BOT_ADMIN_IDS)")
    assert await held(bot, ADMIN) == {Role.ADMIN}
    assert (await audit_rows(bot))[-1] == ("role.revoke.admin.refused", 2301, ADMIN)
    # 2301 may give up their own admin role: 900 stays an admin.
    await other.send("/revoke 2301 admin")
    await other.press("Yes, take it back")
    assert other.messages()[-1]["text"] == "Done: 2301 is no longer admin."
    assert await held(bot, 2301) == set()


@pytest.fixture
async def no_env_admins(database_url: str) -> AsyncIterator[Harness]:
    """A bot with no BOT_ADMIN_IDS: admins only by grants."""
    harness = await start_harness(database_url, BOT_ADMIN_IDS="")
    try:
        yield harness
    finally:
        await stop_harness(harness)
    assert not harness.bad_requests()


async def test_the_last_admin_cannot_give_up_their_role(no_env_admins: Harness) -> None:
    bot = no_env_admins
    first, second = bot.person(2401, "First"), bot.person(2402, "Second")
    await second.send("/start")
    async with deps(bot).db.transaction() as session:
        await roles.grant(session, telegram_id=2401, role=Role.ADMIN, by=None, now=bot.clock.utc())  # the operator
    answer = await first.send("/revoke 2401 admin")
    assert answer["text"].startswith("You are the last admin")
    await first.send("/grant 2402 admin")
    question = await first.send("/revoke 2401 admin")  # allowed now: 2402 stays an admin
    # Before 2401 confirms, 2402 gives up theirs: the confirmation is checked again and refused.
    await second.send("/revoke 2402 admin")
    await second.press("Yes, take it back")
    assert await held(bot, 2402) == set()
    await first.press("Yes, take it back", question)
    assert first.messages()[-1]["text"].startswith("You are the last admin")
    assert await held(bot, 2401) == {Role.ADMIN}
    actions = [row[0] for row in await audit_rows(bot)]
    assert actions == [
        "role.grant.admin", "role.revoke.admin.refused", "role.grant.admin", "role.revoke.admin",
        "role.revoke.admin.refused",
    ]  # fmt: skip
    listing = (await first.send("/roles"))["text"]
    assert "given by the operator" in listing and "configuration" not in listing


async def test_roles_and_the_audit_log(bot: Harness) -> None:
    admin = bot.person(ADMIN, "Admin", language_code="en")
    supporter = bot.person(2501, "Someone", language_code="en")
    for telegram_id in (2502, 2503):
        await bot.person(telegram_id, "Staff").send("/start")
    await admin.send("/grant 2502 coordinator")
    bot.clock.advance(3600)
    await admin.send("/grant 2503 admin")
    listing = (await admin.send("/roles"))["text"]
    assert "Admins in the bot's configuration" in listing and "900 — admin" in listing
    assert "2502 — coordinator, 1 Mar 2026, given by 900" in listing and "2503 — admin" in listing

    for command in ("/grant 2501 admin", "/roles", "/audit"):
        assert (await supporter.send(command))["text"] == "This is only for coordinators and admins of the bot."
    coordinator = bot.person(2502, "Staff")
    assert (await coordinator.send("/audit"))["text"] == "This is only for coordinators and admins of the bot."

    log = (await admin.send("/audit"))["text"]
    lines = log.split("\n")
    assert lines[0] == "Audit log, newest first"
    # Newest first, in the bot's time zone (Minsk, UTC+3), with staff ids only.
    assert re.fullmatch(r"1 Mar 2026 13:\d\d · 900 · role\.grant\.admin → 2503", lines[2]), lines[2]
    assert re.fullmatch(r"1 Mar 2026 12:\d\d · 900 · role\.grant\.coordinator → 2502", lines[3]), lines[3]
    assert "Attempts without the role refused in the last 7 days: 4" in log
    assert "admin_roles.grant 1" in log and "admin_roles.audit_log 2" in log
    assert "2501" not in log
    async with deps(bot).db.transaction() as session:
        tallies = {row.what: row.times for row in (await session.exec(select(RefusalTally))).all()}
    assert tallies == {"admin_roles.grant": 1, "admin_roles.listing": 1, "admin_roles.audit_log": 2}
    assert all(2501 not in row[1:] for row in await audit_rows(bot))
    assert (await admin.send("/audit 1"))["text"].count("role.grant") == 1


async def test_a_long_audit_comes_in_several_messages(bot: Harness) -> None:
    async with deps(bot).db.transaction() as session:
        for n in range(60):
            audit.record(session, at=bot.clock.utc(), actor=ADMIN, action="prisoner.edit", detail="x" * 500 + str(n))
    admin = bot.person(ADMIN, "Admin")
    await admin.send("/audit 60")
    parts = [m["text"] for m in admin.messages()[-3:]]
    assert parts[0].startswith("Audit log, newest first") and not parts[1].startswith("Audit log")
    assert sum(part.count("prisoner.edit") for part in parts) == 60
    assert all(len(part) < 4096 for part in parts) and "Nothing was refused in the last 7 days." in parts[2]


async def test_a_staff_members_forget_keeps_their_actions_accountable(bot: Harness) -> None:
    await seed_demo(bot)
    admin = bot.person(ADMIN, "Admin")
    staff = bot.person(2601, "Staff", language_code="en")
    await staff.send("/start")
    await admin.send("/grant 2601 admin")
    await staff.send("/grant 2602 coordinator")
    now = bot.clock.utc()
    async with deps(bot).db.transaction() as session:
        prisoner = (await session.exec(select(Prisoner))).first()
        assert prisoner is not None
        session.add(PendingImport(admin_telegram_id=2601, created_at=now, expires_at=now + timedelta(hours=1)))
        session.add(PrisonerEdit(admin_telegram_id=2601, prisoner_id=prisoner.id, field="bio_en", created_at=now))
    text = (await staff.send("/privacy"))["text"]
    assert "What a coordinator or admin did with their role stays on record with their id." in text
    assert "stays on record" not in (await bot.person(2603, "S").send("/privacy"))["text"]

    await staff.send("/forget")
    await staff.press("Yes, delete everything")
    async with deps(bot).db.transaction() as session:
        assert await supporters.find(session, 2601) is None
        assert (await session.exec(select(RoleGrant).where(RoleGrant.telegram_id == 2601))).all() == []
        assert (await session.exec(select(PendingImport))).all() == []
        assert (await session.exec(select(PrisonerEdit))).all() == []
        given = (await session.exec(select(RoleGrant).where(RoleGrant.telegram_id == 2602))).one()
    assert given.granted_by == 2601  # the role they gave still says who gave it
    rows = [row for row in await audit_rows(bot) if row[0].startswith("role.")]
    assert rows == [("role.grant.admin", ADMIN, 2601), ("role.grant.coordinator", 2601, 2602)]
    assert f"chat:{staff.id}::" not in bot.telegram.state.default_commands


async def test_staff_menus_are_set_again_at_start(bot: Harness) -> None:
    """What the bot does when it starts: each staff member it can reach gets their menu (a restart after
    roles changed from the command line, or after the commands changed)."""
    coordinator = bot.person(2701, "Kasia", language_code="be")
    await coordinator.send("/start")
    admin = bot.person(ADMIN, "Admin", language_code="ru")
    await admin.send("/start")
    async with deps(bot).db.transaction() as session:
        await roles.grant(session, telegram_id=2701, role=Role.COORDINATOR, by=None, now=bot.clock.utc())
        await roles.grant(session, telegram_id=2702, role=Role.COORDINATOR, by=None, now=bot.clock.utc())  # never wrote
    await menu.register_staff(bot.application.bot, deps(bot))
    assert {"command": "broadcast", "description": "Разаслаць паведамленне карыстальнікам бота"} in (
        bot.telegram.state.default_commands[f"chat:{coordinator.id}::"]
    )
    assert "audit" in menu_of(bot, admin) and "audit" not in menu_of(bot, coordinator)
    assert "chat:2702::" not in bot.telegram.state.default_commands


async def test_a_role_taken_back_at_the_command_line_leaves_the_menu_at_the_next_help(bot: Harness) -> None:
    admin = bot.person(ADMIN, "Admin")
    coordinator = bot.person(2801, "Kasia", language_code="en")
    await coordinator.send("/start")
    await admin.send("/grant 2801 coordinator")
    assert "broadcast" in menu_of(bot, coordinator)
    async with deps(bot).db.transaction() as session:
        await roles.revoke(session, telegram_id=2801, role=Role.COORDINATOR, by=None, now=bot.clock.utc())
    assert "broadcast" in menu_of(bot, coordinator)  # the command line cannot reach Telegram
    text = (await coordinator.send("/help"))["text"]
    assert "/broadcast" not in text
    assert "broadcast" not in menu_of(bot, coordinator) and "suggest" in menu_of(bot, coordinator)
    assert (await audit_rows(bot))[-1] == ("role.revoke.coordinator", None, 2801)
