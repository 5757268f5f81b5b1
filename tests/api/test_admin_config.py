"""GET /admin/config and PUT /admin/config/{key}: every key accepts a good value and refuses
a bad one (422 naming the rule); changes are audited and announced to other processes.

The per-key cases run on a database of this module's own, so changing settings (even
notifications_enabled or the unit lists) cannot disturb any other test.
"""

from __future__ import annotations

import dataclasses
import uuid

import psycopg
import pytest
from psycopg.rows import dict_row

from mathvidya import create_app, settings_store
from mathvidya import db as db_module
from mathvidya.config_rules import RULES
from tests.factories import make_user
from tools.local_services import OWNER_ROLE

XII_DEFAULT = [
    "Relations and Functions",
    "Inverse Trigonometric Functions",
    "Matrices",
    "Determinants",
    "Continuity and Differentiability",
    "Application of Derivatives",
    "Integrals",
    "Application of Integrals",
    "Differential Equations",
    "Vector Algebra",
    "Three Dimensional Geometry",
    "Linear Programming",
    "Probability",
]
X_DEFAULT = [
    "Real Numbers",
    "Polynomials",
    "Pair of Linear Equations in Two Variables",
    "Quadratic Equations",
    "Arithmetic Progressions",
    "Triangles",
    "Coordinate Geometry",
    "Introduction to Trigonometry",
    "Some Applications of Trigonometry",
    "Circles",
    "Areas Related to Circles",
    "Surface Areas and Volumes",
    "Statistics",
    "Probability",
]

# A value different from the seeded default, and a bad value with words of the rule it breaks.
CASES: dict[str, tuple[object, object, str]] = {
    "sla_working_hours": (
        {"start": "08:30", "end": "17:30", "timezone": "Asia/Kolkata"},
        {"start": "18:00", "end": "09:00", "timezone": "Asia/Kolkata"},
        "start before it ends",
    ),
    "sla_working_days": (["Mon", "Tue", "Wed", "Thu", "Fri"], ["Mon", "Holiday"], "one of Mon"),
    "leaderboard_top_n": (20, 0, "between 1 and 100"),
    "max_upload_size_mb": (10, 500, "between 1 and 50"),
    "upload_quality_check_enabled": (False, "no", "true or false"),
    "upload_min_short_side_px": (800, 50, "between 100 and 4000"),
    "allowed_upload_mimetypes": (["image/png", "application/pdf"], ["text/html"], "among"),
    "evaluation_ui_stamps": (["tick", "cross", "half"], [], "non-empty"),
    "analytics_refresh_hour": (3, 24, "between 0 and 23"),
    "analytics_retention_days": (365, 10, "between 30 and 3650"),
    "exam_auto_submit_enabled": (False, "false", "true or false"),
    "anonymous_marking": (False, "no", "true or false"),
    "exam_grace_period_minutes": (10, -5, "between 0 and 60"),
    "notifications_enabled": (False, 0, "true or false"),
    "notification_email_from": ("Maths Team <team@mathvidya.com>", "team at mathvidya", "address like"),
    "question_approval_required": (False, "yes", "true or false"),
    "session_timeout_minutes": (30, 2, "between 5 and 1440"),
    "max_login_attempts": (6, 1000, "between 1 and 100"),
    "item_analysis_min_attempts": (20, 0, "between 1 and 100000"),
    "aws_s3_region": ("us-east-1", "Mumbai", "AWS region"),
    "s3_signed_url_expiry_minutes": (30, 0, "between 1 and 1440"),
    "cbse_units_class_xii": (XII_DEFAULT + ["Mathematical Reasoning"], ["Matrices", "matrices"], "ignoring case"),
    "cbse_units_class_x": (X_DEFAULT + ["Sets"], [], "non-empty"),
}


@pytest.fixture(scope="module")
def own_database(postgres_server, template_database):
    name = f"mv_cfg_{uuid.uuid4().hex[:10]}"
    postgres_server.create_database(name, template=template_database, owner=OWNER_ROLE)
    yield postgres_server.app_url(name)
    postgres_server.drop_database(name)


@pytest.fixture(scope="module")
def config_app(settings, own_database):
    """An app on this module's database, with its own pool (the shared one is put back)."""
    application = create_app(dataclasses.replace(settings, database_url=own_database))
    yield application
    application.extensions[db_module.POOL_KEY].close()
    settings_store.announce_change(None)


@pytest.fixture(scope="module")
def admin(config_app):
    return make_user(config_app, "admin")


@pytest.fixture
def api(config_app):
    return config_app.test_client()


def _row(database_url: str, key: str) -> dict:
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        return conn.execute("SELECT * FROM system_config WHERE config_key = %s", (key,)).fetchone()


def _audits(database_url: str, key: str) -> list[dict]:
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        return conn.execute(
            "SELECT * FROM audit_logs WHERE event_type = 'config.updated' AND resource_id = %s ORDER BY created_at",
            (key,),
        ).fetchall()


def test_every_key_is_covered_here():
    assert set(CASES) == set(RULES)


def test_get_lists_every_key_with_value_type_description_and_last_change(api, admin, own_database):
    response = api.get("/api/v1/admin/config", headers=admin["headers"])
    assert response.status_code == 200
    items = {item["key"]: item for item in response.get_json()["items"]}
    assert set(items) == set(RULES)
    hours = items["sla_working_hours"]
    assert hours["value"] == {"start": "09:00", "end": "18:00", "timezone": "Asia/Kolkata"}
    assert hours["type"] == "object"
    assert hours["description"] and hours["rule"] and hours["updated_at"]
    assert "updated_by" in hours
    assert items["leaderboard_top_n"]["value"] == 10 and items["leaderboard_top_n"]["type"] == "integer"


