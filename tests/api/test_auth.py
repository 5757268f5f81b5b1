"""Registration, login, token rotation and reuse, logout, lockout, verification, reset."""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import replace

import psycopg
import pytest

from mathvidya import create_app
from mathvidya.identity import lockout
from tests.factories import DEFAULT_PASSWORD, new_email


def register(client, role="student", **overrides):
    body = {
        "email": new_email(role),
        "password": DEFAULT_PASSWORD,
        "role": role,
        "first_name": "Ravi",
        "last_name": "Kumar",
        **({"student_class": "XII"} if role == "student" else {}),
    }
    body.update(overrides)
    return client.post("/api/v1/auth/register", json=body), body


def login(client, email, password=DEFAULT_PASSWORD, **kw):
    return client.post("/api/v1/auth/login", json={"email": email, "password": password}, **kw)


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def audit_count(database_url, event_type, resource_id):
    with psycopg.connect(database_url) as conn:
        return conn.execute(
            "SELECT count(*) FROM audit_logs WHERE event_type = %s AND resource_id = %s", (event_type, str(resource_id))
        ).fetchone()[0]


# --- registration -------------------------------------------------------------------------


def test_student_registers_and_gets_201_with_unverified_email(client, settings):
    response, body = register(client)
    assert response.status_code == 201
    data = response.get_json()
    assert data["email"] == body["email"] and data["role"] == "student" and data["email_verified"] is False
    assert audit_count(settings.database_url, "user.created", data["user_id"]) == 1


@pytest.mark.parametrize("role", ["teacher", "admin", "superuser"])
def test_registration_cannot_choose_a_staff_role(client, role):
    response, _ = register(client, role=role)
    assert response.status_code == 422
    assert "role" in response.get_json()["details"]["fields"]


def test_registration_refuses_unknown_fields(client):
    response, _ = register(client, is_admin=True)
    assert response.status_code == 422
    assert "is_admin" in response.get_json()["details"]["fields"]


def test_student_registration_requires_a_class(client):
    response, _ = register(client, student_class=None)
    assert response.status_code == 422
    assert "student_class" in response.get_json()["details"]["fields"]


@pytest.mark.parametrize(
    "password",
    ["short", "x" * 7, "a1" * 64 + "b", "aaaaaaaaaaaa", "abababababab", "        "],
    ids=["short", "seven", "129-characters", "one-character", "two-characters", "blank"],
)
def test_too_short_too_long_or_too_simple_passwords_are_refused_and_nothing_is_created(client, settings, password):
    response, body = register(client, password=password)
    assert response.status_code == 422
    assert response.get_json()["error"] == "VALIDATION_ERROR"
    assert "password" in response.get_json()["details"]["fields"]
    with psycopg.connect(settings.database_url) as conn:
        assert conn.execute("SELECT count(*) FROM users WHERE email = %s", (body["email"],)).fetchone()[0] == 0


@pytest.mark.parametrize("password", ["abc" + "d" * 5, "x" * 125 + "abc"], ids=["8-characters", "128-characters"])
def test_passwords_at_the_length_limits_are_accepted(client, password):
    response, body = register(client, password=password)
    assert response.status_code == 201, response.get_json()
    assert login(client, body["email"], password).status_code == 200


def test_email_is_unique_case_insensitively(client):
    first, body = register(client)
    assert first.status_code == 201
    second, _ = register(client, email=body["email"].upper())
    assert second.status_code == 409 and second.get_json()["error"] == "EMAIL_TAKEN"


def test_malformed_json_is_400_not_500(client):
    response = client.post("/api/v1/auth/register", data="{oops", content_type="application/json")
    assert response.status_code == 400 and response.get_json()["error"] == "BAD_REQUEST"


def test_registration_queues_a_verification_email_and_the_token_verifies(client, settings):
    response, body = register(client, role="parent")
    user_id = response.get_json()["user_id"]
    with psycopg.connect(settings.database_url) as conn:
        text = conn.execute("SELECT body_text FROM email_outbox WHERE to_address = %s", (body["email"],)).fetchone()[0]
    token = re.search(r"token=([A-Za-z0-9_\-]+)", text).group(1)
    verified = client.post("/api/v1/auth/verify-email", json={"token": token})
    assert verified.status_code == 200 and verified.get_json() == {"email_verified": True}
    again = client.post("/api/v1/auth/verify-email", json={"token": token})
    assert again.status_code == 400 and again.get_json()["error"] == "TOKEN_INVALID"
    tokens = login(client, body["email"]).get_json()
    me = client.get("/api/v1/users/me", headers=bearer(tokens["access_token"])).get_json()
    assert me["email_verified"] is True and me["user_id"] == user_id


# --- login and sessions ----------------------------------------------------------------------


def test_login_returns_tokens_and_user_and_is_audited(client, settings):
    _, body = register(client)
    response = login(client, body["email"].upper())
    assert response.status_code == 200
    data = response.get_json()
    assert data["expires_in"] == 900 and data["user"]["email"] == body["email"]
    assert client.get("/api/v1/users/me", headers=bearer(data["access_token"])).status_code == 200
    assert audit_count(settings.database_url, "user.login", data["user"]["user_id"]) == 1


