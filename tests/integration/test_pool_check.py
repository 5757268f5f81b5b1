"""The pool's check as it lends a connection: no round trip for one a request gave back
healthy moments ago; a ping (and a drain when it fails) for one the server ended or that
sat idle longer. (A whole PostgreSQL restart is in test_outages.py.)"""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
from psycopg_pool import ConnectionPool

from mathvidya import create_app, db
from mathvidya.db import POOL_KEY


@pytest.fixture
def one_connection_app(settings):
    """An app whose pool holds a single connection, so every request gets the same one."""
    application = create_app(replace(settings, pool_min_size=1, pool_max_size=1))
    yield application
    application.extensions[POOL_KEY].close()


@pytest.fixture
def pings(monkeypatch):
    """How many times the pool's check sent its empty query."""
    sent = []
    original = ConnectionPool.check_connection

    def counting(conn):
        sent.append(conn.info.backend_pid)
        return original(conn)

    monkeypatch.setattr(ConnectionPool, "check_connection", staticmethod(counting))
    return sent


def _serve_one(app) -> int:
    """Lend the request connection and give it back as a request does; its backend pid."""
    with app.test_request_context("/api/v1/users/me"):
        return db.request_connection().info.backend_pid


def test_a_connection_given_back_moments_ago_is_lent_without_a_ping(one_connection_app, pings, make_user):
    first = _serve_one(one_connection_app)
    pings.clear()
    student = make_user("student")
    for _ in range(3):
        response = one_connection_app.test_client().get("/api/v1/users/me", headers=student["headers"])
        assert response.status_code == 200
    assert _serve_one(one_connection_app) == first
    assert pings == []


def test_a_connection_idle_longer_than_the_window_is_pinged(one_connection_app, pings, monkeypatch):
    pid = _serve_one(one_connection_app)
    pings.clear()
    monkeypatch.setattr(db, "IDLE_PING_SECONDS", 0.0)
    time.sleep(0.01)
    assert _serve_one(one_connection_app) == pid
    assert pings == [pid]


def test_a_connection_the_server_ended_is_pinged_and_replaced_without_failing_a_request(
    one_connection_app, pings, committing_db, make_user
):
    student = make_user("student")
    pid = _serve_one(one_connection_app)
    pings.clear()
    assert committing_db.execute("SELECT pg_terminate_backend(%s) AS done", (pid,)).fetchone()["done"]
    deadline = time.monotonic() + 5
    while committing_db.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone():
        assert time.monotonic() < deadline
        time.sleep(0.02)

    response = one_connection_app.test_client().get("/api/v1/users/me", headers=student["headers"])

    assert response.status_code == 200
    assert pings[0] == pid  # the ended connection was pinged, failed, and the pool lent a new one
    assert _serve_one(one_connection_app) != pid
