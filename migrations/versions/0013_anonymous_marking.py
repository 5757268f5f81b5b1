"""Anonymous marking: a random, unique candidate code per exam and the config switch.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

from migrations.sql_files import run_sql_file

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    run_sql_file("0013_anonymous_marking_up.sql")


def downgrade() -> None:
    run_sql_file("0013_anonymous_marking_down.sql")
