"""/privacy, the README and the models agree: every column that holds something of a person is named,
with how long it is kept, and what the notice promises about keeping is what the bot does."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import ForeignKey, func
from sqlmodel import select

from bot import LOCALES_DIR, PROJECT_ROOT, TEMPLATES_DIR, privacy
from bot.config import LOCALES
from bot.db import Database
from bot.i18n import I18n
from bot.importing import record
from bot.models import Letter, LetterKind, LetterTally, metadata
from bot.services import letters, prisoners, supporters

NOW = datetime(2026, 3, 1, 9, tzinfo=UTC)


def named_columns() -> list[str]:
    return [column for item in privacy.ITEMS for column in item.columns]


def test_every_column_of_a_persons_data_is_named_once() -> None:
    stored = {f"{table}.{column.name}" for table in privacy.PERSONAL_TABLES for column in metadata.tables[table].c}
    named = named_columns()
    assert len(named) == len(set(named)), "a column named by two items"
    assert set(named) == stored, (
        f"not in /privacy: {sorted(stored - set(named))}; named but not stored: {sorted(set(named) - stored)}"
    )


def test_every_table_that_refers_to_a_person_is_a_personal_table() -> None:
    """A new table that points at a supporter or holds a Telegram id must be described too."""
    for name, table in metadata.tables.items():
        about_a_person = any(
            isinstance(key, ForeignKey) and key.target_fullname.startswith("supporter.")
            for column in table.c
            for key in column.foreign_keys
        ) or any(re.search(r"telegram_id|granted_by", column.name) for column in table.c)
        assert not about_a_person or name in privacy.PERSONAL_TABLES, name


@pytest.mark.parametrize("locale", LOCALES)
def test_the_privacy_notice_lists_every_item(locale: str) -> None:
    i18n = I18n(LOCALES_DIR, TEMPLATES_DIR, "en")
    shown = i18n.render(locale, "privacy", items=privacy.ITEMS)
    t = i18n.translator(locale)
    for item in privacy.ITEMS:
        assert t._(item.what) in shown and t._(item.kept) in shown


def test_the_readme_says_what_the_privacy_notice_says() -> None:
    readme = " ".join((PROJECT_ROOT / "README.md").read_text(encoding="utf-8").split())
    for item in privacy.ITEMS:
        assert f"{item.what} {item.kept}" in readme, item.what


async def test_letters_are_deleted_when_their_keeping_time_ends_and_the_counts_stay(database: Database) -> None:
    today = date(2026, 3, 1)
    row = record.parse_row(
        {"source_id": "p1", "name_be": "А", "name_ru": "А", "status": "former", "in_custody": "false"}, "line 2"
    )
    async with database.transaction() as session:
        await prisoners.upsert(session, [row.values], now=NOW, actor=None)
        supporter = await supporters.touch(session, 4242, NOW)
        pid = (await prisoners.by_source_id(session, ["p1"]))["p1"].id or 0
        for days in (privacy.LETTER_KEEP_DAYS + 1, privacy.LETTER_KEEP_DAYS, 10):
            sent_on = today - timedelta(days=days)  # logged on the day it was sent
            outcome = await letters.record(
                session, supporter_id=supporter.id or 0, prisoner_id=pid, sent_on=sent_on,
                kind=LetterKind.LETTER, occasion=None, now=NOW, today=sent_on, daily_cap=10,
            )  # fmt: skip
            assert outcome is letters.Outcome.SAVED
    async with database.transaction() as session:
        assert await letters.expire(session, today) == 1
    async with database.transaction() as session:
        kept = sorted((today - day).days for day in (await session.exec(select(Letter.sent_on))).all())
        counted = (await session.exec(select(func.sum(LetterTally.letters)))).one()
    assert kept == [10, privacy.LETTER_KEEP_DAYS]
    assert counted == 3  # the prisoner's count still has the deleted letter
