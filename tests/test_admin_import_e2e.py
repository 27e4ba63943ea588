"""/import and /export in the chat, end to end: the real bot, the emulated Bot API over HTTP, a real
database (SQLite and PostgreSQL), a fake clock. An admin sends the Viasna ru and be exports as
documents, reads the dry run with the changes named, and applies or cancels; nothing else can apply it
(another admin, a supporter, a forged press, an hour later); every kind of wrong file is answered and
changes nothing; /export gives the command line's bytes."""

from __future__ import annotations

import asyncio
import csv
import io
import zipfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, text
from sqlmodel import col, select

from bot import cli, db, importing, jobs
from bot.handlers import buttons
from bot.importing import files
from bot.models import AuditEntry, PendingImport, PendingImportFile, Prisoner, RefusalTally, Role
from bot.rules.limits import TEXT_LIMIT, utf16_len
from bot.sandbox.botapi import Upload
from bot.sandbox.http import Server, api_server
from bot.sandbox.telegram import EmulatedTelegram
from bot.services import roles
from tests.harness import HUMAN_PACE, FakeClock, Harness, Person
from tests.harness import buttons as labels

DATA = Path(__file__).parent / "data"
ADMIN = 900  # BOT_ADMIN_IDS in the bot fixture
OTHER_ADMIN = 902
SUPPORTER = 903
VIASNA_HEADER = (DATA / "viasna_ru.csv").read_text(encoding="utf-8").splitlines()[0].split(",")

# The list before the import: four people in custody, whom the Viasna pair below releases, moves to
# another facility, gives a new address, and reports dead.
SEED = """source_id,name_be,name_ru,status,in_custody,institution_be,institution_ru,address_be,address_ru
101,Марыя Калеснікава,Мария Колесникова,active,true,ПК №1,ИК №1,"вул. Камуністычная, 1","ул. Коммунистическая, 1"
102,Іван Сідараў,Иван Сидоров,active,true,СІЗА №1,СИЗО №1,"вул. Валадарскага, 2","ул. Володарского, 2"
105,Алесь Новік,Алесь Новик,active,true,ПК №9,ИК №9,"вул. Старая, 1","ул. Старая, 1"
106,Юрась Лебедзь,Юрий Лебедь,active,true,ПК №3,ИК №3,"вул. Турмы, 3","ул. Тюремная, 3"
"""


def viasna_row(person_id: str, name: str, prison: str, *, status: str = "active", died: str = "FALSE") -> str:
    values = dict.fromkeys(VIASNA_HEADER, "FALSE")
    values.update(id=person_id, name=name, status=status, prison=prison, died=died, gender="male")
    out = io.StringIO()
    csv.DictWriter(out, fieldnames=VIASNA_HEADER, lineterminator="\n").writerow(values)
    return out.getvalue()


def viasna_pair() -> tuple[bytes, bytes]:
    """tests/data's exports (101 moved to ИК №4, 102 released, 103 not recognised, 104 new) and two
    more people: 105 with a new address in the same facility, 106 dead."""
    ru = (DATA / "viasna_ru.csv").read_text(encoding="utf-8")
    be = (DATA / "viasna_be.csv").read_text(encoding="utf-8")
    ru += viasna_row("105", "Алесь Новик", "ИК №9\nул. Новая, 5") + viasna_row(
        "106", "Юрий Лебедь", "ИК №3\nул. Тюремная, 3", died="2026-01-01"
    )
    be += viasna_row("105", "Алесь Новік", "ПК №9\nвул. Новая, 5") + viasna_row(
        "106", "Юрась Лебедзь", "ПК №3\nвул. Турмы, 3", died="2026-01-01"
    )
    return ru.encode("utf-8"), be.encode("utf-8")


def deps(bot: Harness) -> Any:
    return bot.application.bot_data["deps"]


async def seed(bot: Harness) -> None:
    """The list as the command line would import it."""
    result, counts = await importing.apply(deps(bot).db, [files.parse("seed.csv", SEED.encode())], dry_run=False)
    assert counts is not None and counts.new == 4, result.errors


