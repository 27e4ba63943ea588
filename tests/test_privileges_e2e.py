"""Every privileged command and button, found in the registered handlers (so that one added later is
walked too), tried as a supporter, a coordinator and an admin: refused with the same words to whoever
lacks the role, nothing stored for them but a count, and no supporter's id in the audit log. Each
privileged button is forged with valid-looking data, as anyone can send any callback data."""

from __future__ import annotations

import dataclasses
import enum
import itertools
from datetime import date
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

from sqlalchemy import func
from sqlmodel import col, select
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler

from bot.handlers import ADMIN_COMMANDS, COMMANDS, STAFF_COMMANDS, buttons, common, handlers, menu
from bot.handlers.button_codec import MAX_ROW_ID, Button
from bot.models import AuditEntry, RefusalTally, Role, metadata
from bot.services import roles
from tests.harness import Harness, Person

REFUSAL = "This is only for coordinators and admins of the bot."
SUPPORTER, COORDINATOR, ADMIN = 3001, 3002, 900
KINDS_PER_BUTTON = 12  # forged data per kind of button: every choice of its fixed fields, up to this many
CHANGING = {"supporter", "refusaltally"}  # a refused update marks the person seen and counts the refusal
Handlers = list[BaseHandler]  # type: ignore[type-arg]


def privileged(items: Handlers) -> list[tuple[BaseHandler, frozenset[Role]]]:  # type: ignore[type-arg]
    return [(item, common.requirement(item.callback)) for item in items if common.requirement(item.callback)]


def privileged_commands() -> list[tuple[str, frozenset[Role]]]:
    found = []
    for item, required in privileged(handlers()):
        if isinstance(item, CommandHandler):
            found += [(name, required) for name in sorted(item.commands)]
    return found


def button_kinds() -> list[type[Button]]:
    return [
        kind
        for kind in vars(buttons).values()
        if isinstance(kind, type)
        and issubclass(kind, Button)
        and kind is not Button
        and kind.__module__ == buttons.__name__
    ]


def candidates(hint: Any, metadata_: Any) -> list[Any]:
    """Plausible values of one field: every choice of a fixed set, a small id within its range."""
    origin = get_origin(hint)
    if origin is Union or (origin is not None and type(None) in get_args(hint)):
        return candidates(next(arg for arg in get_args(hint) if arg is not type(None)), metadata_)
    if origin is Literal:
        return [arg for arg in get_args(hint) if arg != "-"] or list(get_args(hint))
    if hint is int:
        return [min(max(1, metadata_.get("min", 0)), metadata_.get("max", MAX_ROW_ID))]
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return list(hint)
    if hint is date:
        return [date(2026, 3, 1)]
    if hint is str:
        return ["1"]
    raise AssertionError(f"a button field of type {hint!r}: teach this test a plausible value")


def forged(kind: type[Button]) -> list[Button]:
    hints = get_type_hints(kind)
    fields = dataclasses.fields(kind)
    choices = [candidates(hints[field.name], field.metadata) for field in fields]
    made = [kind(*values) for values in itertools.islice(itertools.product(*choices), KINDS_PER_BUTTON)]
    assert all(buttons.decode(button.data()) == button for button in made), kind  # valid-looking: it reads back
    return made


def privileged_buttons() -> list[tuple[Button, frozenset[Role]]]:
    """Each kind of button data a privileged handler's pattern takes, forged."""
    found = []
    for item, required in privileged(handlers()):
        if isinstance(item, CallbackQueryHandler):
            kinds = [kind for kind in button_kinds() if item.pattern(forged(kind)[0].data())]  # type: ignore[misc,operator]  # ours are callables
            assert kinds, f"{item.callback.__name__}: no kind of button reaches it"
            found += [(button, required) for kind in kinds for button in forged(kind)]
    return found


def test_the_walk_finds_the_privileged_handlers() -> None:
    """If this breaks, the walk below would pass by trying nothing."""
    names = {name for name, _ in privileged_commands()}
    assert {"broadcast", "campaign", "grant", "revoke", "roles", "audit"} <= names
    kinds = {type(button) for button, _ in privileged_buttons()}
    assert {buttons.RoleRevoke, buttons.BroadcastControl, buttons.BroadcastSend} <= kinds
    assert buttons.OpenCampaign not in kinds  # a campaign's link is for everyone


def test_every_staff_command_requires_its_role_and_is_in_the_menus() -> None:
    """A command named as a staff command is registered through `@handler(requires=...)`: one that checks
    the role by hand (or not at all) would escape the walk."""
    registered = {
        name: common.requirement(item.callback)
        for item in handlers()
        if isinstance(item, CommandHandler) and item.callback is not common.private_only
        for name in item.commands
    }
    for name in STAFF_COMMANDS:
        assert registered.get(name) == frozenset({Role.COORDINATOR, Role.ADMIN}), name
    for name in ADMIN_COMMANDS:
        assert registered.get(name) == frozenset({Role.ADMIN}), name
    privileged_names = {name for name, required in registered.items() if required}
    assert privileged_names == set(STAFF_COMMANDS) | set(ADMIN_COMMANDS)
    assert set(menu.STAFF_DESCRIPTIONS) == privileged_names  # each has its words in the menu and /help
    assert not [
        item for item in privileged(handlers()) if isinstance(item[0], MessageHandler)
    ]  # a privileged text step is reached through a button above, and checks the role again itself


