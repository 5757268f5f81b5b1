"""Every route declares who may call it; every protected route refuses a missing token."""

from __future__ import annotations

import re

import pytest

# Served by flask-smorest / Flask itself: the OpenAPI document, Swagger UI, static files.
FRAMEWORK_ENDPOINTS = {"static", "api-docs.openapi_json", "api-docs.openapi_swagger_ui"}
IGNORED_METHODS = {"HEAD", "OPTIONS"}


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in FRAMEWORK_ENDPOINTS or rule.endpoint.startswith("_test"):
            continue
        view = app.view_functions[rule.endpoint]
        view_class = getattr(view, "view_class", None)
        for method in sorted(rule.methods - IGNORED_METHODS):
            handler = getattr(view_class, method.lower(), None) if view_class else view
            yield rule, method, handler


def _sample_path(rule) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", "00000000-0000-0000-0000-000000000000", rule.rule)


def test_every_route_declares_an_access_rule(app):
    missing = [
        f"{method} {rule.rule}"
        for rule, method, handler in _routes(app)
        if getattr(handler, "__access_rule__", None) is None
    ]
    assert missing == [], f"routes without @public/@signed_in/@roles: {missing}"


def test_every_protected_route_answers_401_without_a_token(app, client):
    checked = 0
    for rule, method, handler in _routes(app):
        if handler.__access_rule__ == "public":
            continue
        response = client.open(_sample_path(rule), method=method, json={})
        assert response.status_code == 401, f"{method} {rule.rule} → {response.status_code}"
        assert response.get_json()["error"] == "UNAUTHENTICATED"
        checked += 1
    assert checked > 10


@pytest.mark.parametrize("role", ["student", "parent", "teacher", "admin"])
def test_every_role_restricted_route_answers_403_to_other_roles(app, client, make_user, role):
    user = make_user(role)
    for rule, method, handler in _routes(app):
        rule_roles = handler.__access_rule__
        if rule_roles == "public" or role in rule_roles:
            continue
        response = client.open(_sample_path(rule), method=method, json={}, headers=user["headers"])
        assert response.status_code == 403, f"{role}: {method} {rule.rule} → {response.status_code}"
        assert response.get_json()["error"] == "FORBIDDEN"


def test_openapi_documents_security_for_every_operation(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            assert "security" in operation, f"{method.upper()} {path} has no security declaration"
            if operation["security"]:
                assert "401" in operation["responses"], f"{method.upper()} {path} does not document 401"
