"""Item analysis: each run of the measurement and the latest figures per question version.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

from migrations.sql_files import run_sql_file

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    run_sql_file("0012_item_analysis_up.sql")


def downgrade() -> None:
    run_sql_file("0012_item_analysis_down.sql")
