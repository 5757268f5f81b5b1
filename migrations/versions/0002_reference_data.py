"""Reference data: the 4 plans, the 26 holidays of 2025-2026, the system_config keys.

The rows live in migrations/sql/0002_reference_{up,down}.sql (PRODUCT.md section 9).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

from pathlib import Path

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"


def _run_sql_file(name: str) -> None:
    """Run a whole .sql file as one script (exec_driver_sql: no bind-parameter parsing)."""
    op.get_bind().exec_driver_sql((SQL_DIR / name).read_text(encoding="utf-8"))


def upgrade() -> None:
    _run_sql_file("0002_reference_up.sql")


def downgrade() -> None:
    _run_sql_file("0002_reference_down.sql")
