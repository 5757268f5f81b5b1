"""Exams and evaluation: the question-sampling index; the no-teacher alert marker.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from migrations.sql_files import run_sql_file

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    run_sql_file("0006_exams_up.sql")


def downgrade() -> None:
    run_sql_file("0006_exams_down.sql")
