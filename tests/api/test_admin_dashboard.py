"""GET /admin/dashboard: every figure against a small known data set on a database of its
own (period 2026-03-01 … 2026-03-07, India dates), the period rules, and the role rule."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import psycopg
import pytest
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from mathvidya import business_time
from mathvidya.questions.template_defaults import default_templates
from tests.factories import make_user

IST = ZoneInfo("Asia/Kolkata")
BOARD_XII = next(
    t["template_id"] for t in default_templates() if t["class"] == "XII" and t["exam_type"] == "board_exam"
)
URL = "/api/v1/admin/dashboard"
PERIOD = {"from": "2026-03-01", "to": "2026-03-07"}


def ist(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=IST)


@pytest.fixture
def world(fresh_app, fresh_database_url):
    """An app on an empty database of this test's own."""
    return SimpleNamespace(
        app=fresh_app, client=fresh_app.test_client(), settings=fresh_app.config["SETTINGS"], url=fresh_database_url
    )


def user(conn, role, first="T", last="User") -> uuid.UUID:
    return conn.execute(
        "INSERT INTO users (email, password_hash, role, first_name, last_name, student_class) "
        "VALUES (%s, 'x', %s, %s, %s, %s) RETURNING user_id",
        (f"{role}-{uuid.uuid4().hex[:10]}@example.com", role, first, last, "XII" if role == "student" else None),
    ).fetchone()["user_id"]


def subscription(conn, student, plan, start: date, end: date, created_at: datetime, paid: int) -> uuid.UUID:
    return conn.execute(
        "INSERT INTO subscriptions (student_user_id, plan_id, status, start_date, end_date, billing_day_of_month, "
        "amount_paid_paise, created_at) SELECT %s, plan_id, 'active', %s, %s, %s, %s, %s FROM subscription_plans "
        "WHERE plan_type = %s RETURNING subscription_id",
        (student, start, end, min(start.day, 28), paid, created_at, plan),
    ).fetchone()["subscription_id"]


def exam(conn, student, exam_type, started_at, submitted_at=None, subscription_id=None) -> uuid.UUID:
    status = "pending_evaluation" if submitted_at else "in_progress"
    return conn.execute(
        "INSERT INTO exam_instances (student_user_id, template_id, subscription_id, exam_type, class, status, seed, "
        "exam_snapshot, total_marks, duration_minutes, started_at, submitted_at, sla_deadline) "
        "VALUES (%s, %s, %s, %s, 'XII', %s, 1, %s, 80, 180, %s, %s, %s) RETURNING exam_instance_id",
        (
            student,
            BOARD_XII,
            subscription_id,
            exam_type,
            status,
            Jsonb({"questions": []}),
            started_at,
            submitted_at,
            submitted_at + timedelta(days=2) if submitted_at else None,
        ),
    ).fetchone()["exam_instance_id"]


def evaluation(conn, exam_id, teacher, deadline, completed_at=None) -> None:
    conn.execute(
        "INSERT INTO evaluations (exam_instance_id, teacher_user_id, status, assigned_at, sla_deadline, completed_at) "
        "VALUES (%s, %s, %s, %s, %s, %s)",
        (
            exam_id,
            teacher,
            "completed" if completed_at else "assigned",
            deadline - timedelta(days=2),
            deadline,
            completed_at,
        ),
    )


@pytest.fixture
def known(world):
    """Three students, two teachers, five exams, two evaluations, three subscriptions."""
    today = date.today()
    with psycopg.connect(world.url, row_factory=dict_row, autocommit=True) as conn:
        s1, s2, s3 = (user(conn, "student") for _ in range(3))
        t1 = user(conn, "teacher", "Asha", "Rao")
        t2 = user(conn, "teacher", "Vikram", "Sen")
        premium = subscription(
            conn, s1, "premium", today - timedelta(days=1), today + timedelta(days=5), ist("2026-03-02T11:00"), 99900
        )
        subscription(
            conn, s2, "centum", today - timedelta(days=1), today + timedelta(days=100), ist("2026-03-03T09:00"), 149900
        )
        subscription(
            conn, s3, "basic", today - timedelta(days=10), today + timedelta(days=20), ist("2026-01-01T09:00"), 29900
        )
        # Mon 2026-03-02: s1's board paper (handed in at 13:00) and s2's MCQ drill.
        first = exam(conn, s1, "board_exam", ist("2026-03-02T10:00"), ist("2026-03-02T13:00"), premium)
        exam(conn, s2, "section_mcq", ist("2026-03-02T16:00"), ist("2026-03-02T16:30"))
        # Thu 2026-03-05: s2 starts a board paper, not handed in.
        exam(conn, s2, "board_exam", ist("2026-03-05T09:00"))
        # s3: started before the period, handed in on its first day; and one started after it.
        late = exam(conn, s3, "board_exam", ist("2026-02-28T22:00"), ist("2026-03-01T00:30"))
        exam(conn, s3, "section_vsa", ist("2026-03-08T00:10"))
        # t1 completed s1's paper Tue 13:00: Mon 13–18 + Tue 9–13 = 9 working hours, on time.
        evaluation(conn, first, t1, ist("2026-03-04T13:00"), ist("2026-03-03T13:00"))
        # t2 still holds s3's paper, past its deadline.
        evaluation(conn, late, t2, ist("2026-03-03T12:00"))
    return SimpleNamespace(s1=s1, s2=s2, s3=s3, t1=t1, t2=t2)


