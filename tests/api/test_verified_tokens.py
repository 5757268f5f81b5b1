"""A token is verified (signature, claims) once per process and remembered until it expires;
its liveness is still checked on every request, and another secret never accepts it."""

from __future__ import annotations

import time
from dataclasses import replace

import flask_jwt_extended.jwt_manager as jwt_manager_module

from mathvidya import create_app
from mathvidya.db import POOL_KEY
from mathvidya.jwt_setup import VerifiedTokens


def test_a_token_is_verified_once_then_remembered(client, make_user, monkeypatch):
    student = make_user("student")
    verified = []
    original = jwt_manager_module._decode_jwt

    def counting(**kwargs):
        verified.append(kwargs["encoded_token"])
        return original(**kwargs)

    monkeypatch.setattr(jwt_manager_module, "_decode_jwt", counting)
    for _ in range(3):
        assert client.get("/api/v1/users/me", headers=student["headers"]).status_code == 200
    assert len(verified) == 1


def test_a_remembered_token_still_ends_with_its_session(client, make_user):
    student = make_user("student")
    assert client.get("/api/v1/users/me", headers=student["headers"]).status_code == 200
    assert client.post("/api/v1/auth/logout", json={}, headers=student["headers"]).status_code in (200, 204)
    response = client.get("/api/v1/users/me", headers=student["headers"])
    assert response.status_code == 401 and response.get_json()["error"] == "UNAUTHENTICATED"


def test_a_token_remembered_under_one_secret_is_refused_by_another(client, settings, make_user):
    student = make_user("student")
    assert client.get("/api/v1/users/me", headers=student["headers"]).status_code == 200
    other = create_app(replace(settings, secret_key=settings.secret_key[::-1] + "x"))
    try:
        response = other.test_client().get("/api/v1/users/me", headers=student["headers"])
    finally:
        other.extensions[POOL_KEY].close()
    assert response.status_code == 401


def test_remembered_claims_are_forgotten_at_expiry_and_the_oldest_are_dropped():
    kept = VerifiedTokens(size=2)
    now = time.time()
    kept.put(("s", "live"), {"sub": "a", "exp": now + 60})
    kept.put(("s", "gone"), {"sub": "b", "exp": now - 1})
    kept.put(("s", "no-expiry"), {"sub": "c"})
    assert kept.get(("s", "live"), 0) == {"sub": "a", "exp": now + 60}
    assert kept.get(("s", "gone"), 0) is None
    assert kept.get(("s", "gone"), 5) is not None  # within the configured leeway
    assert kept.get(("s", "no-expiry"), 0) is None
    kept.put(("s", "third"), {"sub": "d", "exp": now + 60})
    assert kept.get(("s", "live"), 0) is None  # the oldest went first
