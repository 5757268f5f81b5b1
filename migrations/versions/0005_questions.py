"""Questions: the importer's duplicate key, the teacher-list index, the default exam templates.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from migrations.sql_files import run_sql_file

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    run_sql_file("0005_questions_up.sql")


def downgrade() -> None:
    run_sql_file("0005_questions_down.sql")