async def upload(
    bot: Harness, person: Person, name: str, content: bytes, mime: str | None = "text/csv", caption: str | None = None
) -> dict[str, Any]:
    bot.clock.advance(HUMAN_PACE)
    update_id = await bot.telegram.upload(person.id, name, content, mime, caption)
    await bot.telegram.wait_processed(update_id)
    return person.last()


async def prisoners(bot: Harness) -> dict[str, Prisoner]:
    async with deps(bot).db.transaction() as session:
        return {p.source_id: p for p in (await session.exec(select(Prisoner))).all()}


async def count(bot: Harness, model: Any) -> int:
    async with deps(bot).db.transaction() as session:
        return int((await session.exec(select(func.count()).select_from(model))).one())


async def pending_statuses(bot: Harness) -> list[str]:
    async with deps(bot).db.transaction() as session:
        return list((await session.exec(select(PendingImport.status).order_by(col(PendingImport.id)))).all())


async def make_admin(bot: Harness, telegram_id: int) -> None:
    async with deps(bot).db.transaction() as session:
        await roles.grant(session, telegram_id=telegram_id, role=Role.ADMIN, by=None, now=bot.clock.utc())


def button_data(message: dict[str, Any], label: str) -> str:
    return next(
        b["callback_data"] for row in message["reply_markup"]["inline_keyboard"] for b in row if b["text"] == label
    )


def downloads(bot: Harness) -> int:
    return sum(1 for call in bot.telegram.state.calls if call.method == "getFile")


async def test_viasna_pair_dry_run_names_the_changes_and_apply_writes_them(bot: Harness) -> None:
    await seed(bot)
    before = await prisoners(bot)
    admin = bot.person(ADMIN, "Admin")
    asked = await admin.send("/import")
    assert "Send the files as documents" in asked["text"]
    ru, be = viasna_pair()

    first = await upload(bot, admin, "viasna_ru.csv", ru)
    assert first["text"].startswith("Dry run: nothing is written yet.")
    assert "Over all" not in first["text"]
    assert "viasna_ru.csv: line 8: name_be is required" in first["text"]  # the be export is still missing
    assert labels(first) == ["Cancel"]

    dry = await upload(bot, admin, "viasna_be.csv", be)
    text = dry["text"]
    assert "Over all 2 files sent to this import so far" in text
    assert "viasna_ru.csv — Viasna export (ru), 6 rows" in text
    assert "New: 1. Updated: 4. Unchanged: 0. Skipped: 1. Errors: 0." in text
    # Named in the order that matters: releases, transfers, deaths, new people, new addresses.
    assert text.index("Released from custody (1):\n• Иван Иванович Сидоров (102)") < text.index(
        "Transferred to another facility (1):\n• Мария Колесникова (101)"
    )
    assert text.index("Transferred") < text.index("Deaths (1):\n• Юрий Лебедь (106)")
    assert text.index("Deaths") < text.index("New people (1):\n• Ольга Синица (104)")
    assert text.index("New people") < text.index("New address (1):\n• Алесь Новик (105)")
    assert labels(dry) == ["Apply", "Cancel"]
    assert await prisoners(bot) == before  # a dry run writes nothing

    await admin.press("Apply", dry)
    done = next(m for m in admin.messages() if m["message_id"] == dry["message_id"])
    assert done["text"].startswith("Applied")
    assert "New: 1. Updated: 4. Unchanged: 0. Skipped: 1." in done["text"]
    assert "reply_markup" not in done or not labels(done)
    after = await prisoners(bot)
    assert after["101"].institution_ru == "ИК №4" and after["102"].in_custody is False
    assert after["106"].status == "deceased" and after["105"].address_ru == "ул. Новая, 5"
    assert "104" in after and "103" not in after
    assert await pending_statuses(bot) == ["applied"]
    assert await count(bot, PendingImportFile) == 0  # the bytes are kept no longer than needed
    async with deps(bot).db.transaction() as session:
        audit = (await session.exec(select(AuditEntry).where(AuditEntry.action == "prisoners.import"))).all()
    assert [(entry.actor_telegram_id, entry.detail) for entry in audit][-1] == (
        ADMIN,
        "new=1 updated=4 unchanged=0 skipped=1",
    )

    again = await admin.press_data(dry["message_id"], button_data(dry, "Apply"))
    assert again is not None and again["text"] == "This import has already been applied."


