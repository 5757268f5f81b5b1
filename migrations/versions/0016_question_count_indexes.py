"""Question counts from the indexes alone: the two indexes the bank's search counts with
carry the columns of the teacher filter (status OR own question), so the count is an
index-only scan instead of a read of every question row.

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

from migrations.sql_files import run_sql_file

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    run_sql_file("0016_question_count_indexes_up.sql")


def downgrade() -> None:
    run_sql_file("0016_question_count_indexes_down.sql")
