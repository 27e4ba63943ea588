"""/prisoner and /release: an admin keeps one person's record true from the chat. Admins only.

/prisoner finds the person (by the list's id or a part of the name: the lookup /campaign uses) and shows
the full record with buttons for the everyday changes; /release is the quick path for one. Each change
is proposed (bot/services/prisoner_edits.py), what it needs typed is asked for one value at a time, and
it is shown as old → new to confirm or cancel; the confirmation carries only the edit's id. Interests
are named from those a card can show, in any of the bot's languages, and stored as their keys, which a
card translates. A press naming another admin's change can only be forged: it is refused and counted.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Message, Update

from bot.handlers import buttons, cards, prisoner_record
from bot.handlers.common import AppContext, Request, handler, refuse
from bot.i18n import NATIVE_NAMES
from bot.importing import record
from bot.models import Prisoner, PrisonerEdit, Role
from bot.rules import limits
from bot.services import prisoner_edits, suggestions, supporters

BUTTONS = (
    buttons.PrisonerRecord, buttons.PrisonerChange, buttons.PrisonerBio, buttons.PrisonerReleaseToday,
    buttons.PrisonerConfirm,
)  # fmt: skip
INPUT = "pr:"  # supporters.pending_input while a value is awaited: pr:<edit id>
LISTED = 8  # people offered when several match
SHOWN_QUERY = 100
SHOWN_UNKNOWN = 300  # of the words typed as interests that are none
FIELDS: dict[str, str] = {
    "moved": "facility", "blocked": "letters_blocked", "incommunicado": "incommunicado", "released": "release",
    "died": "death", "interests": "interests",
}  # fmt: skip


def waits_for_text(pending: str | None) -> bool:
    return bool(pending) and (pending or "").startswith(INPUT)


@handler(requires=Role.ADMIN)
async def command(update: Update, context: AppContext, request: Request) -> None:
    """/prisoner <id or part of a name>."""
    await _not_waiting(request)  # a command begins afresh: a value asked for before is no longer awaited
    query = " ".join(context.args or []).strip()
    if not query:
        request.reply(request.render("prisoner_usage", problem="usage"))
        return
    person = await suggestions.find_one(request.session, query)
    if person is not None:
        show_record(request, person)
        return
    found = await suggestions.search(request.session, query, limit=LISTED)
    if not found:
        request.reply(request.render("prisoner_usage", problem="none", query=limits.shorten(query, SHOWN_QUERY)))
        return
    rows = [[buttons.make(_choice(request, p), buttons.PrisonerRecord(p.id or 0))] for p in found[:LISTED]]
    request.reply(request.render("search_many", count=len(found), more=len(found) > LISTED), InlineKeyboardMarkup(rows))


def _choice(request: Request, prisoner: Prisoner) -> str:
    status = prisoner_record.value_text(request, "status", prisoner.status)
    return f"{cards.display_name(prisoner, request.locale)} · {prisoner.source_id} · {status}"


@handler(requires=Role.ADMIN)
async def release(update: Update, context: AppContext, request: Request) -> None:
    """/release <id> [YYYY-MM-DD]: the release of one person (today if no date), to confirm."""
    await _not_waiting(request)
    args = list(context.args or [])
    if not 1 <= len(args) <= 2:
        request.reply(request.render("prisoner_usage", problem="release_usage"))
        return
    person = await suggestions.find_one(request.session, args[0])
    if person is None:
        several = len(await suggestions.search(request.session, args[0], limit=1)) > 1
        query = limits.shorten(args[0], SHOWN_QUERY)
        request.reply(request.render("prisoner_usage", problem="several" if several else "none", query=query))
        return
    if not prisoner_edits.allowed("release", person):
        request.reply(request.render("prisoner_usage", problem="dead", name=cards.display_name(person, request.locale)))
        return
    edit = await _propose(request, person, "release")
    today = request.deps.today()
    problem = prisoner_edits.give(edit, person, args[1] if len(args) > 1 else today.isoformat(), today)
    if problem is not None:
        await request.session.delete(edit)
        request.reply(request.render("prisoner_usage", problem=problem.kind))
        return
    await proceed(request, person, edit)


@handler(requires=Role.ADMIN)
async def button(update: Update, context: AppContext, request: Request) -> None:
    query = update.callback_query
    assert query is not None
    session, admin, now = request.session, request.user_id, request.deps.clock()
    pressed = buttons.read(query.data, *BUTTONS)
    if isinstance(pressed, buttons.PrisonerConfirm | buttons.PrisonerReleaseToday) and (
        await prisoner_edits.of_another(session, pressed.edit, admin)
    ):  # only forged: another admin's change is never shown to this one
        request.refused.append("admin_prisoner.not_yours")
        text = request.t._("Another admin started this change: only they can confirm or cancel it.")
        request.answer(text, alert=True)
        return
    match pressed:
        case buttons.PrisonerRecord(pid) if (prisoner := await suggestions.get(session, pid)) is not None:
            request.answer()
            show_record(request, prisoner)
        case buttons.PrisonerChange(pid, "bio") if (prisoner := await suggestions.get(session, pid)) is not None:
            request.answer()
            rows = [
                [buttons.make(NATIVE_NAMES[locale], buttons.PrisonerBio(pid, locale)) for locale in NATIVE_NAMES],
                [buttons.make(request.t._("Back"), buttons.PrisonerRecord(pid))],
            ]
            name = cards.display_name(prisoner, request.locale)
            text = request.render("prisoner_ask", column="bio", name=name, problem=None, limit=0, label="")
            request.show(text, InlineKeyboardMarkup(rows))
        case buttons.PrisonerChange(pid, change) | buttons.PrisonerBio(pid, change) if (
            prisoner := await suggestions.get(session, pid)
        ) is not None and prisoner_edits.allowed(field := FIELDS.get(change, f"bio_{change}"), prisoner):
            request.answer()
            await proceed(request, prisoner, await _propose(request, prisoner, field))
        case buttons.PrisonerReleaseToday(edit_id) if (
            (edit := await prisoner_edits.get(session, edit_id, admin)) is not None
            and prisoner_edits.waiting(edit) == "expected_release_date"
            and (prisoner := await suggestions.get(session, edit.prisoner_id)) is not None
        ):
            request.answer()
            prisoner_edits.give(edit, prisoner, request.deps.today().isoformat(), request.deps.today())
            await proceed(request, prisoner, edit)
        case buttons.PrisonerConfirm(edit_id, "yes"):
            outcome = await prisoner_edits.confirm(session, edit_id=edit_id, admin=admin, now=now)
            if outcome.kind == "applied" and outcome.prisoner is not None:
                request.answer(request.t._("Saved."))
                show_record(request, outcome.prisoner, note=request.t._("Saved."))
            elif outcome.kind == "stale" and outcome.prisoner is not None and outcome.edit is not None:
                request.answer(request.t._("Someone changed this record meanwhile."), alert=True)
                await proceed(request, outcome.prisoner, outcome.edit, stale=True)
            elif outcome.prisoner is not None:  # the person died meanwhile: the record as it is now
                request.answer(request.t._("Someone changed this record meanwhile."), alert=True)
                show_record(request, outcome.prisoner)
            else:
                request.stale()
        case buttons.PrisonerConfirm(edit_id, "no"):
            cancelled = await prisoner_edits.cancel(session, edit_id=edit_id, admin=admin)
            prisoner = await suggestions.get(session, cancelled.prisoner_id) if cancelled else None
            if prisoner is None:
                request.stale()
                return
            await _not_waiting(request, edit_id)
            request.answer(request.t._("Cancelled: nothing changed."))
            show_record(request, prisoner, note=request.t._("Cancelled: nothing changed."))
        case _:
            request.stale()


def show_record(request: Request, prisoner: Prisoner, note: str | None = None) -> None:
    request.show(prisoner_record.render(request, prisoner, note), prisoner_record.keyboard(request, prisoner))


async def _propose(request: Request, prisoner: Prisoner, field: str) -> PrisonerEdit:
    edit = prisoner_edits.propose(
        request.session, admin=request.user_id, prisoner=prisoner, field=field, now=request.deps.clock()
    )
    await request.session.flush()  # its id goes into the buttons
    return edit


async def proceed(
    request: Request,
    prisoner: Prisoner,
    edit: PrisonerEdit,
    *,
    problem: str | None = None,
    unknown: list[str] | None = None,
    stale: bool = False,
) -> None:
    """The edit's next step: ask for what it still needs, or show it as old → new to confirm."""
    column = prisoner_edits.waiting(edit)
    if column is not None:
        await supporters.set_pending(request.session, request.supporter, f"{INPUT}{edit.id}")
        t, edit_id = request.t, edit.id or 0
        rows = [[buttons.make(t._("Cancel"), buttons.PrisonerConfirm(edit_id, "no"))]]
        if column == "expected_release_date":
            today = t._("Today, {day}").format(day=request.deps.today().isoformat())
            rows.insert(0, [buttons.make(today, buttons.PrisonerReleaseToday(edit_id))])
        name = cards.display_name(prisoner, request.locale)
        limit = record.LIMITS.get(column, 0)
        label = prisoner_record.label(request, column)
        text = request.render(
            "prisoner_ask", column=column, name=name, problem=problem, limit=limit, label=label,
            interests=prisoner_record.interest_names(request) if column == "interests" else [],
            unknown=limits.shorten("; ".join(unknown or []), SHOWN_UNKNOWN),
        )  # fmt: skip
        request.show(text, InlineKeyboardMarkup(rows))
        return
    await _not_waiting(request, edit.id)
    if not prisoner_edits.changes(edit):
        await request.session.delete(edit)
        show_record(request, prisoner, note=request.t._("Nothing to change: the record already says so."))
        return
    text = prisoner_record.render_edit(request, prisoner, edit, stale=stale)
    request.show(text, prisoner_record.edit_keyboard(request, edit))