async def test_the_dry_run_speaks_the_admins_language(bot: Harness) -> None:
    admin = bot.person(ADMIN, "Адмін", language_code="be")
    ru, be = viasna_pair()
    await upload(bot, admin, "viasna_ru.csv", ru, caption="/import")
    dry = await upload(bot, admin, "viasna_be.csv", be)
    assert "Марыя Калеснікава (101)" in dry["text"]  # the Belarusian name for a Belarusian admin
    assert labels(dry) != ["Apply", "Cancel"]  # translated


async def test_caption_import_starts_afresh_and_cancel_changes_nothing(bot: Harness) -> None:
    admin = bot.person(ADMIN, "Admin")
    ru, _ = viasna_pair()
    await admin.send("/import")
    await upload(bot, admin, "viasna_ru.csv", ru)
    fresh = await upload(
        bot, admin, "prisoners_good.csv", (DATA / "prisoners_good.csv").read_bytes(), caption="/import"
    )
    assert "Over all" not in fresh["text"]  # the caption started a new import: the ru file is not in it
    assert fresh["text"].startswith("The import you had open was closed, with its files: this is a new one.")
    assert "New: 3. Updated: 0." in fresh["text"]
    assert await pending_statuses(bot) == ["cancelled", "open"]

    await admin.press("Cancel", fresh)
    assert admin.messages()[-1]["text"] == "Import cancelled: nothing was changed."
    async with deps(bot).db.transaction() as session:
        cancelled = (await session.exec(select(AuditEntry).where(AuditEntry.action == "prisoners.import.cancel"))).all()
    # The one the caption closed, then the one cancelled by its button: both audited.
    assert [(entry.actor_telegram_id, entry.detail) for entry in cancelled] == [(ADMIN, "id=1"), (ADMIN, "id=2")]
    assert await prisoners(bot) == {}
    late = await admin.press_data(fresh["message_id"], button_data(fresh, "Apply"))
    assert late is not None and late["text"] == "This import was cancelled."
    assert await prisoners(bot) == {}


async def test_apply_plans_again_and_asks_again_when_the_list_changed(bot: Harness) -> None:
    """The list changed between the dry run and Apply: Apply writes nothing it did not show, but shows
    the dry run as it is now, with an Apply of its own."""
    admin = bot.person(ADMIN, "Admin")
    good = (DATA / "prisoners_good.csv").read_bytes()
    dry = await upload(bot, admin, "good.csv", good, caption="/import")
    assert "New: 3. Updated: 0. Unchanged: 0." in dry["text"]
    await importing.apply(deps(bot).db, [files.parse("good.csv", good)], dry_run=False)  # meanwhile, the CLI
    await admin.press("Apply", dry)
    again = next(m for m in admin.messages() if m["message_id"] == dry["message_id"])
    assert again["text"].startswith("This import changed after that dry run")
    assert "Dry run: nothing is written yet." in again["text"]
    assert "New: 0. Updated: 0. Unchanged: 3." in again["text"]
    assert labels(again) == ["Apply", "Cancel"] and button_data(again, "Apply") != button_data(dry, "Apply")
    assert await pending_statuses(bot) == ["open"]
    assert await count(bot, AuditEntry) == 1  # the CLI's import only: the press wrote nothing

    await admin.press("Apply", again)
    done = next(m for m in admin.messages() if m["message_id"] == dry["message_id"])
    assert done["text"].startswith("Applied") and "New: 0. Updated: 0. Unchanged: 3." in done["text"]
    assert await pending_statuses(bot) == ["applied"]


def own_file(*rows: str) -> bytes:
    return (SEED.splitlines()[0] + "\n" + "".join(row + "\n" for row in rows)).encode("utf-8")


SEED_ROWS = SEED.splitlines()[1:]


