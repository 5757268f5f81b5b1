"""The board paper: internal choice in templates and exams, step-mark schemes and per-step marks.

Revision ID: 0011
Revises: 0007
"""

from __future__ import annotations

from migrations.sql_files import run_sql_file

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    run_sql_file("0011_board_paper_up.sql")


def downgrade() -> None:
    run_sql_file("0011_board_paper_down.sql")