def test_wrong_password_is_401_invalid_credentials_and_audited_with_ip(client, settings):
    response, body = register(client)
    user_id = response.get_json()["user_id"]
    bad = login(client, body["email"], "not-the-password", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert bad.status_code == 401 and bad.get_json()["error"] == "INVALID_CREDENTIALS"
    with psycopg.connect(settings.database_url) as conn:
        ip = conn.execute(
            "SELECT host(ip_address) FROM audit_logs WHERE event_type = 'user.login_failed' AND resource_id = %s",
            (user_id,),
        ).fetchone()[0]
    assert ip == "10.1.2.3"


def test_unknown_email_is_the_same_401(client):
    bad = login(client, new_email("nobody"))
    assert bad.status_code == 401 and bad.get_json()["error"] == "INVALID_CREDENTIALS"


def test_refresh_rotates_and_reuse_revokes_the_whole_family(client):
    _, body = register(client)
    first = login(client, body["email"]).get_json()
    rotated = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert rotated.status_code == 200
    second = rotated.get_json()
    assert second["refresh_token"] != first["refresh_token"]
    assert client.get("/api/v1/users/me", headers=bearer(second["access_token"])).status_code == 200

    reused = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert reused.status_code == 401 and reused.get_json()["error"] == "UNAUTHENTICATED"
    # The whole family is gone: the newest refresh token and its access token too.
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]}).status_code == 401
    assert client.get("/api/v1/users/me", headers=bearer(second["access_token"])).status_code == 401


def test_access_token_is_not_a_refresh_token(client):
    _, body = register(client)
    tokens = login(client, body["email"]).get_json()
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["access_token"]}).status_code == 401
    assert client.get("/api/v1/users/me", headers=bearer(tokens["refresh_token"])).status_code == 401


def test_logout_revokes_refresh_and_access_tokens_at_once(client):
    _, body = register(client)
    tokens = login(client, body["email"]).get_json()
    other = login(client, body["email"]).get_json()
    out = client.post(
        "/api/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]}, headers=bearer(tokens["access_token"])
    )
    assert out.status_code == 204
    assert client.get("/api/v1/users/me", headers=bearer(tokens["access_token"])).status_code == 401
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}).status_code == 401
    # Another device's session is untouched.
    assert client.get("/api/v1/users/me", headers=bearer(other["access_token"])).status_code == 200


def test_logout_with_another_users_refresh_token_is_refused_and_ends_no_session(client):
    _, mine = register(client)
    _, theirs = register(client)
    my_tokens = login(client, mine["email"]).get_json()
    their_tokens = login(client, theirs["email"]).get_json()
    out = client.post(
        "/api/v1/auth/logout",
        json={"refresh_token": their_tokens["refresh_token"]},
        headers=bearer(my_tokens["access_token"]),
    )
    assert out.status_code == 401 and out.get_json()["error"] == "UNAUTHENTICATED"
    # both sessions are untouched: theirs was not mine to end, and mine was not named
    assert client.get("/api/v1/users/me", headers=bearer(their_tokens["access_token"])).status_code == 200
    assert client.get("/api/v1/users/me", headers=bearer(my_tokens["access_token"])).status_code == 200
    refreshed = client.post("/api/v1/auth/refresh", json={"refresh_token": their_tokens["refresh_token"]})
    assert refreshed.status_code == 200


def test_garbage_and_missing_tokens_answer_401_in_the_error_shape(client):
    for headers in ({}, bearer("not-a-jwt"), {"Authorization": "Basic abc"}):
        response = client.get("/api/v1/users/me", headers=headers)
        assert response.status_code == 401
        assert set(response.get_json()) == {"error", "message", "details"}


def test_expired_access_token_is_401(app, client, make_user):
    from datetime import timedelta

    from flask_jwt_extended import create_access_token

    user = make_user("student")
    with app.test_request_context():
        token = create_access_token(
            identity=str(user["user_id"]),
            expires_delta=timedelta(seconds=-1),
            additional_claims={"type": "access", "tv": 0},
        )
    response = client.get("/api/v1/users/me", headers=bearer(token))
    assert response.status_code == 401 and response.get_json()["error"] == "UNAUTHENTICATED"


# --- lockout and rate limit ------------------------------------------------------------------


def test_lockout_after_max_attempts_then_unlock_after_the_window(client, redis):
    _, body = register(client)
    for _ in range(4):
        assert login(client, body["email"], "wrong-password-1").status_code == 401
    locked = login(client, body["email"], "wrong-password-1")
    assert locked.status_code == 429 and locked.get_json()["error"] == "ACCOUNT_LOCKED"
    assert 0 < int(locked.headers["Retry-After"]) <= 900
    # Even the right password is refused while locked.
    assert login(client, body["email"]).get_json()["error"] == "ACCOUNT_LOCKED"
    # Let the lock's 15 minutes pass in Redis itself.
    redis.pexpire(lockout.lock_key(body["email"]), 1)
    time.sleep(0.05)
    assert login(client, body["email"]).status_code == 200