async def test_apply_on_an_older_dry_run_asks_again(bot: Harness) -> None:
    """Two files, a dry run after each: Apply under the first writes neither file, but shows both and
    asks again; the Apply shown then writes both."""
    admin = bot.person(ADMIN, "Admin")
    first = await upload(bot, admin, "a.csv", own_file(*SEED_ROWS[:2]), caption="/import")
    assert "New: 2." in first["text"]
    second = await upload(bot, admin, "b.csv", own_file(*SEED_ROWS[2:]))
    assert "New: 4." in second["text"]

    await admin.press("Apply", first)
    again = next(m for m in admin.messages() if m["message_id"] == first["message_id"])
    assert again["text"].startswith("This import changed after that dry run")
    assert "Over all 2 files" in again["text"] and "New: 4." in again["text"]
    assert await prisoners(bot) == {}
    await admin.press("Apply", again)
    assert sorted(await prisoners(bot)) == ["101", "102", "105", "106"]


async def test_the_same_file_twice_or_corrected_replaces_the_one_sent_before(bot: Harness) -> None:
    admin = bot.person(ADMIN, "Admin")
    good = (DATA / "prisoners_good.csv").read_bytes()
    await upload(bot, admin, "good.csv", good, caption="/import")
    twice = await upload(bot, admin, "good.csv", good)
    assert twice["text"].startswith("This file replaced good.csv, sent earlier to this import.")
    assert "also at" not in twice["text"] and "Over all" not in twice["text"]
    assert "New: 3. Updated: 0." in twice["text"] and labels(twice) == ["Apply", "Cancel"]
    renamed = await upload(bot, admin, "copy of good.csv", good)  # the same bytes under another name
    assert renamed["text"].startswith("This file replaced good.csv")
    assert await count(bot, PendingImportFile) == 1

    # A bad file, then the corrected one under its name: the errors go with the bad one.
    bad = own_file(SEED_ROWS[0].replace(",active,", ",arrested,"))
    wrong = await upload(bot, admin, "list.csv", bad)
    assert "Errors: 2." in wrong["text"]  # the status, and custody under that status
    assert labels(wrong) == ["Cancel"]
    hint = "send the corrected file under the same name: it replaces the one sent before. Or send /import"
    assert hint in wrong["text"]
    fixed = await upload(bot, admin, "list.csv", own_file(SEED_ROWS[0]))
    assert fixed["text"].startswith("This file replaced list.csv") and "Errors: 0." in fixed["text"]
    assert "New: 4." in fixed["text"] and labels(fixed) == ["Apply", "Cancel"]
    await admin.press("Apply", fixed)
    assert len(await prisoners(bot)) == 4


async def test_rearrests_and_corrected_deaths_are_named(bot: Harness, tmp_path: Path, capsys: Any) -> None:
    """101 was released and is in custody again; 106 was listed as dead by mistake."""
    released = SEED_ROWS[0].replace(",active,true,", ",former,false,")
    dead = SEED_ROWS[3].replace(",active,true,", ",deceased,false,")
    before = own_file(released, SEED_ROWS[1], dead)
    result, counts = await importing.apply(deps(bot).db, [files.parse("before.csv", before)], dry_run=False)
    assert counts is not None, result.errors
    admin = bot.person(ADMIN, "Admin")
    now = own_file(SEED_ROWS[0], SEED_ROWS[1], SEED_ROWS[3])
    dry = await upload(bot, admin, "now.csv", now, caption="/import")
    assert "Arrested again (1):\n• Мария Колесникова (101)" in dry["text"]
    assert "Status corrected: no longer listed as dead (1):\n• Юрий Лебедь (106)" in dry["text"]
    assert "Released" not in dry["text"] and "New people" not in dry["text"]

    path = tmp_path / "now.csv"
    path.write_bytes(now)
    assert await asyncio.to_thread(cli.import_prisoners, bot.settings, [path], dry_run=True) == 0
    printed = capsys.readouterr().out
    assert "arrested again (1): Мария Колесникова (101)" in printed
    assert "status corrected (no longer listed as dead) (1): Юрий Лебедь (106)" in printed


