"""Initial schema: every table, enum, constraint and trigger of the data model.

The DDL lives in migrations/sql/0001_schema_{up,down}.sql and runs as one script.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

from pathlib import Path

from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"


def _run_sql_file(name: str) -> None:
    """Run a whole .sql file as one script (exec_driver_sql: no bind-parameter parsing)."""
    op.get_bind().exec_driver_sql((SQL_DIR / name).read_text(encoding="utf-8"))


def upgrade() -> None:
    _run_sql_file("0001_schema_up.sql")


def downgrade() -> None:
    _run_sql_file("0001_schema_down.sql")
