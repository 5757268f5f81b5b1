"""Plans, /subscriptions/me, admin grants and lists, cancellation and teacher sessions."""

from __future__ import annotations

import uuid
from datetime import timedelta

import psycopg
import pytest
from psycopg.rows import dict_row

from mathvidya import business_time
from mathvidya.billing import periods, service
from tests.factories import make_user as create_user

API = "/api/v1"


@pytest.fixture(scope="module")
def admin(app):
    return create_user(app, "admin")


@pytest.fixture(scope="module")
def teacher(app):
    return create_user(app, "teacher")


def grant(client, admin, student, plan_type="basic", billing_cycle="monthly", **extra):
    response = client.post(
        f"{API}/admin/subscriptions",
        json={
            "student_user_id": str(student["user_id"]),
            "plan_type": plan_type,
            "billing_cycle": billing_cycle,
            **extra,
        },
        headers=admin["headers"],
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def audit_rows(settings, event_type, resource_id):
    with psycopg.connect(settings.database_url, row_factory=dict_row) as conn:
        return conn.execute(
            "SELECT actor_user_id, actor_role, details FROM audit_logs WHERE event_type = %s AND resource_id = %s",
            (event_type, str(resource_id)),
        ).fetchall()


def error_of(response, status, code):
    assert response.status_code == status, response.get_json()
    body = response.get_json()
    assert body["error"] == code
    return body


# --- plans ----------------------------------------------------------------------------


def test_plans_are_public_with_prices_in_paise(client):
    response = client.get(f"{API}/subscriptions/plans")
    assert response.status_code == 200
    body = response.get_json()
    plans = {p["plan_type"]: p for p in body["items"]}
    assert {"basic", "premium_mcq", "premium", "centum"} <= set(plans)
    assert body["total"] >= 4 and body["limit"] == 20 and body["offset"] == 0
    assert plans["basic"]["plan_name"] == "Basic Plan"
    assert isinstance(plans["basic"]["monthly_price_paise"], int)
    assert plans["centum"]["teacher_hours_per_month"] is None
    assert plans["premium_mcq"]["manual_evaluation_included"] is False


def test_plans_refuse_a_bad_limit(client):
    response = client.get(f"{API}/subscriptions/plans?limit=0")
    assert "limit" in error_of(response, 422, "VALIDATION_ERROR")["details"]["fields"]


# --- /subscriptions/me ----------------------------------------------------------------


def test_me_without_a_subscription_is_200_with_nulls(client, make_user):
    student = make_user("student")
    response = client.get(f"{API}/subscriptions/me", headers=student["headers"])
    assert response.status_code == 200
    body = response.get_json()
    assert body["has_subscription"] is False
    assert body["subscription_id"] is None and body["plan_type"] is None and body["status"] is None
    assert (body["exams_used_this_month"], body["exams_limit_per_month"], body["exams_remaining"]) == (0, 0, 0)
    assert body["teacher_hours_limit"] == 0 and body["teacher_hours_unlimited"] is False
    assert body["leaderboard_eligible"] is False and body["period_resets_on"] is None


def test_me_shows_the_subscription_and_this_periods_usage(client, make_user, admin, frozen_business_clock):
    student = make_user("student")
    granted = grant(client, admin, student, "premium")
    today = business_time.business_date()
    with psycopg.connect(client.application.config["SETTINGS"].database_url, row_factory=dict_row) as conn:
        service.consume_exam_quota(conn, student["user_id"], today)
        service.consume_exam_quota(conn, student["user_id"], today)
        conn.commit()
    body = client.get(f"{API}/subscriptions/me", headers=student["headers"]).get_json()
    assert body["subscription_id"] == granted["subscription_id"]
    assert (body["plan_type"], body["plan_name"], body["status"]) == ("premium", "Premium Plan", "active")
    assert body["billing_cycle"] == "monthly"
    assert body["start_date"] == today.isoformat()
    assert body["end_date"] == periods.subscription_end_date(today, "monthly").isoformat()
    assert (body["exams_used_this_month"], body["exams_limit_per_month"], body["exams_remaining"]) == (2, 50, 48)
    assert (body["teacher_hours_used"], body["teacher_hours_limit"]) == (0, 1.0)
    assert body["leaderboard_eligible"] is True and body["sla_hours"] == 48
    billing_day = periods.billing_day_for(today)
    assert body["period_resets_on"] == periods.next_reset_date(billing_day, today).isoformat()
    assert body["next_subscription"] is None


def test_parent_sees_a_linked_child_and_admin_any_student(client, make_user, link_parent, admin):
    student, parent = make_user("student"), make_user("parent")
    link_parent(parent, student)
    grant(client, admin, student, "centum")
    url = f"{API}/subscriptions/me?student_id={student['user_id']}"
    body = client.get(url, headers=parent["headers"]).get_json()
    assert body["plan_type"] == "centum" and body["teacher_hours_limit"] is None and body["teacher_hours_unlimited"]
    assert body["sla_hours"] == 24
    assert client.get(url, headers=admin["headers"]).get_json()["plan_type"] == "centum"


def test_me_scope_refusals(client, make_user, link_parent, teacher):
    student, other_student, parent = make_user("student"), make_user("student"), make_user("parent")
    link_parent(parent, student)
    other_url = f"{API}/subscriptions/me?student_id={other_student['user_id']}"
    error_of(client.get(other_url, headers=parent["headers"]), 404, "NOT_FOUND")
    error_of(client.get(other_url, headers=student["headers"]), 404, "NOT_FOUND")
    error_of(client.get(f"{API}/subscriptions/me", headers=parent["headers"]), 422, "VALIDATION_ERROR")
    error_of(client.get(f"{API}/subscriptions/me?student_id=nope", headers=parent["headers"]), 422, "VALIDATION_ERROR")
    error_of(client.get(other_url, headers=teacher["headers"]), 403, "FORBIDDEN")


# --- admin grants and the list --------------------------------------------------------


def test_admin_grant_is_active_at_once_and_audited(client, make_user, admin, settings):
    student = make_user("student")
    body = grant(client, admin, student, "basic", "annual")
    today = business_time.business_date()
    assert body["status"] == "active" and body["plan_type"] == "basic" and body["billing_cycle"] == "annual"
    assert body["start_date"] == today.isoformat()
    assert body["end_date"] == periods.subscription_end_date(today, "annual").isoformat()
    assert body["billing_day_of_month"] == periods.billing_day_for(today)
    assert body["payment_provider"] == "manual" and body["amount_paid_paise"] == 0
    rows = audit_rows(settings, "subscription.created", body["subscription_id"])
    assert len(rows) == 1 and rows[0]["actor_role"] == "admin" and rows[0]["details"]["source"] == "admin_grant"


def test_overlapping_grant_is_409_subscription_overlap(client, make_user, admin):
    student = make_user("student")
    first = grant(client, admin, student, "basic")
    later = (business_time.business_date() + timedelta(days=10)).isoformat()
    response = client.post(
        f"{API}/admin/subscriptions",
        json={
            "student_user_id": str(student["user_id"]),
            "plan_type": "premium",
            "billing_cycle": "monthly",
            "start_date": later,
        },
        headers=admin["headers"],
    )
    error_of(response, 409, "SUBSCRIPTION_OVERLAP")
    # a grant starting where the first ends does not overlap ([start, end) ranges)
    grant(client, admin, student, "premium", start_date=first["end_date"])


def test_grant_refusals(client, make_user, admin):
    student, parent = make_user("student"), make_user("parent")
    url = f"{API}/admin/subscriptions"
    base = {"student_user_id": str(student["user_id"]), "plan_type": "basic", "billing_cycle": "monthly"}
    fields = error_of(
        client.post(url, json={**base, "plan_type": "gold"}, headers=admin["headers"]), 422, "VALIDATION_ERROR"
    )["details"]["fields"]
    assert "plan_type" in fields
    error_of(client.post(url, json={**base, "extra": 1}, headers=admin["headers"]), 422, "VALIDATION_ERROR")
    error_of(
        client.post(url, json={**base, "start_date": "2020-01-01"}, headers=admin["headers"]), 422, "VALIDATION_ERROR"
    )
    error_of(
        client.post(url, json={**base, "student_user_id": str(parent["user_id"])}, headers=admin["headers"]),
        404,
        "NOT_FOUND",
    )
    error_of(
        client.post(url, json={**base, "student_user_id": str(uuid.uuid4())}, headers=admin["headers"]),
        404,
        "NOT_FOUND",
    )
    error_of(client.post(url, json=base, headers=student["headers"]), 403, "FORBIDDEN")
    error_of(client.get(url, headers=parent["headers"]), 403, "FORBIDDEN")


def test_admin_list_filters_and_pages(client, make_user, admin):
    student = make_user("student")
    first = grant(client, admin, student, "basic")
    second = grant(client, admin, student, "premium", start_date=first["end_date"])
    url = f"{API}/admin/subscriptions?student_user_id={student['user_id']}"
    body = client.get(url, headers=admin["headers"]).get_json()
    assert body["total"] == 2 and {i["subscription_id"] for i in body["items"]} == {
        first["subscription_id"],
        second["subscription_id"],
    }
    assert body["items"][0]["student_email"] == student["email"]
    page = client.get(f"{url}&limit=1&offset=1", headers=admin["headers"]).get_json()
    assert (page["total"], page["limit"], page["offset"], len(page["items"])) == (2, 1, 1, 1)
    only_premium = client.get(f"{url}&plan_type=premium&status=active", headers=admin["headers"]).get_json()
    assert [i["subscription_id"] for i in only_premium["items"]] == [second["subscription_id"]]
    assert client.get(f"{url}&status=cancelled", headers=admin["headers"]).get_json()["total"] == 0
    error_of(client.get(f"{url}&status=gone", headers=admin["headers"]), 422, "VALIDATION_ERROR")
    error_of(client.get(f"{API}/admin/subscriptions?limit=101", headers=admin["headers"]), 422, "VALIDATION_ERROR")


# --- cancellation ---------------------------------------------------------------------


def test_owner_cancels_and_it_is_audited_and_idempotent(client, make_user, admin, settings):
    student = make_user("student")
    sub = grant(client, admin, student)
    url = f"{API}/subscriptions/{sub['subscription_id']}/cancel"
    response = client.post(url, json={"reason": "moving abroad"}, headers=student["headers"])
    assert response.status_code == 200
    assert response.get_json()["status"] == "cancelled" and response.get_json()["cancelled_at"]
    again = client.post(url, json={}, headers=student["headers"])
    assert again.status_code == 200 and again.get_json()["cancelled_at"] == response.get_json()["cancelled_at"]
    assert len(audit_rows(settings, "subscription.cancelled", sub["subscription_id"])) == 1
    assert client.get(f"{API}/subscriptions/me", headers=student["headers"]).get_json()["has_subscription"] is False
    grant(client, admin, student, "premium")  # the range is free again


def test_linked_parent_and_admin_may_cancel(client, make_user, link_parent, admin):
    student, parent = make_user("student"), make_user("parent")
    link_parent(parent, student)
    sub = grant(client, admin, student)
    assert (
        client.post(
            f"{API}/subscriptions/{sub['subscription_id']}/cancel", json={}, headers=parent["headers"]
        ).status_code
        == 200
    )
    other = make_user("student")
    sub2 = grant(client, admin, other)
    assert (
        client.post(
            f"{API}/subscriptions/{sub2['subscription_id']}/cancel", json={}, headers=admin["headers"]
        ).get_json()["status"]
        == "cancelled"
    )


def test_cancel_refusals(client, make_user, link_parent, admin, teacher, settings):
    student, stranger, stranger_parent = make_user("student"), make_user("student"), make_user("parent")
    link_parent(stranger_parent, stranger)
    sub = grant(client, admin, student)
    url = f"{API}/subscriptions/{sub['subscription_id']}/cancel"
    error_of(client.post(url, json={}, headers=stranger["headers"]), 404, "NOT_FOUND")
    error_of(client.post(url, json={}, headers=stranger_parent["headers"]), 404, "NOT_FOUND")
    error_of(client.post(url, json={}, headers=teacher["headers"]), 403, "FORBIDDEN")
    error_of(
        client.post(f"{API}/subscriptions/{uuid.uuid4()}/cancel", json={}, headers=admin["headers"]), 404, "NOT_FOUND"
    )
    error_of(client.post(url, json={"why": "x"}, headers=student["headers"]), 422, "VALIDATION_ERROR")
    with psycopg.connect(settings.database_url) as conn:
        conn.execute(
            "UPDATE subscriptions SET status = 'expired' WHERE subscription_id = %s", (sub["subscription_id"],)
        )
    error_of(client.post(url, json={}, headers=student["headers"]), 409, "SUBSCRIPTION_NOT_ACTIVE")


# --- teacher sessions -----------------------------------------------------------------


def record(client, user, student, minutes, **extra):
    return client.post(
        f"{API}/teacher-sessions",
        json={"student_user_id": str(student["user_id"]), "minutes": minutes, **extra},
        headers=user["headers"],
    )


def test_teacher_hours_count_against_the_plan_until_the_limit(client, make_user, admin, teacher, settings):
    student = make_user("student")
    grant(client, admin, student, "basic")  # 1 hour per period
    first = record(client, teacher, student, 30, notes="Integrals doubts")
    assert first.status_code == 201, first.get_json()
    body = first.get_json()
    assert (body["minutes"], body["notes"], body["teacher_hours_used"], body["teacher_hours_limit"]) == (
        30,
        "Integrals doubts",
        0.5,
        1.0,
    )
    assert body["teacher_user_id"] == str(teacher["user_id"])
    assert len(audit_rows(settings, "teacher_session.recorded", body["session_id"])) == 1
    me = client.get(f"{API}/subscriptions/me", headers=student["headers"]).get_json()
    assert (me["teacher_hours_used"], me["teacher_hours_limit"]) == (0.5, 1.0)

    refused = error_of(record(client, admin, student, 40), 403, "TEACHER_HOURS_EXCEEDED")
    assert refused["details"]["used"] == 0.5 and refused["details"]["limit"] == 1.0
    assert refused["details"]["requested_minutes"] == 40
    assert record(client, admin, student, 30).get_json()["teacher_hours_used"] == 1.0  # exactly the limit
    error_of(record(client, teacher, student, 1), 403, "TEACHER_HOURS_EXCEEDED")


def test_plan_without_teacher_hours_refuses_and_centum_is_unlimited(client, make_user, admin, teacher):
    mcq_student, centum_student = make_user("student"), make_user("student")
    grant(client, admin, mcq_student, "premium_mcq")
    grant(client, admin, centum_student, "centum")
    refused = error_of(record(client, teacher, mcq_student, 10), 403, "TEACHER_HOURS_EXCEEDED")
    assert refused["details"]["limit"] == 0
    for _ in range(3):
        response = record(client, teacher, centum_student, 600)
        assert response.status_code == 201
    assert response.get_json()["teacher_hours_used"] == 30.0 and response.get_json()["teacher_hours_limit"] is None


def test_teacher_session_refusals(client, make_user, teacher):
    student, parent = make_user("student"), make_user("parent")
    error_of(record(client, teacher, student, 30), 403, "SUBSCRIPTION_REQUIRED")
    error_of(record(client, teacher, parent, 30), 404, "NOT_FOUND")
    fields = error_of(record(client, teacher, student, 0), 422, "VALIDATION_ERROR")["details"]["fields"]
    assert "minutes" in fields
    error_of(record(client, teacher, student, 601), 422, "VALIDATION_ERROR")
    error_of(record(client, teacher, student, "30"), 422, "VALIDATION_ERROR")
    error_of(record(client, student, student, 30), 403, "FORBIDDEN")
    error_of(record(client, parent, student, 30), 403, "FORBIDDEN")
