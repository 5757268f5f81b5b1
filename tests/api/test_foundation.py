"""Health, readiness, the OpenAPI document and the error shape."""

from __future__ import annotations

import uuid

import pytest
from flask import abort

from mathvidya import create_app
from mathvidya.config import Settings


def test_healthz_answers_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readyz_checks_postgres_and_redis(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["checks"] == {"postgresql": "ok", "redis": "ok"}


def test_readyz_is_503_naming_redis_when_redis_is_down(settings):
    from dataclasses import replace

    dead_redis = replace(settings, redis_url="redis://127.0.0.1:1/0")
    app = create_app(dead_redis)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"] == {"postgresql": "ok", "redis": "unavailable"}


def test_readyz_is_503_naming_postgresql_when_postgresql_is_down(settings):
    """An app whose database does not answer (nothing listens on its port) is not ready;
    /healthz still says the process is up."""
    from dataclasses import replace

    from mathvidya.db import POOL_KEY
    from tools.local_services import free_port

    dead_postgres = replace(settings, database_url=f"postgresql://postgres@127.0.0.1:{free_port()}/mathvidya")
    app = create_app(dead_postgres)
    try:
        client = app.test_client()
        response = client.get("/readyz")
        assert response.status_code == 503
        body = response.get_json()
        assert body["checks"] == {"postgresql": "unavailable", "redis": "ok"}
        assert client.get("/healthz").status_code == 200
    finally:
        app.extensions[POOL_KEY].close()


def test_every_response_carries_a_request_id_and_echoes_the_clients(client):
    assert len(client.get("/healthz").headers["X-Request-ID"]) >= 16
    sent = "req-" + uuid.uuid4().hex
    assert client.get("/healthz", headers={"X-Request-ID": sent}).headers["X-Request-ID"] == sent


def test_openapi_document_is_served_with_bearer_scheme(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert "/healthz" in spec["paths"]


def test_swagger_ui_is_served_at_docs(client):
    response = client.get("/docs")
    assert response.status_code == 200
    assert b"swagger" in response.data.lower()


def _assert_error_shape(response, status, code):
    assert response.status_code == status
    body = response.get_json()
    assert set(body) == {"error", "message", "details"}
    assert body["error"] == code
    assert isinstance(body["message"], str) and body["message"]
    return body


def test_unknown_path_is_404_in_error_shape(client):
    _assert_error_shape(client.get("/api/v1/no-such-thing"), 404, "NOT_FOUND")


def test_wrong_method_is_405_in_error_shape(client):
    _assert_error_shape(client.post("/healthz"), 405, "METHOD_NOT_ALLOWED")


@pytest.fixture(scope="module")
def failing_app(settings):
    """An app with routes that fail on purpose, to see the shapes of 400/422/500."""
    from flask.views import MethodView
    from flask_smorest import Blueprint
    from marshmallow import fields

    from mathvidya.schemas import StrictSchema

    app = create_app(settings)
    blp = Blueprint("failing", __name__, url_prefix="/api/v1/_test")

    class Body(StrictSchema):
        name = fields.String(required=True)

    @blp.route("/echo")
    class Echo(MethodView):
        @blp.arguments(Body)
        @blp.response(200, Body)
        def post(self, body):
            return body

    @blp.route("/boom")
    class Boom(MethodView):
        def get(self):
            raise RuntimeError("secret internal detail")

    @blp.route("/bad")
    class Bad(MethodView):
        def get(self):
            abort(400)

    app.extensions["flask-smorest"]["apis"][""]["ext_obj"].register_blueprint(blp)
    return app


def test_malformed_json_is_400(failing_app):
    response = failing_app.test_client().post("/api/v1/_test/echo", data="{not json", content_type="application/json")
    _assert_error_shape(response, 400, "BAD_REQUEST")


def test_bad_request_abort_is_400(failing_app):
    _assert_error_shape(failing_app.test_client().get("/api/v1/_test/bad"), 400, "BAD_REQUEST")


def test_validation_failure_is_422_with_fields(failing_app):
    response = failing_app.test_client().post("/api/v1/_test/echo", json={"name": 3, "extra": 1})
    body = _assert_error_shape(response, 422, "VALIDATION_ERROR")
    assert set(body["details"]["fields"]) == {"name", "extra"}


def test_unexpected_failure_is_500_with_request_id_and_no_trace(failing_app):
    response = failing_app.test_client().get("/api/v1/_test/boom", headers={"X-Request-ID": "abc-123"})
    body = _assert_error_shape(response, 500, "INTERNAL_ERROR")
    assert body["details"] == {"request_id": "abc-123"}
    assert b"secret internal detail" not in response.data
    assert b"Traceback" not in response.data


def test_production_refuses_to_start_without_secret_key():
    from mathvidya.config import ConfigurationError, load_settings

    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        load_settings(
            {
                "MATHVIDYA_ENV": "production",
                "DATABASE_URL": "postgresql://x/y",
                "REDIS_URL": "redis://x",
                "RAZORPAY_KEY_ID": "k",
                "RAZORPAY_KEY_SECRET": "s",
            }
        )
    with pytest.raises(ConfigurationError, match="RAZORPAY"):
        load_settings(
            {
                "MATHVIDYA_ENV": "production",
                "SECRET_KEY": "x" * 40,
                "DATABASE_URL": "postgresql://x/y",
                "REDIS_URL": "redis://x",
            }
        )
    ok = load_settings(
        {
            "MATHVIDYA_ENV": "production",
            "SECRET_KEY": "x" * 40,
            "DATABASE_URL": "postgresql://x/y",
            "REDIS_URL": "redis://x",
            "RAZORPAY_KEY_ID": "k",
            "RAZORPAY_KEY_SECRET": "s",
        }
    )
    assert isinstance(ok, Settings) and ok.is_production
