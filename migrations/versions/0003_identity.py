"""Identity: token families, refresh tokens, account tokens, parent link codes, idempotency keys.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from migrations.sql_files import run_sql_file

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    run_sql_file("0003_identity_up.sql")


def downgrade() -> None:
    run_sql_file("0003_identity_down.sql")
