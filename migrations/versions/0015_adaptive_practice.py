"""Adaptive practice: the exam type, a seeded paper per class, and the class averages per
unit that recommendations compare a student with.

Revision ID: 0015
Revises: 0014

PostgreSQL refuses to use an enum value in the transaction that added it, so the value is
added in an autocommit block of its own (committed at once) before the rest of the
migration, in a new transaction, seeds the templates that use it. ADD VALUE IF NOT EXISTS
makes that step safe to repeat after a downgrade, which cannot drop an enum value.
"""

from __future__ import annotations

from alembic import op

from migrations.sql_files import run_sql_file

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.get_context().autocommit_block():
        op.get_bind().exec_driver_sql("ALTER TYPE exam_type ADD VALUE IF NOT EXISTS 'adaptive_practice'")
    run_sql_file("0015_adaptive_practice_up.sql")


def downgrade() -> None:
    run_sql_file("0015_adaptive_practice_down.sql")
