"""Insights: evaluated_at and per-unit marks of evaluated exams, leaderboard refreshes.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from migrations.sql_files import run_sql_file

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    run_sql_file("0007_insights_up.sql")


def downgrade() -> None:
    run_sql_file("0007_insights_down.sql")