async def _not_waiting(request: Request, edit_id: int | None = None) -> None:
    """No value is awaited any more: for this edit (given), or for any (a command begins afresh)."""
    pending = request.supporter.pending_input
    if waits_for_text(pending) and (edit_id is None or pending == f"{INPUT}{edit_id}"):
        await supporters.set_pending(request.session, request.supporter, None)


async def take_text(request: Request, message: Message) -> None:
    """A value a change asked for (check.text hands it over): checked, then the next step."""
    session = request.session
    number = (request.supporter.pending_input or "").removeprefix(INPUT)
    if Role.ADMIN not in await request.roles():
        await supporters.set_pending(session, request.supporter, None)
        refuse(request, "admin_prisoner.take_text")
        return
    edit = await prisoner_edits.get(session, int(number), request.user_id) if number.isdigit() else None
    prisoner = await suggestions.get(session, edit.prisoner_id) if edit is not None else None
    if edit is None or prisoner is None or prisoner_edits.waiting(edit) is None:
        await supporters.set_pending(session, request.supporter, None)
        request.reply(request.t._("That change is no longer open: send /prisoner to begin again."))
        return
    request.in_place = False  # a typed value is answered below it
    text = message.text or ""
    if prisoner_edits.waiting(edit) == "interests" and text.strip() != prisoner_edits.CLEAR:
        keys, unknown = prisoner_record.interest_keys(request, text)
        if unknown:
            await proceed(request, prisoner, edit, problem="interests", unknown=unknown)
            return
        text = ";".join(keys)
    problem = prisoner_edits.give(edit, prisoner, text, request.deps.today())
    session.add(edit)
    await proceed(request, prisoner, edit, problem=problem.kind if problem else None)
