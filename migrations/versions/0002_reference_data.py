"""Reference data: the 4 plans, the 26 holidays of 2025-2026, the system_config keys (docs/database.md).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from migrations.sql_files import run_sql_file

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    run_sql_file("0002_reference_up.sql")


def downgrade() -> None:
    run_sql_file("0002_reference_down.sql")
