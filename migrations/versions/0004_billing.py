"""Billing: payment orders, teacher sessions, expiry warnings.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from migrations.sql_files import run_sql_file

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    run_sql_file("0004_billing_up.sql")


def downgrade() -> None:
    run_sql_file("0004_billing_down.sql")
