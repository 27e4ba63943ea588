"""reminders and the outbox

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 23:23:00.391715
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supporter_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("length(key) <= 32", name=op.f("ck_outbox_key_length")),
        sa.CheckConstraint("length(purpose) <= 16", name=op.f("ck_outbox_purpose_length")),
        sa.CheckConstraint("length(status) <= 16", name=op.f("ck_outbox_status_length")),
        sa.ForeignKeyConstraint(
            ["supporter_id"], ["supporter.id"], name=op.f("fk_outbox_supporter_id_supporter"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("supporter_id", "purpose", "key", name="uq_outbox_once"),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_supporter_id"), ["supporter_id"], unique=False)

    op.create_table(
        "reminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supporter_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("subject", sa.Integer(), nullable=False),
        sa.Column("occurrence", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("length(kind) <= 16", name=op.f("ck_reminder_kind_length")),
        sa.CheckConstraint("length(status) <= 16", name=op.f("ck_reminder_status_length")),
        sa.ForeignKeyConstraint(
            ["outbox_id"], ["outbox.id"], name=op.f("fk_reminder_outbox_id_outbox"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["supporter_id"], ["supporter.id"], name=op.f("fk_reminder_supporter_id_supporter"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder")),
        sa.UniqueConstraint("supporter_id", "kind", "subject", "occurrence", name="uq_reminder_once"),
    )
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reminder_due_on"), ["due_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_reminder_outbox_id"), ["outbox_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reminder_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_reminder_supporter_id"), ["supporter_id"], unique=False)

    with op.batch_alter_table("supporter", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reminders_on", sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column("reminders_off", sqlmodel.sql.sqltypes.AutoString(length=160), nullable=True))
        batch_op.add_column(sa.Column("reminders_paused_until", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "reminder_window", sqlmodel.sql.sqltypes.AutoString(length=16), server_default="evening", nullable=False
            )
        )
        batch_op.create_check_constraint("reminders_off_length", "length(reminders_off) <= 160")
        batch_op.create_check_constraint("reminder_window_length", "length(reminder_window) <= 16")


def downgrade() -> None:
    with op.batch_alter_table("supporter", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_supporter_reminders_off_length"), type_="check")
        batch_op.drop_constraint(op.f("ck_supporter_reminder_window_length"), type_="check")
        batch_op.drop_column("reminder_window")
        batch_op.drop_column("reminders_paused_until")
        batch_op.drop_column("reminders_off")
        batch_op.drop_column("reminders_on")

    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reminder_supporter_id"))
        batch_op.drop_index(batch_op.f("ix_reminder_status"))
        batch_op.drop_index(batch_op.f("ix_reminder_outbox_id"))
        batch_op.drop_index(batch_op.f("ix_reminder_due_on"))

    op.drop_table("reminder")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_supporter_id"))
        batch_op.drop_index(batch_op.f("ix_outbox_status"))

    op.drop_table("outbox")
