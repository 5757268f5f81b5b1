"""Behind a load balancer (TRUSTED_PROXY_COUNT), the client's address comes from
X-Forwarded-For, so audit IPs and per-IP limits see the client; with no trusted proxy a
forged header changes nothing."""

from __future__ import annotations

import dataclasses

import pytest

from mathvidya import create_app
from mathvidya.config import ConfigurationError, load_settings
from tests.factories import make_user

PROXY = {"REMOTE_ADDR": "10.0.0.5"}
FORWARDED = {"X-Forwarded-For": "203.0.113.7"}


def _login_ip(app, db) -> str:
    user = make_user(app, "student", student_class="XII", signed_in=False)
    response = app.test_client().post(
        "/api/v1/auth/login",
        json={"email": user["email"], "password": user["password"]},
        headers=FORWARDED,
        environ_base=PROXY,
    )
    assert response.status_code == 200
    row = db.execute(
        "SELECT host(ip_address) AS ip FROM audit_logs WHERE event_type = 'user.login' AND actor_user_id = %s",
        (user["user_id"],),
    ).fetchone()
    return row["ip"]


def test_one_trusted_proxy_gives_the_forwarded_client_address(settings, db):
    app = create_app(dataclasses.replace(settings, trusted_proxy_count=1))
    assert _login_ip(app, db) == "203.0.113.7"


def test_without_trusted_proxies_the_forwarded_header_is_ignored(settings, db):
    app = create_app(dataclasses.replace(settings, trusted_proxy_count=0))
    assert _login_ip(app, db) == "10.0.0.5"


@pytest.mark.parametrize("raw, expected", [("0", 0), ("2", 2)])
def test_trusted_proxy_count_is_read_from_the_environment(raw, expected):
    assert load_settings({"TRUSTED_PROXY_COUNT": raw}).trusted_proxy_count == expected
    assert load_settings({}).trusted_proxy_count == 0


@pytest.mark.parametrize("raw", ["-1", "two", ""])
def test_a_trusted_proxy_count_that_is_not_a_whole_number_refuses_to_start(raw):
    with pytest.raises(ConfigurationError, match="TRUSTED_PROXY_COUNT"):
        load_settings({"TRUSTED_PROXY_COUNT": raw})
