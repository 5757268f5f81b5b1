"""GET /admin/audit-logs: filters, newest-first paging, index use, immutability, and the
events today's actions write (each in its action's transaction)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from mathvidya.queries import queries

URL = "/api/v1/admin/audit-logs"


@pytest.fixture
def admin(make_user):
    return make_user("admin")


@pytest.fixture
def trail(settings):
    """Five committed rows of one fresh resource type, a minute apart, oldest first, in a
    time window of their own (no other trail shares its minutes)."""
    resource_type = f"test-{uuid.uuid4().hex[:10]}"
    actor_a, actor_b = uuid.uuid4(), uuid.uuid4()
    start = datetime(2030, 6, 1, 10, 0, tzinfo=UTC) + timedelta(minutes=10 * (uuid.uuid4().int % 500_000))
    rows = [
        ("test.alpha", actor_a, "teacher", "r1", 0),
        ("test.beta", actor_a, "teacher", "r1", 1),
        ("test.alpha", actor_b, "admin", "r2", 2),
        ("test.gamma", None, "system", "r2", 3),
        ("test.alpha", actor_b, "admin", "r3", 4),
    ]
    with psycopg.connect(settings.database_url) as conn:
        for event_type, actor, role, resource_id, minute in rows:
            conn.execute(
                "INSERT INTO audit_logs (event_type, actor_user_id, actor_role, ip_address, resource_type, "
                "resource_id, details, created_at) VALUES (%s, %s, %s, '10.0.0.7', %s, %s, %s, %s)",
                (
                    event_type,
                    actor,
                    role,
                    resource_type,
                    resource_id,
                    Jsonb({"n": minute}),
                    start + timedelta(minutes=minute),
                ),
            )
    return {"resource_type": resource_type, "actor_a": actor_a, "actor_b": actor_b, "start": start}


def _get(client, admin, **params):
    response = client.get(URL, query_string=params, headers=admin["headers"])
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_rows_come_newest_first_with_every_field(client, admin, trail):
    body = _get(client, admin, resource_type=trail["resource_type"])
    assert body["total"] == 5 and body["limit"] == 20 and body["offset"] == 0
    assert [item["details"]["n"] for item in body["items"]] == [4, 3, 2, 1, 0]
    newest = body["items"][0]
    assert newest["event_type"] == "test.alpha"
    assert newest["actor_user_id"] == str(trail["actor_b"]) and newest["actor_role"] == "admin"
    assert newest["ip_address"] == "10.0.0.7"
    assert newest["resource_type"] == trail["resource_type"] and newest["resource_id"] == "r3"
    assert datetime.fromisoformat(newest["created_at"]) == trail["start"] + timedelta(minutes=4)
    assert set(newest) == {
        "log_id",
        "event_type",
        "actor_user_id",
        "actor_role",
        "ip_address",
        "resource_type",
        "resource_id",
        "details",
        "created_at",
    }


def test_paging(client, admin, trail):
    pages = [_get(client, admin, resource_type=trail["resource_type"], limit=2, offset=o) for o in (0, 2, 4)]
    assert [[i["details"]["n"] for i in p["items"]] for p in pages] == [[4, 3], [2, 1], [0]]
    assert all(p["total"] == 5 for p in pages)
    assert _get(client, admin, resource_type=trail["resource_type"], offset=10)["items"] == []


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"event_type": "test.alpha"}, [4, 2, 0]),
        ({"event_type": "test.*"}, [4, 3, 2, 1, 0]),
        ({"event_type": "test.gamma"}, [3]),
        ({"actor": "a"}, [1, 0]),
        ({"actor": "b", "event_type": "test.alpha"}, [4, 2]),
        ({"resource_id": "r2"}, [3, 2]),
        ({"from": 1, "to": 3}, [2, 1]),
        ({"from": 3}, [4, 3]),
        ({"to": 1}, [0]),
        ({"event_type": "test.beta", "resource_id": "r2"}, []),
    ],
)
def test_filters(client, admin, trail, filters, expected):
    params = {"resource_type": trail["resource_type"]}
    for name, value in filters.items():
        if name == "actor":
            params["actor_user_id"] = str(trail[f"actor_{value}"])
        elif name in ("from", "to"):
            params[name] = (trail["start"] + timedelta(minutes=value)).isoformat()
        else:
            params[name] = value
    body = _get(client, admin, **params)
    assert [item["details"]["n"] for item in body["items"]] == expected
    assert body["total"] == len(expected)


def test_filters_without_resource_type(client, admin, trail):
    body = _get(client, admin, actor_user_id=str(trail["actor_a"]))
    assert [item["details"]["n"] for item in body["items"]] == [1, 0]
    to = (trail["start"] + timedelta(minutes=5)).isoformat()
    frm = trail["start"].isoformat()
    gamma = _get(client, admin, **{"from": frm, "to": to, "event_type": "test.gamma"})
    assert gamma["total"] == 1
    assert [(i["resource_type"], i["details"]["n"]) for i in gamma["items"]] == [(trail["resource_type"], 3)]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"actor_user_id": "not-a-uuid"}, "actor_user_id"),
        ({"from": "2030-06-01T10:00:00"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"from": "2030-06-02T00:00:00+00:00", "to": "2030-06-01T00:00:00+00:00"}, "to"),
        ({"limit": 101}, "limit"),
        ({"offset": -1}, "offset"),
        ({"event_type": ""}, "event_type"),
    ],
)
def test_invalid_queries_are_422(client, admin, query, field):
    response = client.get(URL, query_string=query, headers=admin["headers"])
    assert response.status_code == 422
    assert field in response.get_json()["details"]["fields"]


@pytest.mark.parametrize("role", ["student", "parent", "teacher"])
def test_only_admins_read_the_trail(client, make_user, role):
    user = make_user(role)
    response = client.get(URL, headers=user["headers"])
    assert response.status_code == 403 and response.get_json()["error"] == "FORBIDDEN"


def test_the_trail_cannot_be_changed(client, admin, trail, settings):
    for method in ("post", "put", "patch", "delete"):
        assert getattr(client, method)(URL, json={}, headers=admin["headers"]).status_code == 405
    for statement in (
        "UPDATE audit_logs SET details = '{}' WHERE resource_type = %s",
        "DELETE FROM audit_logs WHERE resource_type = %s",
    ):
        with psycopg.connect(settings.database_url) as conn:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement, (trail["resource_type"],))
    with psycopg.connect(settings.database_url) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("TRUNCATE audit_logs")
    assert _get(client, admin, resource_type=trail["resource_type"])["total"] == 5


FILTER_INDEXES = [
    ({"event_type": "user.login"}, "audit_logs_event_created_idx"),
    ({"actor_user_id": uuid.UUID(int=7)}, "audit_logs_actor_created_idx"),
    ({"resource_type": "user", "resource_id": "x"}, "audit_logs_resource_created_idx"),
    ({"from_time": datetime(2030, 1, 1, tzinfo=UTC)}, "audit_logs_created_idx"),
    ({}, "audit_logs_created_idx"),
]


@pytest.mark.parametrize(("filters", "index"), FILTER_INDEXES)
def test_each_filter_is_served_by_its_index(db, filters, index):
    """With the transaction on custom plans, the unused optional filters fold away and the
    planner can use the filter's own index (docs/admin.md shows the plans on 300k rows)."""
    from mathvidya.admin import repository

    repository.plan_with_actual_values(db)
    db.execute("SET LOCAL enable_seqscan = off")
    params = repository.audit_filters(**filters)
    sql = queries("admin").list_audit_logs.sql
    for _ in range(8):  # past psycopg's prepare threshold: still custom plans
        db.execute(sql, {**params, "limit": 20, "offset": 0}).fetchall()
    plan = "\n".join(
        row["QUERY PLAN"] for row in db.execute(f"EXPLAIN {sql}", {**params, "limit": 20, "offset": 0}).fetchall()
    )
    assert index in plan, plan
    assert "IS NULL" not in plan, plan


