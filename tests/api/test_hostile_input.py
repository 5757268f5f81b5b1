"""Hostile input never answers 5xx: undecodable JSON is a 400, hostile values a 422 that
names the field, oversized headers a 431, all in the error shape."""

from __future__ import annotations

import runpy
import uuid
from pathlib import Path

import pytest
from marshmallow import Schema, fields

from mathvidya.request_limits import MAX_HEADER_BYTES, MAX_JSON_BYTES
from mathvidya.schemas import StrictSchema

LOGIN = "/api/v1/auth/login"
REGISTER = "/api/v1/auth/register"


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    body = response.get_json()
    assert body["error"] == code and isinstance(body["message"], str) and isinstance(body["details"], dict)
    return body


def _post_raw(client, path: str, raw: bytes, headers=None):
    return client.post(path, data=raw, content_type="application/json", headers=headers or {})


def _registration(**overrides) -> dict:
    body = {
        "email": f"hostile-{uuid.uuid4().hex[:10]}@example.in",
        "password": "correct horse battery 9",
        "role": "student",
        "first_name": "Asha",
        "last_name": "Rao",
        "student_class": "XII",
    }
    return {**body, **overrides}


# --- JSON that cannot be decoded: 400 ----------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b"[" * 10_000 + b"]" * 10_000, id="nested-10000-deep"),
        pytest.param(b'{"a":' * 40 + b"1" + b"}" * 40, id="nested-40-deep"),
        pytest.param(b'{"email": ' + b"9" * 5_000 + b', "password": "x"}', id="5000-digit-integer"),
        pytest.param(b'{"email": "a@b.in", "password": "\xff\xfe"}', id="invalid-utf8"),
        pytest.param(b'{"email": "\xed\xa0\x80@b.in", "password": "x"}', id="utf8-encoded-surrogate"),
        pytest.param(b'{"email": "a@b.in", "password": NaN}', id="nan"),
        pytest.param(b'{"email": "a@b.in", "password": -Infinity}', id="infinity"),
        pytest.param(b'{"email": "a@b.in",', id="truncated"),
    ],
)
@pytest.mark.parametrize("path", [LOGIN, REGISTER])
def test_undecodable_json_is_a_400(client, path, raw):
    _error(_post_raw(client, path, raw), 400, "BAD_REQUEST")


def test_undecodable_json_is_a_400_on_signed_in_endpoints_too(client, make_user):
    student = make_user("student")
    raw = b'{"template_id": ' + b"1" * 5_000 + b"}"
    _error(_post_raw(client, "/api/v1/exams/start", raw, student["headers"]), 400, "BAD_REQUEST")
    deep = b'{"first_name": ' + b"[" * 10_000 + b"]" * 10_000 + b"}"
    _error(client.patch("/api/v1/users/me", data=deep, content_type="application/json", headers=student["headers"]),
           400, "BAD_REQUEST")  # fmt: skip


def test_a_json_body_over_the_limit_is_a_413(client):
    raw = b'{"email": "' + b"a" * MAX_JSON_BYTES + b'", "password": "x"}'
    _error(_post_raw(client, LOGIN, raw), 413, "PAYLOAD_TOO_LARGE")


def test_moderate_nesting_and_long_numbers_within_limits_still_decode(client):
    """The limits refuse only what no real client sends: 4,000 digits is a 422, not a 400."""
    raw = b'{"email": "a@b.in", "password": ' + b"7" * 4_000 + b"}"
    body = _error(_post_raw(client, LOGIN, raw), 422, "VALIDATION_ERROR")
    assert "password" in body["details"]["fields"]


# --- hostile values: 422 naming the field ------------------------------------------------


@pytest.mark.parametrize("text", ["nul\x00byte", "lone\ud800surrogate", "\udfff"], ids=["nul", "high", "low"])
def test_nul_and_lone_surrogates_in_login_and_register_are_422(client, text):
    body = _error(client.post(LOGIN, json={"email": text, "password": "x"}), 422, "VALIDATION_ERROR")
    assert list(body["details"]["fields"]) == ["email"]
    body = _error(client.post(REGISTER, json=_registration(last_name=text)), 422, "VALIDATION_ERROR")
    assert list(body["details"]["fields"]) == ["last_name"]


def test_hostile_text_is_refused_in_query_strings(client, make_user):
    admin = make_user("admin")
    for path, field in (
        ("/api/v1/admin/users?q=a%00b", "q"),
        ("/api/v1/admin/audit-logs?event_type=a%00b", "event_type"),
        ("/api/v1/questions?q=a%00b", "q"),
        ("/api/v1/admin/holidays?limit=1%00", "limit"),
    ):
        response = client.get(path, headers=admin["headers"])
        body = _error(response, 422, "VALIDATION_ERROR")
        assert field in body["details"]["fields"], (path, body)


def test_hostile_text_is_refused_at_any_depth_and_in_keys(client, make_user):
    admin = make_user("admin")
    response = client.put(
        "/api/v1/admin/config/leaderboard_top_n", json={"value": {"nested": ["ok", "x\x00"]}}, headers=admin["headers"]
    )
    assert "value" in _error(response, 422, "VALIDATION_ERROR")["details"]["fields"]
    response = client.post(LOGIN, json={"email": "a@b.in", "password": "x", "k\x00": 1})
    _error(response, 422, "VALIDATION_ERROR")


def test_holiday_names_and_teacher_comments_refuse_nul(client, make_user):
    admin = make_user("admin")
    response = client.post("/api/v1/admin/holidays", json={"holiday_date": "2030-01-02", "holiday_name": "Fest\x00"},
                           headers=admin["headers"])  # fmt: skip
    assert "holiday_name" in _error(response, 422, "VALIDATION_ERROR")["details"]["fields"]