async def test_an_import_not_applied_within_an_hour_expires(bot: Harness) -> None:
    admin = bot.person(ADMIN, "Admin")
    dry = await upload(bot, admin, "good.csv", (DATA / "prisoners_good.csv").read_bytes(), caption="/import")
    bot.clock.advance(3600)
    await admin.press("Apply", dry)
    assert "expired" in admin.messages()[-1]["text"]
    assert await prisoners(bot) == {}
    assert await pending_statuses(bot) == ["expired"]
    # A document now finds no open import.
    pointer = await upload(bot, admin, "good.csv", (DATA / "prisoners_good.csv").read_bytes())
    assert pointer["text"].startswith("To import the prisoner list, send /import first")
    await jobs.expire_holds(deps(bot))  # the periodic cleanup deletes what ran out
    assert await count(bot, PendingImport) == 0


async def test_another_admin_cannot_apply_it(bot: Harness) -> None:
    await make_admin(bot, OTHER_ADMIN)
    admin, other = bot.person(ADMIN, "Admin"), bot.person(OTHER_ADMIN, "Other")
    dry = await upload(bot, admin, "good.csv", (DATA / "prisoners_good.csv").read_bytes(), caption="/import")
    own = await other.send("/help")  # a forged press comes on a message in the presser's own chat
    answer = await other.press_data(own["message_id"], button_data(dry, "Apply"))
    assert answer is not None and answer["text"].startswith("Another admin started this import")
    assert await prisoners(bot) == {}
    assert await pending_statuses(bot) == ["open"]
    assert await count(bot, RefusalTally) == 1
    await admin.press("Apply", dry)  # still the first admin's to apply
    assert len(await prisoners(bot)) == 3


async def test_a_supporter_is_refused_and_nothing_is_downloaded(bot: Harness) -> None:
    admin = bot.person(ADMIN, "Admin")
    await upload(bot, admin, "good.csv", (DATA / "prisoners_good.csv").read_bytes(), caption="/import")
    fetched = downloads(bot)
    supporter = bot.person(SUPPORTER, "S")
    for command in ("/import", "/export", "/export json"):
        assert (await supporter.send(command))["text"] == "This is only for coordinators and admins of the bot."
    forged = await supporter.press_data(supporter.last()["message_id"], buttons.ImportApply(1, "0" * 12, 1).data())
    assert forged is not None and forged["text"] == "This is only for coordinators and admins of the bot."
    answer = await upload(bot, supporter, "good.csv", (DATA / "prisoners_good.csv").read_bytes(), caption="/import")
    assert answer["text"] == "This is only for coordinators and admins of the bot."
    plain = await upload(bot, supporter, "good.csv", (DATA / "prisoners_good.csv").read_bytes())
    assert plain["text"] == "I did not understand that. Send /help to see what I can do."
    assert downloads(bot) == fetched
    assert await prisoners(bot) == {}
    assert await pending_statuses(bot) == ["open"]
    assert await refused(bot) == {
        "admin_import.command": 1,
        "admin_import.button": 1,
        "admin_import.document": 1,
        "admin_export.command": 2,
    }


async def refused(bot: Harness) -> dict[str, int]:
    async with deps(bot).db.transaction() as session:
        return {tally.what: tally.times for tally in (await session.exec(select(RefusalTally))).all()}


async def test_a_revoked_admin_with_an_open_import_is_refused_and_nothing_is_stored(bot: Harness) -> None:
    await make_admin(bot, OTHER_ADMIN)
    other = bot.person(OTHER_ADMIN, "Other")
    await other.send("/import")
    async with deps(bot).db.transaction() as session:
        assert await roles.revoke(session, telegram_id=OTHER_ADMIN, role=Role.ADMIN, by=ADMIN, now=bot.clock.utc())
    answer = await upload(bot, other, "good.csv", (DATA / "prisoners_good.csv").read_bytes())
    assert answer["text"] == "This is only for coordinators and admins of the bot."
    assert downloads(bot) == 0
    assert await count(bot, PendingImportFile) == 0
    assert await refused(bot) == {"admin_import.document": 1}


