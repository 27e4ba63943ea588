"""procrastinate's job queue (PostgreSQL only)

The tables, types, functions and triggers of procrastinate, the job engine of bot/scheduling on
PostgreSQL, as its installed version gives them (`SchemaManager.get_schema()`). SQLite keeps PTB's
JobQueue and gets nothing. SCHEMA is the newest of procrastinate's own schema migrations this
includes: tests/test_scheduling.py fails when an installed procrastinate has a newer one, so that a
migration applying procrastinate's migrations to existing databases is written then.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 05:00:00
"""

import re
from collections.abc import Sequence

from alembic import op
from procrastinate.schema import SchemaManager
from sqlalchemy.util import await_only

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "03.04.00_50_post_add_retry_failed_job_procedure"
TABLES = ("procrastinate_events", "procrastinate_periodic_defers", "procrastinate_jobs", "procrastinate_workers")


def _execute_script(sql: str) -> None:
    # Many statements, $$-quoted function bodies among them: the driver's simple query protocol runs
    # them as one script (SQLAlchemy's asyncpg layer would prepare it, one statement only), inside
    # the migration's transaction.
    await_only(op.get_bind().connection.driver_connection.execute(sql))  # type: ignore[union-attr]


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _execute_script(SchemaManager.get_schema())


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    schema = SchemaManager.get_schema()
    functions = re.findall(r"CREATE FUNCTION (\w+)\(", schema)
    types = re.findall(r"CREATE TYPE (\w+)", schema)
    statements = [f"DROP TABLE IF EXISTS {', '.join(TABLES)} CASCADE"]  # their triggers and indexes with them
    statements += [f"DROP FUNCTION IF EXISTS {name} CASCADE" for name in functions]
    statements += [f"DROP TYPE IF EXISTS {name} CASCADE" for name in types]
    _execute_script(";\n".join(statements))
