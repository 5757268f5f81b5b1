"""Runtime role: what the app and the worker may do, granted to mathvidya_runtime.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from migrations.sql_files import run_sql_file

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    run_sql_file("0008_runtime_role_up.sql")


def downgrade() -> None:
    run_sql_file("0008_runtime_role_down.sql")