def zipped() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("viasna_ru.csv", (DATA / "viasna_ru.csv").read_bytes())
    return out.getvalue()


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
BAD_FILES = [
    ("ru.csv", (DATA / "viasna_ru.csv").read_text(encoding="utf-8").encode("cp1251"), "text/csv", "is not in UTF-8"),
    ("list.csv", b"name,prison\nX,Y\n", "text/csv", "is in no format I know"),
    ("list.json", b'{"people": 1}', "application/json", "is in no format I know"),
    ("empty.csv", b"", "text/csv", "is empty"),
    ("blank.csv", b"\n \n", "text/csv", "is empty"),
    ("export.zip", zipped(), "application/zip", "is an archive"),
    ("export.csv", zipped(), None, "is an archive"),  # a zip whatever its name says
    ("photo.png", PNG, "image/png", "is a picture"),
    ("photo.csv", PNG, None, "is a picture"),
    ("big.csv", b"x" * (20 * 1024 * 1024 + 1), "text/csv", "is larger than 20 MB"),
]


async def test_each_kind_of_wrong_file_is_answered_and_changes_nothing(bot: Harness) -> None:
    admin = bot.person(ADMIN, "Admin")
    await admin.send("/import")
    for name, content, mime, says in BAD_FILES:
        answer = await upload(bot, admin, name, content, mime)
        assert says in answer["text"], (name, answer["text"])
        assert answer["text"].endswith("Nothing was changed.")
    assert await count(bot, PendingImportFile) == 0
    assert await prisoners(bot) == {}
    # The 20 MB file was refused by its size, before getFile (which would refuse it too: see below).
    assert downloads(bot) == len(BAD_FILES) - 2  # not the image/png one, nor the big file
    # The import is still open: a good file now is taken.
    good = await upload(bot, admin, "good.csv", (DATA / "prisoners_good.csv").read_bytes())
    assert "New: 3." in good["text"] and "Over all" not in good["text"]


async def test_a_photo_is_answered_without_a_download(bot: Harness) -> None:
    admin, supporter = bot.person(ADMIN, "Admin"), bot.person(SUPPORTER, "S")
    await admin.send("/import")
    for person in (admin, supporter):
        bot.clock.advance(HUMAN_PACE)
        photo = [{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 90, "file_size": 1000}]
        message = bot.telegram._user_message(bot.telegram.chat(person.id), {"photo": photo})
        await bot.telegram.wait_processed(await bot.telegram.state.push_update({"message": message}))
    assert (
        admin.last()["text"] == "That is a photo. Send the list itself as a file: CSV or JSON.\n\nNothing was changed."
    )
    assert supporter.last()["text"] == "I did not understand that. Send /help to see what I can do."
    assert downloads(bot) == 0


async def test_a_long_error_report_comes_as_a_document(bot: Harness) -> None:
    admin = bot.person(ADMIN, "Admin")
    header = "source_id,name_be,name_ru,status\n"
    bad = header + "".join(f"bad-{n},Імя {n},Имя {n},arrested{'x' * 60}\n" for n in range(200))
    summary = await upload(bot, admin, "bad.csv", bad.encode(), caption="/import")
    assert len(summary["text"]) <= 4096
    assert "Errors: 200." in summary["text"] and "and 190 more" in summary["text"]
    assert "The whole report is in the file import-report.txt." in summary["text"]
    assert labels(summary) == ["Cancel"]  # nothing to apply while a row is wrong
    report = admin.messages()[-2]
    assert report["document"]["file_name"] == "import-report.txt"
    text = bot.telegram.state.files[report["document"]["file_id"]].content.decode("utf-8")
    assert all(f"bad.csv: line {n + 2}: status" in text for n in range(200))
    assert "<b>" not in text and "&lt;" not in text


async def test_the_report_fits_as_telegram_counts_it(bot: Harness) -> None:
    """Errors quoting emoji: two UTF-16 units each, as Telegram counts, one character to len()."""
    admin = bot.person(ADMIN, "Admin")
    header = "source_id,name_be,name_ru,status\n"
    bad = header + "".join(f"bad-{n},Імя {n},Имя {n},{'😀' * 200}\n" for n in range(12))
    summary = await upload(bot, admin, "bad.csv", bad.encode(), caption="/import")
    assert utf16_len(summary["text"]) <= TEXT_LIMIT
    assert "Errors: 12." in summary["text"]
    assert summary["text"].endswith("The whole report is in the file import-report.txt.")
    report = admin.messages()[-2]
    assert report["document"]["file_name"] == "import-report.txt"


