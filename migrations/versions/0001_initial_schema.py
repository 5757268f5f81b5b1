"""Initial schema: every table, enum, constraint and trigger of the data model (docs/database.md).

Revision ID: 0001
Revises: None
"""

from __future__ import annotations

from migrations.sql_files import run_sql_file

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    run_sql_file("0001_schema_up.sql")


def downgrade() -> None:
    run_sql_file("0001_schema_down.sql")
