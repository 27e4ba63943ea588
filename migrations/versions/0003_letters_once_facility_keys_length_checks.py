"""letters once a day, facility keys, length checks, no time zone

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 23:03:28.737073

What a migration computes is frozen here: it must give the same result whatever the bot's rules
become later, so nothing is imported from `bot`.
"""

import hashlib
import logging
from collections.abc import Callable, Sequence
from datetime import date

import sqlalchemy as sa
import sqlmodel
from alembic import op

log = logging.getLogger("alembic.runtime.migration")
revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every bounded text column at this revision: a CHECK makes SQLite refuse what PostgreSQL refuses.
LENGTHS = {
    "prisoner": {"source_id": 64, "name_be": 200, "name_ru": 200, "name_en": 200, "gender": 8, "arrest_date": 10,
                 "status": 16, "institution_be": 300, "institution_ru": 300, "facility_key": 16},
    "supporter": {"locale": 2, "writing_pace": 16, "letter_language": 2, "suggest_filter": 80, "pending_input": 16},
    "rolegrant": {"role": 16},
    "letter": {"kind": 16, "occasion": 32},
    "auditentry": {"action": 64},
}  # fmt: skip
# Frozen as of this revision: bot/rules/fairness.py (the letter weight) and the facility key.
EPOCH, HALF_LIFE_DAYS = date(2024, 1, 1), 30


def _weight(day: date) -> float:
    return float(2 ** ((day - EPOCH).days / HALF_LIFE_DAYS))


def _facility_key(institution_ru: str) -> str:
    return hashlib.sha1(institution_ru.encode("utf-8"), usedforsecurity=False).hexdigest()[:10]