@pytest.mark.parametrize("kind", ["csv", "json"])
async def test_export_is_the_command_lines_bytes(bot: Harness, kind: str, tmp_path: Path) -> None:
    ru, be = viasna_pair()
    await seed(bot)
    await importing.apply(deps(bot).db, [files.parse("ru.csv", ru), files.parse("be.csv", be)], dry_run=False)
    admin = bot.person(ADMIN, "Admin")
    sent = await admin.send("/export" if kind == "csv" else "/export JSON")
    assert sent["document"]["file_name"] == f"prisoners-{deps(bot).today().isoformat()}.{kind}"
    assert sent["caption"] == "The prisoner list: 5 people."
    content = bot.telegram.state.files[sent["document"]["file_id"]].content
    path = tmp_path / f"list.{kind}"
    assert await asyncio.to_thread(cli.export_prisoners, bot.settings, path) == 0
    assert content == path.read_bytes()
    async with deps(bot).db.transaction() as session:
        audit = (await session.exec(select(AuditEntry).where(AuditEntry.action == "prisoners.export"))).one()
    assert (audit.actor_telegram_id, audit.detail) == (ADMIN, f"rows=5 format={kind}")
    usage = await admin.send("/export xml")
    assert usage["text"] == "Send /export for the list as CSV, or /export json for JSON."


@pytest.fixture
async def emulator() -> AsyncIterator[tuple[EmulatedTelegram, httpx.AsyncClient]]:
    telegram = EmulatedTelegram("779:files", clock=FakeClock().monotonic)
    telegram.add_user(10, "Ala", "be")
    server: Server = api_server(telegram)
    port = server.start()
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
        yield telegram, http
    await server.stop()


async def test_get_file_refuses_what_a_bot_may_not_download(
    emulator: tuple[EmulatedTelegram, httpx.AsyncClient],
) -> None:
    telegram, http = emulator
    small = telegram.api.store_file(Upload("ok.csv", b"a,b\n", "text/csv"), "document")
    big = telegram.api.store_file(Upload("big.csv", b"x" * (20 * 1024 * 1024 + 1), "text/csv"), "document")
    ok = (await http.post("/bot779:files/getFile", data={"file_id": small.file_id})).json()
    assert ok["ok"] and ok["result"]["file_size"] == 4
    refused = await http.post("/bot779:files/getFile", data={"file_id": big.file_id})
    assert refused.status_code == 400
    assert refused.json() == {"ok": False, "error_code": 400, "description": "Bad Request: file is too big"}


async def test_two_imports_applied_at_once_take_turns(database: db.Database) -> None:
    """Two admins (or the chat and the command line) apply different files at the same moment: the
    second plans from what the first wrote, not from reads taken before it committed."""
    if database.engine.dialect.name != "postgresql":
        pytest.skip("SQLite takes its one write lock at BEGIN (bot/db.py): transactions already take turns")
    first = [files.parse("a.csv", own_file(*SEED_ROWS))]
    second = [files.parse("b.csv", own_file(*(row.replace("ИК №", "ИК №2") for row in SEED_ROWS)))]
    async with database.transaction() as session:
        _, counts = await importing.run(session, first, dry_run=False, now=datetime.now(UTC), actor=ADMIN)
        assert counts is not None and counts.new == 4
        await session.flush()  # the rows written, not yet committed
        later = asyncio.create_task(importing.apply(database, second, dry_run=False, actor=OTHER_ADMIN))
        await blocked(database)  # the second waits for the first to commit
    _, later_counts = await later
    assert later_counts is not None and (later_counts.new, later_counts.updated, later_counts.unchanged) == (0, 3, 1)


async def blocked(database: db.Database) -> None:
    """Until a transaction waits for a lock (seen from another connection); a bounded wait."""
    for _ in range(500):
        async with database.transaction() as session:
            waiting = (await session.exec(text("SELECT count(*) FROM pg_locks WHERE NOT granted"))).one()  # type: ignore[call-overload]
        if waiting[0]:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("no transaction ever waited")
