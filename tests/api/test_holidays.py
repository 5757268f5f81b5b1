"""/admin/holidays: list by year, two holidays on one date, exact duplicates refused,
delete, audit, and SLA deadlines that never move when the calendar changes."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, date, datetime, timedelta

import psycopg
import pytest
from psycopg.rows import dict_row

from mathvidya.jobs.registry import periodic_jobs, run_job
from mathvidya.sla_calendar import holiday_calendar
from tests.factories import make_user as factory_make_user

BOARD_XII_TEMPLATE = "449b701e-1d69-5fcf-9bd4-65a99e4f2d26"


@pytest.fixture
def admin(make_user):
    return make_user("admin")


def _audits(database_url: str, holiday_id: str) -> list[dict]:
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        return conn.execute(
            "SELECT * FROM audit_logs WHERE resource_type = 'holiday' AND resource_id = %s ORDER BY created_at",
            (holiday_id,),
        ).fetchall()


def test_the_2025_calendar_holds_two_holidays_on_2025_10_02(client, admin):
    response = client.get("/api/v1/admin/holidays?year=2025&limit=100", headers=admin["headers"])
    assert response.status_code == 200
    body = response.get_json()
    assert body["limit"] == 100 and body["offset"] == 0 and body["total"] >= 13
    assert all(item["holiday_date"].startswith("2025-") for item in body["items"])
    on_gandhi_jayanti = {item["holiday_name"] for item in body["items"] if item["holiday_date"] == "2025-10-02"}
    assert {"Gandhi Jayanti", "Dussehra"} <= on_gandhi_jayanti
    dates = [item["holiday_date"] for item in body["items"]]
    assert dates == sorted(dates)


def test_paging_and_every_year(client, admin):
    first = client.get("/api/v1/admin/holidays?limit=5", headers=admin["headers"]).get_json()
    second = client.get("/api/v1/admin/holidays?limit=5&offset=5", headers=admin["headers"]).get_json()
    assert len(first["items"]) == 5 and first["total"] >= 26 and first["total"] == second["total"]
    assert {i["holiday_id"] for i in first["items"]}.isdisjoint({i["holiday_id"] for i in second["items"]})


def test_a_further_holiday_on_a_shared_date_then_an_exact_duplicate_is_409(client, admin, settings):
    name = f"School Foundation Day {uuid.uuid4().hex[:6]}"
    created = client.post(
        "/api/v1/admin/holidays",
        json={"holiday_date": "2025-10-02", "holiday_name": name, "description": "Local holiday"},
        headers=admin["headers"],
    )
    assert created.status_code == 201, created.get_json()
    holiday = created.get_json()
    try:
        assert holiday["holiday_date"] == "2025-10-02" and holiday["is_working_day"] is False
        assert holiday["description"] == "Local holiday"
        listed = client.get("/api/v1/admin/holidays?year=2025&limit=100", headers=admin["headers"]).get_json()
        names = {i["holiday_name"] for i in listed["items"] if i["holiday_date"] == "2025-10-02"}
        assert {"Gandhi Jayanti", "Dussehra", name} <= names

        for duplicate in (name, "Dussehra"):
            again = client.post(
                "/api/v1/admin/holidays",
                json={"holiday_date": "2025-10-02", "holiday_name": duplicate},
                headers=admin["headers"],
            )
            assert again.status_code == 409 and again.get_json()["error"] == "CONFLICT"

        created_audits = _audits(settings.database_url, holiday["holiday_id"])
        assert [a["event_type"] for a in created_audits] == ["holiday.created"]
        assert created_audits[0]["details"]["holiday_name"] == name
        assert str(created_audits[0]["actor_user_id"]) == str(admin["user_id"])
    finally:
        deleted = client.delete(f"/api/v1/admin/holidays/{holiday['holiday_id']}", headers=admin["headers"])
    assert deleted.status_code == 204
    assert [a["event_type"] for a in _audits(settings.database_url, holiday["holiday_id"])] == [
        "holiday.created",
        "holiday.deleted",
    ]
    gone = client.delete(f"/api/v1/admin/holidays/{holiday['holiday_id']}", headers=admin["headers"])
    assert gone.status_code == 404


def test_a_working_day_override_reaches_the_calendar(client, admin, db):
    name = f"Make-up working day {uuid.uuid4().hex[:6]}"
    sunday = date(2031, 1, 5)
    created = client.post(
        "/api/v1/admin/holidays",
        json={"holiday_date": sunday.isoformat(), "holiday_name": name, "is_working_day": True},
        headers=admin["headers"],
    )
    assert created.status_code == 201
    try:
        calendar = holiday_calendar(db, sunday, sunday)
        assert calendar.is_forced_working_day(sunday) and not calendar.is_holiday(sunday)
    finally:
        client.delete(f"/api/v1/admin/holidays/{created.get_json()['holiday_id']}", headers=admin["headers"])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"holiday_name": "X"}, "holiday_date"),
        ({"holiday_date": "2025-13-01", "holiday_name": "X"}, "holiday_date"),
        ({"holiday_date": "2025-10-02"}, "holiday_name"),
        ({"holiday_date": "2025-10-02", "holiday_name": "   "}, "holiday_name"),
        ({"holiday_date": "2025-10-02", "holiday_name": "x" * 101}, "holiday_name"),
        ({"holiday_date": "2025-10-02", "holiday_name": "X", "is_working_day": "maybe"}, "is_working_day"),
        ({"holiday_date": "2025-10-02", "holiday_name": "X", "colour": "red"}, "colour"),
    ],
)
def test_invalid_holidays_are_422(client, admin, body, field):
    response = client.post("/api/v1/admin/holidays", json=body, headers=admin["headers"])
    assert response.status_code == 422
    assert field in response.get_json()["details"]["fields"]


@pytest.mark.parametrize("query", ["year=1999", "year=abc", "limit=0", "limit=101", "offset=-1"])
def test_invalid_list_queries_are_422(client, admin, query):
    assert client.get(f"/api/v1/admin/holidays?{query}", headers=admin["headers"]).status_code == 422


@pytest.mark.parametrize("role", ["student", "parent", "teacher"])
def test_only_admins_manage_holidays(client, make_user, role):
    user = make_user(role)
    assert client.get("/api/v1/admin/holidays", headers=user["headers"]).status_code == 403
    body = {"holiday_date": "2030-01-01", "holiday_name": "New Year"}
    assert client.post("/api/v1/admin/holidays", json=body, headers=user["headers"]).status_code == 403
    assert client.delete(f"/api/v1/admin/holidays/{uuid.uuid4()}", headers=user["headers"]).status_code == 403


def test_deleting_an_unknown_holiday_is_404(client, admin):
    response = client.delete(f"/api/v1/admin/holidays/{uuid.uuid4()}", headers=admin["headers"])
    assert response.status_code == 404 and response.get_json()["error"] == "NOT_FOUND"


# --- deadlines already fixed never move -----------------------------------------------------


def _pending_exam_with_evaluation(database_url: str, student: dict, teacher: dict, deadline: datetime) -> str:
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        exam = conn.execute(
            "INSERT INTO exam_instances (student_user_id, template_id, exam_type, class, status, seed, "
            "exam_snapshot, total_marks, duration_minutes, started_at, submitted_at, sla_deadline) "
            "VALUES (%s, %s, 'board_exam', 'XII', 'pending_evaluation', 1, '{}', 80, 180, %s, %s, %s) "
            "RETURNING exam_instance_id",
            (
                student["user_id"],
                BOARD_XII_TEMPLATE,
                deadline - timedelta(days=3),
                deadline - timedelta(days=2),
                deadline,
            ),
        ).fetchone()["exam_instance_id"]
        conn.execute(
            "INSERT INTO evaluations (exam_instance_id, teacher_user_id, sla_deadline) VALUES (%s, %s, %s)",
            (exam, teacher["user_id"], deadline),
        )
    return str(exam)


def _deadlines(database_url: str, exam_id: str) -> tuple:
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        row = conn.execute(
            "SELECT e.sla_deadline AS exam_deadline, v.sla_deadline AS evaluation_deadline "
            "FROM exam_instances e JOIN evaluations v USING (exam_instance_id) WHERE e.exam_instance_id = %s",
            (exam_id,),
        ).fetchone()
    return row["exam_deadline"], row["evaluation_deadline"]


def test_a_holiday_added_later_does_not_move_an_existing_deadline(fresh_app, fresh_database_url, settings):
    client = fresh_app.test_client()
    admin = factory_make_user(fresh_app, "admin")
    student = factory_make_user(fresh_app, "student")
    teacher = factory_make_user(fresh_app, "teacher")
    # Fixed at confirmation: Thu 2031-01-09 14:00 IST.
    deadline = datetime(2031, 1, 9, 8, 30, tzinfo=UTC)
    exam_id = _pending_exam_with_evaluation(fresh_database_url, student, teacher, deadline)

    for day in ("2031-01-08", "2031-01-09"):
        response = client.post(
            "/api/v1/admin/holidays",
            json={"holiday_date": day, "holiday_name": "Unplanned closure"},
            headers=admin["headers"],
        )
        assert response.status_code == 201
    assert _deadlines(fresh_database_url, exam_id) == (deadline, deadline)

    # No periodic sweep recomputes a fixed deadline either.
    fresh_settings = dataclasses.replace(settings, database_url=fresh_database_url)
    for job in periodic_jobs():
        run_job(job.name, deadline - timedelta(hours=1), fresh_settings)
    assert _deadlines(fresh_database_url, exam_id) == (deadline, deadline)

    listed = client.get("/api/v1/admin/holidays?year=2031", headers=admin["headers"]).get_json()
    removed = [i for i in listed["items"] if i["holiday_name"] == "Unplanned closure"]
    for item in removed:
        assert (
            client.delete(f"/api/v1/admin/holidays/{item['holiday_id']}", headers=admin["headers"]).status_code == 204
        )
    assert _deadlines(fresh_database_url, exam_id) == (deadline, deadline)