def _day(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def upgrade() -> None:
    connection = op.get_bind()
    _cut_to_length(connection)  # first, so that facility keys are made from the names as they will stay
    _drop_duplicate_letters(connection)
    with op.batch_alter_table("letter", schema=None) as batch_op:
        batch_op.add_column(sa.Column("logged_on", sa.Date(), nullable=True))
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("UPDATE letter SET logged_on = (created_at AT TIME ZONE 'UTC')::date"))
    else:
        connection.execute(sa.text("UPDATE letter SET logged_on = substr(created_at, 1, 10)"))
    with op.batch_alter_table("letter", schema=None) as batch_op:
        batch_op.alter_column("logged_on", existing_type=sa.Date(), nullable=False)
        batch_op.create_index(batch_op.f("ix_letter_logged_on"), ["logged_on"], unique=False)
        batch_op.create_unique_constraint("uq_letter_once", ["supporter_id", "prisoner_id", "sent_on", "kind"])
        batch_op.drop_column("created_at")

    with op.batch_alter_table("prisoner", schema=None) as batch_op:
        batch_op.add_column(sa.Column("facility_key", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
        batch_op.create_index(batch_op.f("ix_prisoner_facility_key"), ["facility_key"], unique=False)
    keys = {}
    for (name,) in connection.execute(sa.text("SELECT DISTINCT institution_ru FROM prisoner")).all():
        if name:
            keys[name] = _facility_key(name)
            connection.execute(
                sa.text("UPDATE prisoner SET facility_key = :k WHERE institution_ru = :n"), {"k": keys[name], "n": name}
            )
    # A filter names a facility that exists; one that matches none (a name cut to fit the old column)
    # is cleared rather than left to find nobody.
    _filters(connection, lambda name: keys.get(name, ""))

    with op.batch_alter_table("supporter", schema=None) as batch_op:
        batch_op.drop_column("timezone")

    for table, columns in LENGTHS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, length in columns.items():
                batch_op.create_check_constraint(f"{column}_length", f"length({column}) <= {length}")


def _cut_to_length(connection: sa.Connection) -> None:
    """SQLite may hold values longer than the schema always declared (only facility names were ever
    accepted so by an import): cut them, and say how many, since a CHECK would refuse the table."""
    for table, columns in LENGTHS.items():
        for column, length in columns.items():
            if column == "facility_key":  # made below
                continue
            cut = connection.execute(sa.text(f"UPDATE {table} SET {column} = substr({column}, 1, {length}) "
                                             f"WHERE length({column}) > {length}"))  # fmt: skip
            if cut.rowcount:
                log.warning("%s.%s: %d values longer than %d characters were cut", table, column, cut.rowcount, length)


def _drop_duplicate_letters(connection: sa.Connection) -> None:
    """Before the unique key: a letter logged twice (a double tap) counts once, in the tallies too."""
    duplicates = connection.execute(
        sa.text(
            "SELECT prisoner_id, sent_on, COUNT(*) - 1 FROM letter "
            "GROUP BY supporter_id, prisoner_id, sent_on, kind HAVING COUNT(*) > 1"
        )
    ).all()
    for prisoner_id, sent_on, extra in duplicates:
        day = _day(sent_on)
        connection.execute(
            sa.text("UPDATE lettertally SET letters = letters - :n WHERE prisoner_id = :p AND day = :d"),
            {"n": extra, "p": prisoner_id, "d": day},
        )
        connection.execute(
            sa.text("UPDATE prisoner SET load_ref = load_ref - :w WHERE id = :p"),
            {"w": extra * _weight(day), "p": prisoner_id},
        )
    # The entry kept is the first; a reply marked on any copy is kept with it.
    connection.execute(
        sa.text(
            "UPDATE letter SET reply_received = true WHERE id IN (SELECT MIN(id) FROM letter "
            "GROUP BY supporter_id, prisoner_id, sent_on, kind "
            "HAVING COUNT(*) > 1 AND MAX(CASE WHEN reply_received THEN 1 ELSE 0 END) = 1)"
        )
    )
    connection.execute(
        sa.text(
            "DELETE FROM letter WHERE id NOT IN "
            "(SELECT MIN(id) FROM letter GROUP BY supporter_id, prisoner_id, sent_on, kind)"
        )
    )


def _filters(connection: sa.Connection, convert: Callable[[str], str]) -> None:
    """Facility filters: from `fac:<name>` to `fac:<key>` (upgrade) or back (downgrade)."""
    rows = connection.execute(sa.text("SELECT id, suggest_filter FROM supporter WHERE suggest_filter LIKE 'fac:%'"))
    for supporter_id, value in rows.all():
        converted = convert(value.removeprefix("fac:"))
        connection.execute(
            sa.text("UPDATE supporter SET suggest_filter = :v WHERE id = :id"),
            {"v": f"fac:{converted}" if converted else None, "id": supporter_id},
        )


def downgrade() -> None:
    connection = op.get_bind()
    for table, columns in LENGTHS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.drop_constraint(op.f(f"ck_{table}_{column}_length"), type_="check")

    with op.batch_alter_table("supporter", schema=None) as batch_op:
        batch_op.add_column(sa.Column("timezone", sa.VARCHAR(length=64), nullable=True))

    names = dict(connection.execute(sa.text("SELECT DISTINCT facility_key, institution_ru FROM prisoner")).all())
    _filters(connection, lambda key: (names.get(key) or "")[:76])
    with op.batch_alter_table("prisoner", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_prisoner_facility_key"))
        batch_op.drop_column("facility_key")

    with op.batch_alter_table("letter", schema=None) as batch_op:
        batch_op.add_column(sa.Column("created_at", sa.DateTime(timezone=True), nullable=True))
    connection.execute(sa.text("UPDATE letter SET created_at = logged_on"))
    with op.batch_alter_table("letter", schema=None) as batch_op:
        batch_op.alter_column("created_at", existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.drop_constraint("uq_letter_once", type_="unique")
        batch_op.drop_index(batch_op.f("ix_letter_logged_on"))
        batch_op.drop_column("logged_on")