def test_integers_are_exact(client, make_user):
    student = make_user("student")
    path = f"/api/v1/exams/{uuid.uuid4()}/confirm-upload"
    for body, field in (
        ({"pages_uploaded": [1.5, 2]}, "pages_uploaded"),
        ({"pages_uploaded": [1], "unanswered_questions": [2.0]}, "unanswered_questions"),
        ({"pages_uploaded": [1], "page_question_mapping": {"1": [3.5]}}, "page_question_mapping"),
        ({"pages_uploaded": [1, 10**30]}, "pages_uploaded"),
    ):
        response = client.post(path, json=body, headers=student["headers"])
        assert field in _error(response, 422, "VALIDATION_ERROR")["details"]["fields"], body


@pytest.mark.parametrize("key", ["²", "١", "1.0", "", "-1", "1\x00"])
def test_page_mapping_keys_must_be_ascii_page_numbers(client, make_user, key):
    student = make_user("student")
    response = client.post(
        f"/api/v1/exams/{uuid.uuid4()}/confirm-upload",
        json={"pages_uploaded": [1], "page_question_mapping": {key: [3]}},
        headers=student["headers"],
    )
    assert "page_question_mapping" in _error(response, 422, "VALIDATION_ERROR")["details"]["fields"]


def test_huge_integers_in_query_strings_are_422(client, make_user):
    admin = make_user("admin")
    response = client.get("/api/v1/admin/users?limit=99999999999999999999999", headers=admin["headers"])
    assert "limit" in _error(response, 422, "VALIDATION_ERROR")["details"]["fields"]


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1999-12-31", "2101-01-01"])
def test_dates_outside_the_supported_span_are_422(client, make_user, day):
    admin = make_user("admin")
    for path, field in (
        (f"/api/v1/admin/reports/sla-compliance?start_date={day}&end_date=2030-01-01", "start_date"),
        (f"/api/v1/admin/reports/sla-compliance?start_date=2030-01-01&end_date={day}", "end_date"),
        (f"/api/v1/admin/dashboard?from={day}", "from"),
        (f"/api/v1/admin/dashboard?to={day}", "to"),
        (f"/api/v1/admin/holidays?year={day[:4]}", None),
    ):
        response = client.get(path, headers=admin["headers"])
        assert response.status_code < 500, (path, response.status_code)
        if field:
            assert field in _error(response, 422, "VALIDATION_ERROR")["details"]["fields"], path


def test_dates_at_the_edges_of_the_span_are_taken(client, make_user):
    admin = make_user("admin")
    response = client.get("/api/v1/admin/dashboard?from=2000-01-01&to=2000-01-31", headers=admin["headers"])
    assert response.status_code == 200, response.get_json()


# --- oversized headers: 431 --------------------------------------------------------------


def test_an_oversized_authorization_header_is_a_431_in_the_error_shape(client):
    headers = {"Authorization": "Bearer " + "a" * 10_000}
    body = _error(client.get("/api/v1/users/me", headers=headers), 431, "HEADER_TOO_LARGE")
    assert body["details"]["header"] == "Authorization"
    _error(client.get("/api/v1/users/me", headers={"X-Anything": "b" * (MAX_HEADER_BYTES + 1)}), 431,
           "HEADER_TOO_LARGE")  # fmt: skip


def test_gunicorn_lets_headers_reach_the_app_up_to_twice_the_app_limit():
    from gunicorn.config import Config

    config = Config()
    conf_file = runpy.run_path(str(Path(__file__).resolve().parents[2] / "gunicorn.conf.py"))
    config.set("limit_request_field_size", conf_file["limit_request_field_size"])
    assert config.limit_request_field_size >= 2 * MAX_HEADER_BYTES


# --- every request schema gets the rules -------------------------------------------------


def _request_schemas(app):
    for view in app.view_functions.values():
        view_class = getattr(view, "view_class", None)
        handlers = (
            [getattr(view_class, m, None) for m in ("get", "post", "put", "patch", "delete")] if view_class else [view]
        )
        for handler in handlers:
            doc = getattr(handler, "_apidoc", {}).get("arguments", {})
            for parameter in doc.get("parameters", []):
                schema = parameter["schema"]
                yield schema() if isinstance(schema, type) else schema


def _nested_schemas(schema: Schema):
    for field in schema.fields.values():
        stack = [field]
        while stack:
            current = stack.pop()
            if isinstance(current, fields.Nested):
                yield current.schema
            stack.extend(
                f for f in (getattr(current, "inner", None), getattr(current, "value_field", None)) if f is not None
            )


def test_every_request_schema_and_everything_nested_in_it_is_strict(app):
    seen, loose = 0, []
    stack = list(_request_schemas(app))
    while stack:
        schema = stack.pop()
        seen += 1
        if not isinstance(schema, StrictSchema):
            loose.append(type(schema).__name__)
        stack.extend(_nested_schemas(schema))
    assert seen > 40
    assert loose == [], f"request schemas not built on StrictSchema: {loose}"


def test_hostile_text_in_a_path_is_a_404(client, make_user):
    admin = make_user("admin")
    for path in ("/api/v1/admin/config/a%00b", "/api/v1/admin/config/%ED%A0%80"):
        _error(client.put(path, json={"value": 1}, headers=admin["headers"]), 404, "NOT_FOUND")


def test_an_idempotency_key_with_nul_is_422(client, make_user):
    student = make_user("student")
    response = client.post(
        "/api/v1/exams/start",
        json={"template_id": str(uuid.uuid4())},
        headers={**student["headers"], "Idempotency-Key": "key\x00one"},
    )
    assert "Idempotency-Key" in _error(response, 422, "VALIDATION_ERROR")["details"]["fields"]