# Button handlers for everyone, by name. A new handler that is neither here nor privileged fails the test
# below: either it is for everyone (add it here) or it must say which role it requires.
PUBLIC_BUTTONS = {
    "language.choose", "forget.answer", "start.pace", "suggest.button", "texts.show", "finish.ask", "finish.button",
    "letters.sent", "letters.entry", "check.button", "reminders.button", "campaign_open.button",
    "about.stale_button",
}  # fmt: skip


def test_every_handler_is_either_for_everyone_or_privileged() -> None:
    commands = {
        name
        for item in handlers()
        if isinstance(item, CommandHandler) and item.callback is not common.private_only
        for name in item.commands
    }
    assert commands == set(COMMANDS) | set(STAFF_COMMANDS) | set(ADMIN_COMMANDS)
    unknown = [
        name
        for item in handlers()
        if isinstance(item, CallbackQueryHandler) and not common.requirement(item.callback)
        and (name := f"{item.callback.__module__.rpartition('.')[2]}.{item.callback.__name__}") not in PUBLIC_BUTTONS
    ]  # fmt: skip
    assert not unknown, f"button handlers neither privileged nor known to be for everyone: {unknown}"


async def snapshot(bot: Harness) -> dict[str, int]:
    """How many rows each table holds, but those a refusal may touch."""
    async with bot.application.bot_data["deps"].db.transaction() as session:
        return {
            name: (await session.exec(select(func.count()).select_from(table))).one()
            for name, table in metadata.tables.items()
            if name not in CHANGING
        }


async def refusals(bot: Harness) -> int:
    async with bot.application.bot_data["deps"].db.transaction() as session:
        total = (await session.exec(select(func.sum(col(RefusalTally.times))))).one()
    return int(total or 0)


async def audited_ids(bot: Harness) -> set[int]:
    async with bot.application.bot_data["deps"].db.transaction() as session:
        entries = (await session.exec(select(AuditEntry))).all()
    return {i for entry in entries for i in (entry.actor_telegram_id, entry.subject_telegram_id) if i is not None}


def text_of(message: dict[str, Any]) -> str:
    return str(message.get("text") or message.get("caption") or "")


async def command_as(bot: Harness, person: Person, name: str) -> list[str]:
    before = len(person.messages())
    await person.send(f"/{name}")
    return [text_of(message) for message in person.messages()[before:]]


async def people(bot: Harness) -> dict[Role | None, Person]:
    cast = {
        None: bot.person(SUPPORTER, "Supporter", language_code="en"),
        Role.COORDINATOR: bot.person(COORDINATOR, "Coordinator", language_code="en"),
        Role.ADMIN: bot.person(ADMIN, "Admin", language_code="en"),
    }
    for person in cast.values():
        await person.send("/start")
    async with bot.application.bot_data["deps"].db.transaction() as session:
        await roles.grant(session, telegram_id=COORDINATOR, role=Role.COORDINATOR, by=None, now=bot.clock.utc())
    return cast


async def test_every_privileged_command_as_each_role(bot: Harness) -> None:
    cast = await people(bot)
    commands = privileged_commands()
    for name, required in commands:
        for role, person in cast.items():
            allowed = role is not None and role in required
            before, tally = await snapshot(bot), await refusals(bot)
            replies = await command_as(bot, person, name)
            if allowed:
                assert REFUSAL not in replies, (name, role)
                assert await refusals(bot) == tally, (name, role)
            else:
                assert replies == [REFUSAL], (name, role, replies)
                assert await snapshot(bot) == before, (name, role)
                assert await refusals(bot) == tally + 1, (name, role)
    assert SUPPORTER not in await audited_ids(bot)


async def test_every_privileged_button_forged(bot: Harness) -> None:
    cast = await people(bot)
    presses = privileged_buttons()
    for button, required in presses:
        for role in (None, Role.COORDINATOR):
            if role is not None and role in required:
                continue
            person = cast[role]
            before, tally = await snapshot(bot), await refusals(bot)
            message_id = person.messages()[-1]["message_id"]
            answer = await person.press_data(message_id, button.data())
            assert answer == {"text": REFUSAL, "show_alert": True}, (button, role, answer)
            assert await snapshot(bot) == before, (button, role)
            assert await refusals(bot) == tally + 1, (button, role)
    assert await audited_ids(bot) == {COORDINATOR}  # the operator's grant; refusals are counted, never audited
