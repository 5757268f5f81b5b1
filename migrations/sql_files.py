"""Runs a migration's .sql file as one script (exec_driver_sql: no bind-parameter parsing,
so the files must not contain a percent sign)."""

from __future__ import annotations

from pathlib import Path

from alembic import op

SQL_DIR = Path(__file__).resolve().parent / "sql"


def run_sql_file(name: str) -> None:
    op.get_bind().exec_driver_sql((SQL_DIR / name).read_text(encoding="utf-8"))