def test_successful_login_resets_the_failure_count(client):
    _, body = register(client)
    for _ in range(4):
        login(client, body["email"], "wrong-password-1")
    assert login(client, body["email"]).status_code == 200
    for _ in range(4):
        assert login(client, body["email"], "wrong-password-1").status_code == 401


def test_per_ip_rate_limit_on_auth_endpoints(settings):
    app = create_app(replace(settings, auth_rate_limit="3 per minute"))
    client = app.test_client()
    ip = {"REMOTE_ADDR": f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.9"}
    codes = [
        client.post(
            "/api/v1/auth/login", json={"email": "x@example.com", "password": "whatever1"}, environ_base=ip
        ).status_code
        for _ in range(4)
    ]
    assert codes[:3] == [401, 401, 401]
    assert codes[3] == 429
    limited = client.post(
        "/api/v1/auth/login", json={"email": "x@example.com", "password": "whatever1"}, environ_base=ip
    )
    assert limited.get_json()["error"] == "RATE_LIMITED" and "Retry-After" in limited.headers
    assert "X-RateLimit-Limit" in limited.headers


def test_the_limiter_is_met_only_by_the_limited_endpoints(settings):
    """Reads elsewhere never pass through the limiter's hooks (they cost a fifth of a small read)."""
    app = create_app(replace(settings, auth_rate_limit="2 per minute"))
    app_wide = [*app.before_request_funcs[None], *app.after_request_funcs[None], *app.teardown_request_funcs[None]]
    assert not [hook for hook in app_wide if "Limiter" in getattr(hook, "__qualname__", repr(hook))]
    client = app.test_client()
    ip = {"REMOTE_ADDR": f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.8"}
    plans = [client.get("/api/v1/subscriptions/plans", environ_base=ip) for _ in range(5)]
    assert [r.status_code for r in plans] == [200] * 5
    assert not any("X-RateLimit-Limit" in r.headers for r in plans)


# --- password reset ---------------------------------------------------------------------------


def _reset_token(settings, email):
    with psycopg.connect(settings.database_url) as conn:
        text = conn.execute(
            "SELECT body_text FROM email_outbox WHERE to_address = %s AND event_type = "
            "'account.password_reset' ORDER BY created_at DESC LIMIT 1",
            (email,),
        ).fetchone()[0]
    return re.search(r"token=([A-Za-z0-9_\-]+)", text).group(1)


def test_password_reset_sets_new_password_and_ends_every_session(client, settings):
    _, body = register(client)
    tokens = login(client, body["email"]).get_json()
    assert client.post("/api/v1/auth/password-reset/request", json={"email": body["email"]}).status_code == 202
    token = _reset_token(settings, body["email"])
    done = client.post("/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": "brand-new-pass"})
    assert done.status_code == 204
    assert client.get("/api/v1/users/me", headers=bearer(tokens["access_token"])).status_code == 401
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}).status_code == 401
    assert login(client, body["email"]).status_code == 401
    assert login(client, body["email"], "brand-new-pass").status_code == 200
    reused = client.post("/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": "another-pass1"})
    assert reused.status_code == 400 and reused.get_json()["error"] == "TOKEN_INVALID"


def _outbox_count(settings, email: str) -> int:
    with psycopg.connect(settings.database_url) as conn:
        return conn.execute("SELECT count(*) FROM email_outbox WHERE to_address = %s", (email,)).fetchone()[0]


def test_password_reset_request_does_not_reveal_accounts(client, settings):
    _, known = register(client)
    ghost = new_email("ghost")
    for_known = client.post("/api/v1/auth/password-reset/request", json={"email": known["email"]})
    for_ghost = client.post("/api/v1/auth/password-reset/request", json={"email": ghost})
    # the same answer whether or not the account exists; only the real account gets mail
    assert (for_ghost.status_code, for_ghost.get_data()) == (for_known.status_code, for_known.get_data())
    assert for_ghost.status_code == 202
    assert _outbox_count(settings, ghost) == 0
    assert _reset_token(settings, known["email"])


def test_expired_reset_token_is_refused(client, settings):
    _, body = register(client)
    client.post("/api/v1/auth/password-reset/request", json={"email": body["email"]})
    token = _reset_token(settings, body["email"])
    with psycopg.connect(settings.database_url) as conn:
        conn.execute(
            "UPDATE account_tokens SET expires_at = now() - interval '1 second' "
            "WHERE user_id = (SELECT user_id FROM users WHERE email = %s)",
            (body["email"],),
        )
    response = client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": "brand-new-pass"}
    )
    assert response.status_code == 400 and response.get_json()["error"] == "TOKEN_INVALID"
    # nothing changed: the old password still signs in, the new one does not
    assert login(client, body["email"]).status_code == 200
    assert login(client, body["email"], "brand-new-pass").status_code == 401
