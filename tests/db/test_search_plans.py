"""The question search is planned with its actual values on every call, never prepared."""

from __future__ import annotations

import psycopg
from psycopg.rows import dict_row

from mathvidya.questions.repository import search_questions

NO_FILTERS = {"class": None, "unit": None, "question_type": None, "difficulty": None, "status": None}


def prepared_statements(conn: psycopg.Connection) -> list[str]:
    return [row["statement"] for row in conn.execute("SELECT statement FROM pg_prepared_statements")]


def test_the_search_is_never_prepared_and_the_connection_keeps_its_threshold(database_url):
    with psycopg.connect(database_url, row_factory=dict_row, autocommit=True, prepare_threshold=2) as conn:
        filters = {**NO_FILTERS, "class": "XII", "tag": None, "q": "matrix", "viewer_id": None}
        for _ in range(8):  # well past the threshold after which psycopg prepares a query
            search_questions(conn, filters, 20, 0)
        assert conn.prepare_threshold == 2
        assert not [s for s in prepared_statements(conn) if "FROM questions" in s]

        for _ in range(3):  # other statements on the connection are still prepared
            conn.execute("SELECT count(*) AS n FROM subscription_plans WHERE is_active")
        assert any("subscription_plans" in s for s in prepared_statements(conn))


def test_the_threshold_comes_back_when_the_search_fails(database_url):
    with psycopg.connect(database_url, row_factory=dict_row, autocommit=True, prepare_threshold=2) as conn:
        filters = {**NO_FILTERS, "class": "not-a-class", "tag": None, "q": None, "viewer_id": None}
        try:
            search_questions(conn, filters, 20, 0)
        except psycopg.errors.InvalidTextRepresentation:
            pass
        else:
            raise AssertionError("an invalid class should be refused by PostgreSQL")
        assert conn.prepare_threshold == 2