# --- the events today's actions write ------------------------------------------------------


def _events(settings, **where) -> list[dict]:
    clauses = " AND ".join(f"{column} = %({column})s" for column in where)
    with psycopg.connect(settings.database_url, row_factory=dict_row) as conn:
        return conn.execute(f"SELECT * FROM audit_logs WHERE {clauses} ORDER BY created_at", where).fetchall()


def test_identity_config_and_holiday_actions_write_their_events(client, admin, make_user, settings):
    email = f"journey-{uuid.uuid4().hex[:10]}@example.com"
    registered = client.post(
        "/api/v1/auth/register",
        json={
            "email": email,
            "password": "a-long-password-1",
            "role": "student",
            "first_name": "Asha",
            "last_name": "K",
            "student_class": "XII",
        },
    )
    assert registered.status_code == 201
    student_id = registered.get_json()["user_id"]
    assert client.post("/api/v1/auth/login", json={"email": email, "password": "wrong-password"}).status_code == 401
    assert client.post("/api/v1/auth/login", json={"email": email, "password": "a-long-password-1"}).status_code == 200

    parent = make_user("parent")
    mapping = client.post(
        "/api/v1/admin/parent-student-mappings",
        json={"parent_user_id": str(parent["user_id"]), "student_user_id": student_id, "relationship": "mother"},
        headers=admin["headers"],
    )
    assert mapping.status_code == 201

    holiday = client.post(
        "/api/v1/admin/holidays",
        json={"holiday_date": "2032-03-03", "holiday_name": f"Audit day {uuid.uuid4().hex[:6]}"},
        headers=admin["headers"],
    ).get_json()
    client.delete(f"/api/v1/admin/holidays/{holiday['holiday_id']}", headers=admin["headers"])

    events = [row["event_type"] for row in _events(settings, resource_id=student_id)]
    assert events[0] == "user.created"
    assert "user.login" in events and "user.login_failed" in events
    assert [r["event_type"] for r in _events(settings, resource_id=holiday["holiday_id"])] == [
        "holiday.created",
        "holiday.deleted",
    ]
    linked = _events(settings, event_type="parent.linked", resource_id=mapping.get_json()["mapping_id"])
    assert len(linked) == 1 and str(linked[0]["actor_user_id"]) == str(admin["user_id"])

    body = _get(client, admin, actor_user_id=str(admin["user_id"]), event_type="holiday.*")
    assert [i["event_type"] for i in body["items"]] == ["holiday.deleted", "holiday.created"]


def test_a_refused_action_leaves_no_event(client, admin, settings):
    """Audit rows share the action's transaction: a 409 or 422 writes none."""
    name = "Dussehra"
    before = len(_events(settings, event_type="holiday.created", actor_user_id=admin["user_id"]))
    duplicate = client.post(
        "/api/v1/admin/holidays", json={"holiday_date": "2025-10-02", "holiday_name": name}, headers=admin["headers"]
    )
    assert duplicate.status_code == 409
    bad = client.put("/api/v1/admin/config/leaderboard_top_n", json={"value": 0}, headers=admin["headers"])
    assert bad.status_code == 422
    assert len(_events(settings, event_type="holiday.created", actor_user_id=admin["user_id"])) == before
    assert _events(settings, event_type="config.updated", actor_user_id=admin["user_id"]) == []
