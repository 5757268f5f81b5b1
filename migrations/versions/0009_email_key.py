"""E-mail identity: users.email_key, unique, filled from NFKC + case folding.

Revision ID: 0009
Revises: 0007

The key is computed here in Python (as the application does: mathvidya/identity/
email_identity.py) because PostgreSQL's lower() follows the database collation. Two
existing accounts whose addresses fold to one key stop the migration with their ids: an
operator decides which account keeps the address (docs/identity.md).
"""

from __future__ import annotations

import unicodedata

from alembic import op
from sqlalchemy import text

from migrations.sql_files import run_sql_file

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | None = None
depends_on: str | None = None


def _email_key(address: str) -> str:
    # A frozen copy of the application's rule at the time of this migration.
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", address).strip().casefold()).strip()


def _backfill() -> None:
    conn = op.get_bind()
    owners: dict[str, list[str]] = {}
    rows = [
        {"key": _email_key(email), "id": user_id}
        for user_id, email in conn.execute(text("SELECT user_id, email FROM users"))
    ]
    for row in rows:
        owners.setdefault(row["key"], []).append(str(row["id"]))
    if rows:
        conn.execute(text("UPDATE users SET email_key = :key WHERE user_id = :id"), rows)
    clashes = {key: ids for key, ids in owners.items() if len(ids) > 1}
    if clashes:
        raise RuntimeError(f"accounts whose e-mail addresses are the same once case-folded: {clashes}")


def upgrade() -> None:
    run_sql_file("0009_email_key_up.sql")
    _backfill()
    run_sql_file("0009_email_key_finish.sql")


def downgrade() -> None:
    run_sql_file("0009_email_key_down.sql")
