"""The migration chain runs up, down to nothing, and up again on a real database."""

from __future__ import annotations

import psycopg
from alembic import command

from tests.conftest import alembic_config


def _tables(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
    return {row[0] for row in rows}


def _types(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
            "WHERE n.nspname = 'public' AND t.typtype = 'e'"
        ).fetchall()
    return {row[0] for row in rows}


def test_upgrade_downgrade_upgrade_round_trip(postgres_server):
    postgres_server.drop_database("mv_round_trip")
    url = postgres_server.create_database("mv_round_trip")
    config = alembic_config(url)
    try:
        command.upgrade(config, "head")
        first_tables = _tables(url)
        assert {
            "users",
            "subscriptions",
            "exam_instances",
            "audit_logs",
            "holidays",
        } <= first_tables

        command.downgrade(config, "base")
        assert _tables(url) <= {"alembic_version"}
        assert _types(url) == set()

        command.upgrade(config, "head")
        assert _tables(url) == first_tables
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT count(*) FROM holidays").fetchone()[0] == 26
    finally:
        postgres_server.drop_database("mv_round_trip")
