"""Security headers on every response: nosniff everywhere, no-store on API answers (tokens
and personal data), nothing framed, and /docs limited to the app's own assets."""

from __future__ import annotations

import re

from tests.api.test_access_rules import _routes, _sample_path
from tests.api.test_auth import login, register


def _assert_common(response, path: str) -> None:
    assert response.headers.get("X-Content-Type-Options") == "nosniff", path
    assert response.headers.get("X-Frame-Options") == "DENY", path
    assert "frame-ancestors 'none'" in response.headers.get("Content-Security-Policy", ""), path


def test_every_route_answers_with_nosniff_no_store_and_no_framing(app, client):
    checked = 0
    for rule, method, _handler in _routes(app):
        path = _sample_path(rule)
        response = client.open(path, method=method, json={})
        _assert_common(response, f"{method} {path}")
        if path.startswith("/api/v1/"):
            assert response.headers.get("Cache-Control") == "no-store", f"{method} {path}"
        checked += 1
    assert checked > 50


def test_the_login_answer_and_personal_data_are_never_cached(client):
    response, body = register(client)
    assert response.headers["Cache-Control"] == "no-store"
    signed_in = login(client, body["email"])
    assert signed_in.status_code == 200 and "access_token" in signed_in.get_json()
    assert signed_in.headers["Cache-Control"] == "no-store" and signed_in.headers["Pragma"] == "no-cache"
    _assert_common(signed_in, "login")
    me = client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {signed_in.get_json()['access_token']}"})
    assert me.status_code == 200 and me.headers["Cache-Control"] == "no-store"


def test_errors_and_unknown_paths_carry_the_headers_too(client):
    for response in (client.get("/api/v1/nothing-here"), client.post("/api/v1/auth/login", data="{x")):
        _assert_common(response, response.request.path)
        assert response.headers["Cache-Control"] == "no-store"


def test_the_public_api_description_may_be_cached(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    _assert_common(response, "openapi.json")


def test_docs_cannot_be_framed_and_load_only_the_apps_own_assets(client):
    response = client.get("/docs")
    assert response.status_code == 200
    _assert_common(response, "/docs")
    csp = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert not re.search(r"https?:|\*|'unsafe-inline'|'unsafe-eval'", csp), csp
    for directive in ("script-src", "style-src", "connect-src"):
        assert directive not in directives  # so default-src 'self' governs them


def test_health_checks_carry_nosniff(client):
    _assert_common(client.get("/healthz"), "/healthz")
