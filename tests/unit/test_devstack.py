"""`make dev`'s console: where the web server listens, and the banner."""

from __future__ import annotations

import pytest

from tools.devstack import DEFAULT_HOST, banner, procfile_commands, reachable_host


def test_the_web_process_binds_where_host_says_and_make_dev_defaults_to_loopback():
    assert "--bind ${HOST:-0.0.0.0}:${PORT:-8000}" in procfile_commands()["web"]
    assert DEFAULT_HOST == "127.0.0.1"


@pytest.mark.parametrize(
    ("host", "reached"), [("0.0.0.0", "127.0.0.1"), ("127.0.0.1", "127.0.0.1"), ("::", "127.0.0.1")]
)
def test_a_wildcard_bind_is_shown_as_loopback(host, reached):
    assert reachable_host(host) == reached


def test_banner_names_the_docs_and_every_demo_user_line():
    users = ["admin    admin@demo.mathvidya.in   password: x", "         try first: GET /api/v1/admin/dashboard"]
    text = banner("0.0.0.0", 8000, users)
    assert "http://127.0.0.1:8000/docs" in text
    assert "Mathvidya is up on 0.0.0.0:8000" in text
    assert all(f"  {line}" in text for line in users)
    assert "Enter" in text and "USR1" in text
