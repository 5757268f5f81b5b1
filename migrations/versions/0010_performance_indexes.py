"""Performance indexes: a teacher's open evaluations; drop the duplicate question index.

Revision ID: 0010
Revises: 0007
"""

from __future__ import annotations

from migrations.sql_files import run_sql_file

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    run_sql_file("0010_performance_indexes_up.sql")


def downgrade() -> None:
    run_sql_file("0010_performance_indexes_down.sql")