def test_admin_dashboard_counts_a_known_data_set(world, known):
    admin = make_user(world.app, "admin")
    response = world.client.get(URL, query_string=PERIOD, headers=admin["headers"])
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["period"] == {"from": "2026-03-01", "to": "2026-03-07"}
    assert body["students"] == {"active_students": 2, "subscribed_students": 3, "student_accounts": 3}

    exams = body["exams"]
    assert exams["started"] == 3 and exams["finished"] == 3
    assert exams["by_type"] == [
        {"exam_type": "board_exam", "started": 2, "finished": 2},
        {"exam_type": "section_mcq", "started": 1, "finished": 1},
    ]
    assert exams["by_day"] == [
        {"day": "2026-03-01", "exam_type": "board_exam", "started": 0, "finished": 1},
        {"day": "2026-03-02", "exam_type": "board_exam", "started": 1, "finished": 1},
        {"day": "2026-03-02", "exam_type": "section_mcq", "started": 1, "finished": 1},
        {"day": "2026-03-05", "exam_type": "board_exam", "started": 1, "finished": 0},
    ]

    evaluations = body["evaluations"]
    assert evaluations["open"] == 1 and evaluations["completed_in_period"] == 1
    assert evaluations["average_turnaround_working_hours"] == 9.0
    assert evaluations["by_teacher"] == [
        {
            "teacher_user_id": str(known.t2),
            "teacher_name": "Vikram Sen",
            "open_evaluations": 1,
            "in_progress": 0,
            "past_deadline": 1,
            "completed_in_period": 0,
            "average_turnaround_working_hours": None,
        },
        {
            "teacher_user_id": str(known.t1),
            "teacher_name": "Asha Rao",
            "open_evaluations": 0,
            "in_progress": 0,
            "past_deadline": 0,
            "completed_in_period": 1,
            "average_turnaround_working_hours": 9.0,
        },
    ]

    assert body["sla_compliance"]["summary"] == {
        "total_evaluations": 2,
        "on_time": 1,
        "breached": 1,
        "compliance_rate": 50.0,
    }

    plans = {p["plan_type"]: p for p in body["subscriptions"]["by_plan"]}
    assert plans["premium"] == {
        "plan_type": "premium",
        "plan_name": "Premium Plan",
        "active": 1,
        "new_in_period": 1,
        "expiring_within_7_days": 1,
        "revenue_paise": 99900,
    }
    assert (plans["centum"]["active"], plans["centum"]["new_in_period"], plans["centum"]["expiring_within_7_days"]) == (
        1,
        1,
        0,
    )
    assert (plans["basic"]["active"], plans["basic"]["new_in_period"], plans["basic"]["revenue_paise"]) == (1, 0, 0)
    assert plans["premium_mcq"]["active"] == 0
    subs = body["subscriptions"]
    assert (subs["active"], subs["new_in_period"], subs["expiring_within_7_days"]) == (3, 2, 1)
    assert body["revenue"]["total_paise"] == 249800
    assert {p["plan_type"]: p["revenue_paise"] for p in body["revenue"]["by_plan"]} == {
        "basic": 0,
        "premium_mcq": 0,
        "premium": 99900,
        "centum": 149900,
    }


def test_a_period_without_activity_is_all_zero(world, known):
    admin = make_user(world.app, "admin")
    body = world.client.get(
        URL, query_string={"from": "2025-01-01", "to": "2025-01-31"}, headers=admin["headers"]
    ).get_json()
    assert body["students"]["active_students"] == 0
    assert body["exams"] == {"started": 0, "finished": 0, "by_type": [], "by_day": []}
    assert body["evaluations"]["completed_in_period"] == 0 and body["evaluations"]["open"] == 1
    assert body["sla_compliance"]["summary"]["compliance_rate"] is None
    assert body["revenue"]["total_paise"] == 0


def test_the_period_defaults_to_the_last_30_days(client, make_user):
    admin = make_user("admin")
    # one second before midnight in India (18:29:59 UTC): the period ends on the India date
    with business_time.frozen_at(datetime(2026, 3, 10, 23, 59, 59, tzinfo=IST)):
        body = client.get(URL, headers=admin["headers"]).get_json()
    assert body["period"] == {"from": "2026-02-09", "to": "2026-03-10"}
    with business_time.frozen_at(datetime(2026, 3, 11, 0, 0, 0, tzinfo=IST)):
        body = client.get(URL, headers=admin["headers"]).get_json()
    assert body["period"] == {"from": "2026-02-10", "to": "2026-03-11"}
    only_from = client.get(URL, query_string={"from": "2026-01-01"}, headers=make_user("admin")["headers"])
    assert only_from.get_json()["period"] == {"from": "2026-01-01", "to": "2026-01-30"}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2026-03-08", "to": "2026-03-01"}, "to"),
        ({"from": "2025-01-01", "to": "2026-03-01"}, "to"),
        ({"from": "yesterday"}, "from"),
        ({"to": "2026-02-30"}, "to"),
    ],
)
def test_bad_periods_are_422(client, make_user, query, field):
    response = client.get(URL, query_string=query, headers=make_user("admin")["headers"])
    assert response.status_code == 422
    assert response.get_json()["error"] == "VALIDATION_ERROR" and field in response.get_json()["details"]["fields"]


@pytest.mark.parametrize("role", ["student", "parent", "teacher"])
def test_only_admins_see_the_admin_dashboard(client, make_user, role):
    response = client.get(URL, headers=make_user(role)["headers"])
    assert response.status_code == 403 and response.get_json()["error"] == "FORBIDDEN"
