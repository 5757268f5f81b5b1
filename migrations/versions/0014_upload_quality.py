"""Upload quality gate and re-upload requests: two config keys, the exam state
reupload_requested, the requests' table, and evaluations whose deadline may be cleared.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

from migrations.sql_files import run_sql_file

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    run_sql_file("0014_upload_quality_up.sql")


def downgrade() -> None:
    run_sql_file("0014_upload_quality_down.sql")
