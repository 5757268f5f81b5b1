"""GET /admin/reports/sla-compliance and GET /analytics/teacher, on hand-made evaluations.

The report's rows are exams submitted in March 2020 (no other test submits then), so the
numbers are exact. Each test deletes the evaluations it made."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from psycopg.types.json import Jsonb

from mathvidya.errors import ValidationFailed
from mathvidya.evaluations.reports import average_hours, compliance_rate, percentage, period_bounds
from tests.exam_fixtures import connect, make_template, private_unit, section

IST = ZoneInfo("Asia/Kolkata")
REPORT = "/api/v1/admin/reports/sla-compliance"
ANALYTICS = "/api/v1/analytics/teacher"


def ist(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=IST)


# --- pure rules --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "on_time,breached,rate",
    [
        (0, 0, None),
        (3, 0, Decimal("100.00")),
        (0, 5, Decimal("0.00")),
        (4, 3, Decimal("57.14")),
        (2, 1, Decimal("66.67")),
        (1, 31, Decimal("3.13")),  # 3.125: half up, not to even
        (1, 7, Decimal("12.50")),
    ],
)
def test_compliance_rate(on_time, breached, rate):
    assert compliance_rate(on_time, breached) == rate


def test_percentage_and_average_hours_round_half_up():
    assert percentage(1, 8) == Decimal("12.50") and percentage(0, 0) is None
    assert average_hours([]) is None
    assert average_hours([180, 60, 120]) == Decimal("2.00")
    assert average_hours([1]) == Decimal("0.02")  # 0.01666… → 0.02
    assert average_hours([3]) == Decimal("0.05")  # 0.05 exactly


def test_period_bounds_are_whole_days_in_india():
    start, end = period_bounds(date(2020, 3, 1), date(2020, 3, 31))
    assert start == ist("2020-03-01T00:00") and end == ist("2020-04-01T00:00")
    assert start.astimezone(UTC) == datetime(2020, 2, 29, 18, 30, tzinfo=UTC)
    assert period_bounds(date(2024, 1, 1), date(2024, 12, 31))  # 366 days, a leap year: allowed
    assert period_bounds(date(2023, 1, 1), date(2024, 1, 1))  # 366 days counting both ends


@pytest.mark.parametrize("start,end", [(date(2020, 3, 2), date(2020, 3, 1)), (date(2023, 1, 1), date(2024, 1, 2))])
def test_period_bounds_refuse_reversed_or_longer_than_366_days(start, end):
    with pytest.raises(ValidationFailed) as refused:
        period_bounds(start, end)
    assert "end_date" in refused.value.details["fields"]


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture
def make_evaluation(app):
    """make_evaluation(student, teacher, submitted_at=…, deadline=…, status=…, completed_at=…,
    subscription_id=…) → the evaluation row, made by SQL with its exam."""
    template = make_template(app, [section("B", "VSA", 1, {private_unit("report"): 1.0})])
    made = []

    def make(student, teacher, *, submitted_at, deadline, status="assigned", completed_at=None, subscription_id=None):
        with connect(app) as conn, conn.transaction():
            exam = conn.execute(
                "INSERT INTO exam_instances (student_user_id, template_id, subscription_id, exam_type, class, "
                "status, seed, exam_snapshot, total_marks, duration_minutes, submitted_at, sla_deadline) VALUES "
                "(%s, %s, %s, 'board_exam', 'XII', %s, 1, %s, 2, 30, %s, %s) RETURNING exam_instance_id",
                (
                    student["user_id"],
                    template,
                    subscription_id,
                    "evaluated" if status == "completed" else "pending_evaluation",
                    Jsonb({"template": {"template_name": "Report test"}, "questions": []}),
                    submitted_at,
                    deadline,
                ),
            ).fetchone()["exam_instance_id"]
            row = conn.execute(
                "INSERT INTO evaluations (exam_instance_id, teacher_user_id, status, assigned_at, started_at, "
                "completed_at, sla_deadline) VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING *",
                (
                    exam,
                    teacher["user_id"],
                    status,
                    submitted_at + timedelta(minutes=5),
                    submitted_at + timedelta(minutes=30) if status != "assigned" else None,
                    completed_at,
                    deadline,
                ),
            ).fetchone()
        made.append(exam)
        return row

    yield make
    with connect(app) as conn:
        conn.execute("DELETE FROM exam_instances WHERE exam_instance_id = ANY(%s)", (made,))


def old_subscription(app, student, plan_type) -> uuid.UUID:
    """An expired 2020 subscription: the plan an exam of that time was taken under."""
    with connect(app) as conn:
        return conn.execute(
            "INSERT INTO subscriptions (student_user_id, plan_id, status, billing_cycle, start_date, end_date, "
            "billing_day_of_month) SELECT %s, plan_id, 'expired', 'monthly', '2020-02-01', '2020-05-01', 1 "
            "FROM subscription_plans WHERE plan_type = %s RETURNING subscription_id",
            (student["user_id"], plan_type),
        ).fetchone()["subscription_id"]


@pytest.fixture
def march_2020(app, make_user, make_evaluation):
    """Ten evaluations around March 2020: eight submitted in the month (IST dates)."""
    student = make_user("student", signed_in=False)
    asha = make_user("teacher", first_name="Asha", last_name="Rao", signed_in=False)
    bala = make_user("teacher", first_name="Bala", last_name="Iyer", signed_in=False)
    premium, centum = old_subscription(app, student, "premium"), old_subscription(app, student, "centum")
    future = datetime.now(UTC) + timedelta(days=2)

    def ev(teacher, plan, submitted, deadline, status="completed", completed=None):
        return make_evaluation(
            student,
            teacher,
            submitted_at=ist(submitted),
            deadline=ist(deadline) if isinstance(deadline, str) else deadline,
            status=status,
            completed_at=ist(completed) if completed else None,
            subscription_id=plan,
        )

    # asha: on time, on time exactly at the deadline, late (centum), late (submitted 00:10 IST on 1 March)
    ev(asha, premium, "2020-03-02T10:00", "2020-03-04T10:00", completed="2020-03-03T15:00")
    ev(asha, premium, "2020-03-03T10:00", "2020-03-05T10:00", completed="2020-03-05T10:00")
    ev(asha, centum, "2020-03-04T10:00", "2020-03-05T12:00", completed="2020-03-05T12:01")
    ev(asha, premium, "2020-03-01T00:10", "2020-03-04T13:00", completed="2020-03-06T11:00")
    # bala: open past the deadline (centum), open with the deadline ahead, on time at 23:30 IST on
    # 31 March (UTC 18:00), on time without a subscription
    ev(bala, centum, "2020-03-05T10:00", "2020-03-06T10:00", status="assigned")
    ev(bala, premium, "2020-03-10T10:00", future, status="in_progress")
    ev(bala, premium, "2020-03-31T23:30", "2020-04-03T10:00", completed="2020-04-02T10:00")
    ev(bala, None, "2020-03-12T10:00", "2020-03-14T10:00", completed="2020-03-13T10:00")
    # outside the month in India though inside it in UTC (and the other way round)
    ev(asha, premium, "2020-04-01T00:05", "2020-04-03T10:00", status="assigned")
    ev(bala, premium, "2020-02-29T23:50", "2020-03-03T10:00", completed="2020-03-05T10:00")
    return {"asha": asha, "bala": bala}


# --- the report --------------------------------------------------------------------------------


def test_report_counts_exactly_the_evaluations_of_the_period(client, make_user, march_2020):
    admin = make_user("admin")
    response = client.get(f"{REPORT}?start_date=2020-03-01&end_date=2020-03-31", headers=admin["headers"])
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["period"] == {"start_date": "2020-03-01", "end_date": "2020-03-31"}
    assert body["summary"] == {"total_evaluations": 8, "on_time": 4, "breached": 3, "compliance_rate": 57.14}
    assert body["by_plan"] == [
        {"plan_type": "premium", "total_evaluations": 5, "on_time": 3, "breached": 1, "compliance_rate": 75.0},
        {"plan_type": "centum", "total_evaluations": 2, "on_time": 0, "breached": 2, "compliance_rate": 0.0},
        {"plan_type": None, "total_evaluations": 1, "on_time": 1, "breached": 0, "compliance_rate": 100.0},
    ]
    assert body["by_teacher"] == [
        {
            "teacher_user_id": str(march_2020["asha"]["user_id"]),
            "teacher_name": "Asha Rao",
            "total_evaluations": 4,
            "on_time": 2,
            "breached": 2,
            "compliance_rate": 50.0,
        },
        {
            "teacher_user_id": str(march_2020["bala"]["user_id"]),
            "teacher_name": "Bala Iyer",
            "total_evaluations": 4,
            "on_time": 2,
            "breached": 1,
            "compliance_rate": 66.67,
        },
    ]


def test_a_single_day_and_an_empty_period(client, make_user, march_2020):
    admin = make_user("admin")
    day = client.get(f"{REPORT}?start_date=2020-03-31&end_date=2020-03-31", headers=admin["headers"]).get_json()
    assert day["summary"] == {"total_evaluations": 1, "on_time": 1, "breached": 0, "compliance_rate": 100.0}
    assert [t["teacher_name"] for t in day["by_teacher"]] == ["Bala Iyer"]
    empty = client.get(f"{REPORT}?start_date=2001-01-01&end_date=2001-12-31", headers=admin["headers"]).get_json()
    assert empty["summary"] == {"total_evaluations": 0, "on_time": 0, "breached": 0, "compliance_rate": None}
    assert empty["by_plan"] == [] and empty["by_teacher"] == []


@pytest.mark.parametrize(
    "query,field",
    [
        ("start_date=2020-03-31&end_date=2020-03-01", "end_date"),
        ("start_date=2019-01-01&end_date=2020-01-02", "end_date"),
        ("end_date=2020-03-01", "start_date"),
        ("start_date=2020-03-01", "end_date"),
        ("start_date=2020-02-30&end_date=2020-03-01", "start_date"),
        ("start_date=yesterday&end_date=2020-03-01", "start_date"),
    ],
)
def test_report_refuses_bad_periods_with_422(client, make_user, query, field):
    admin = make_user("admin")
    response = client.get(f"{REPORT}?{query}", headers=admin["headers"])
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "VALIDATION_ERROR" and field in body["details"]["fields"]


@pytest.mark.parametrize("role", ["student", "parent", "teacher"])
def test_report_is_for_admins_only(client, make_user, role):
    response = client.get(f"{REPORT}?start_date=2020-03-01&end_date=2020-03-31", headers=make_user(role)["headers"])
    assert response.status_code == 403 and response.get_json()["error"] == "FORBIDDEN"


# --- a teacher's own figures -------------------------------------------------------------------


def working_day_back(app, days: int) -> date:
    """The date `days` ago, moved earlier until it is a Monday–Saturday that is not a holiday."""
    day = datetime.now(IST).date() - timedelta(days=days)
    with connect(app) as conn:
        while True:
            off = conn.execute(
                "SELECT 1 FROM holidays WHERE holiday_date = %s AND NOT is_working_day", (day,)
            ).fetchone()
            if day.weekday() < 6 and off is None:
                return day
            day -= timedelta(days=1)


def at(day: date, clock: str) -> datetime:
    return datetime.fromisoformat(f"{day.isoformat()}T{clock}").replace(tzinfo=IST)


def test_teacher_sees_own_workload_turnaround_and_breach_rate(app, client, make_user, make_evaluation):
    student, teacher = make_user("student", signed_in=False), make_user("teacher")
    now = datetime.now(UTC)
    d10, d20, d40, d100 = (working_day_back(app, n) for n in (10, 20, 40, 100))

    def done(day, submitted, deadline, completed):
        make_evaluation(
            student,
            teacher,
            submitted_at=at(day, submitted),
            deadline=at(day, deadline),
            status="completed",
            completed_at=at(day, completed),
        )

    done(d10, "10:00", "17:00", "13:00")  # 180 working minutes, on time
    done(d20, "10:00", "10:30", "11:00")  # 60, late
    done(d40, "10:00", "17:00", "12:00")  # 120, on time (older than 30 days)
    done(d100, "10:00", "10:30", "17:00")  # older than 90 days: counted in `completed` only
    overdue = now - timedelta(hours=1)
    for deadline, status in (
        (now + timedelta(days=1), "assigned"),
        (overdue, "in_progress"),
        (now + timedelta(days=3), "assigned"),
    ):
        make_evaluation(student, teacher, submitted_at=now - timedelta(days=2), deadline=deadline, status=status)

    response = client.get(ANALYTICS, headers=teacher["headers"])
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert datetime.fromisoformat(body.pop("next_deadline")) == overdue  # overdue ones come first
    assert body == {
        "open_evaluations": 3,
        "in_progress": 1,
        "completed": 4,
        "completed_last_30_days": 2,
        "average_turnaround_working_hours": 2.0,
        "breach_rate": 50.0,  # (1 late + 1 open past deadline) / (3 completed + 1 open past deadline)
    }

    other = make_user("teacher")
    empty = client.get(ANALYTICS, headers=other["headers"]).get_json()
    assert empty == {
        "open_evaluations": 0,
        "in_progress": 0,
        "completed": 0,
        "completed_last_30_days": 0,
        "average_turnaround_working_hours": None,
        "breach_rate": None,
        "next_deadline": None,
    }


def test_turnaround_counts_working_hours_only(app, client, make_user, make_evaluation):
    """Submitted at 17:00 on a working day, completed at 10:00 on the next: 2 working hours."""
    student, teacher = make_user("student", signed_in=False), make_user("teacher")
    first = working_day_back(app, 15)
    second = first + timedelta(days=1)
    while second.weekday() == 6 or working_day_back(app, (datetime.now(IST).date() - second).days) != second:
        second += timedelta(days=1)
    make_evaluation(
        student,
        teacher,
        submitted_at=at(first, "17:00"),
        deadline=at(second, "17:00"),
        status="completed",
        completed_at=at(second, "10:00"),
    )
    body = client.get(ANALYTICS, headers=teacher["headers"]).get_json()
    assert body["average_turnaround_working_hours"] == 2.0 and body["breach_rate"] == 0.0


@pytest.mark.parametrize("role", ["student", "parent", "admin"])
def test_teacher_analytics_is_for_teachers_only(client, make_user, role):
    response = client.get(ANALYTICS, headers=make_user(role)["headers"])
    assert response.status_code == 403 and response.get_json()["error"] == "FORBIDDEN"


def test_teacher_analytics_never_shows_another_teachers_figures(client, make_user, make_evaluation):
    student, busy, caller = make_user("student", signed_in=False), make_user("teacher"), make_user("teacher")
    now = datetime.now(UTC)
    make_evaluation(student, busy, submitted_at=now - timedelta(days=1), deadline=now + timedelta(days=1))
    response = client.get(f"{ANALYTICS}?teacher_user_id={busy['user_id']}", headers=caller["headers"])
    assert response.status_code == 200
    assert response.get_json()["open_evaluations"] == 0
    assert client.get(ANALYTICS, headers=busy["headers"]).get_json()["open_evaluations"] == 1