@pytest.mark.parametrize("key", sorted(CASES))
def test_each_key_accepts_a_good_value_and_refuses_a_bad_one(api, admin, own_database, redis, key):
    good, bad, rule_words = CASES[key]
    before = _row(own_database, key)
    audits_before = len(_audits(own_database, key))

    refused = api.put(f"/api/v1/admin/config/{key}", json={"value": bad}, headers=admin["headers"])
    assert refused.status_code == 422, refused.get_json()
    body = refused.get_json()
    assert body["error"] == "VALIDATION_ERROR"
    assert rule_words in body["details"]["fields"]["value"][0]
    assert key in body["message"]
    assert _row(own_database, key)["config_value"] == before["config_value"]
    assert len(_audits(own_database, key)) == audits_before

    version = int(redis.get(settings_store.VERSION_KEY) or 0)
    accepted = api.put(f"/api/v1/admin/config/{key}", json={"value": good}, headers=admin["headers"])
    assert accepted.status_code == 200, accepted.get_json()
    entry = accepted.get_json()
    assert entry["key"] == key and entry["value"] == good
    assert entry["updated_by"] == str(admin["user_id"])
    after = _row(own_database, key)
    assert after["config_value"] == good and after["updated_at"] > before["updated_at"]
    audits = _audits(own_database, key)
    assert len(audits) == audits_before + 1
    assert audits[-1]["details"] == {"key": key, "old_value": before["config_value"], "new_value": good}
    assert str(audits[-1]["actor_user_id"]) == str(admin["user_id"]) and audits[-1]["actor_role"] == "admin"
    assert int(redis.get(settings_store.VERSION_KEY)) > version, "the change was not announced"


def test_an_unchanged_value_writes_and_audits_nothing(api, admin, own_database):
    key = "leaderboard_top_n"
    current = _row(own_database, key)
    audits = len(_audits(own_database, key))
    response = api.put(f"/api/v1/admin/config/{key}", json={"value": current["config_value"]}, headers=admin["headers"])
    assert response.status_code == 200
    assert _row(own_database, key)["updated_at"] == current["updated_at"]
    assert len(_audits(own_database, key)) == audits


def test_get_one_key_and_unknown_keys_are_404(api, admin):
    one = api.get("/api/v1/admin/config/max_login_attempts", headers=admin["headers"])
    assert one.status_code == 200 and one.get_json()["key"] == "max_login_attempts"
    for method in ("get", "put"):
        response = getattr(api, method)("/api/v1/admin/config/no_such_key", json={"value": 1}, headers=admin["headers"])
        assert response.status_code == 404, method
        assert response.get_json()["error"] == "NOT_FOUND"


@pytest.mark.parametrize(
    "body", [{}, {"value": None}, {"value": 5, "extra": 1}], ids=["missing", "null", "unknown-field"]
)
def test_malformed_bodies_are_422(api, admin, body):
    response = api.put("/api/v1/admin/config/leaderboard_top_n", json=body, headers=admin["headers"])
    assert response.status_code == 422
    assert response.get_json()["details"]["fields"]


def test_a_unit_still_used_by_a_template_cannot_be_removed(api, admin, own_database):
    # The seeded default templates weight every Class XII unit.
    without_matrices = [unit for unit in XII_DEFAULT if unit != "Matrices"]
    response = api.put(
        "/api/v1/admin/config/cbse_units_class_xii", json={"value": without_matrices}, headers=admin["headers"]
    )
    assert response.status_code == 422
    assert "Matrices" in response.get_json()["details"]["fields"]["value"][0]


def test_a_key_added_later_without_a_rule_keeps_its_declared_type(api, admin, own_database):
    with psycopg.connect(own_database) as conn:
        conn.execute(
            "INSERT INTO system_config (config_key, config_value, value_type, description) "
            "VALUES ('test_future_limit', '3', 'integer', 'A key with no rule yet')"
        )
    try:
        bad = api.put("/api/v1/admin/config/test_future_limit", json={"value": "three"}, headers=admin["headers"])
        assert bad.status_code == 422 and "number" in bad.get_json()["details"]["fields"]["value"][0]
        good = api.put("/api/v1/admin/config/test_future_limit", json={"value": 4}, headers=admin["headers"])
        assert good.status_code == 200 and good.get_json()["value"] == 4
    finally:
        with psycopg.connect(own_database) as conn:
            conn.execute("DELETE FROM system_config WHERE config_key = 'test_future_limit'")


@pytest.mark.parametrize("role", ["student", "parent", "teacher"])
def test_other_roles_are_403(config_app, api, role):
    user = make_user(config_app, role)
    assert api.get("/api/v1/admin/config", headers=user["headers"]).status_code == 403
    response = api.put("/api/v1/admin/config/leaderboard_top_n", json={"value": 12}, headers=user["headers"])
    assert response.status_code == 403 and response.get_json()["error"] == "FORBIDDEN"


def test_the_process_serving_the_change_reads_the_new_value_at_once(config_app, api, admin, own_database):
    """The request's own process: the after-commit announce drops the local cache."""
    with config_app.app_context():
        with psycopg.connect(own_database, row_factory=dict_row) as conn:
            before = settings_store.get_setting(conn, "session_timeout_minutes")
        response = api.put(
            "/api/v1/admin/config/session_timeout_minutes", json={"value": before + 1}, headers=admin["headers"]
        )
        assert response.status_code == 200
        with psycopg.connect(own_database, row_factory=dict_row) as conn:
            assert settings_store.get_setting(conn, "session_timeout_minutes") == before + 1
