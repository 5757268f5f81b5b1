"""Purchases: orders priced from the plan row, Idempotency-Key, and Razorpay-style
signature verification (valid, invalid, replayed) with real HMAC-SHA256 signatures."""

from __future__ import annotations

import hashlib
import hmac
import re
import uuid

import psycopg
import pytest
from psycopg.rows import dict_row

from mathvidya import business_time
from mathvidya.billing import periods

API = "/api/v1"


def sign(settings, order_id: str, payment_id: str) -> str:
    return hmac.new(
        settings.razorpay_key_secret.encode(), f"{order_id}|{payment_id}".encode(), hashlib.sha256
    ).hexdigest()


def order(client, user, student, plan_type="basic", billing_cycle="monthly", headers=None):
    return client.post(
        f"{API}/payments/orders",
        json={"student_user_id": str(student["user_id"]), "plan_type": plan_type, "billing_cycle": billing_cycle},
        headers={**user["headers"], **(headers or {})},
    )


def verify(client, user, order_id, payment_id, signature):
    return client.post(
        f"{API}/payments/verify",
        json={"razorpay_order_id": order_id, "razorpay_payment_id": payment_id, "razorpay_signature": signature},
        headers=user["headers"],
    )


def pay(client, settings, user, student, plan_type="basic", billing_cycle="monthly"):
    created = order(client, user, student, plan_type, billing_cycle)
    assert created.status_code == 201, created.get_json()
    order_id = created.get_json()["order_id"]
    payment_id = "pay_" + uuid.uuid4().hex[:14]
    response = verify(client, user, order_id, payment_id, sign(settings, order_id, payment_id))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def db_rows(settings, sql, *params):
    with psycopg.connect(settings.database_url, row_factory=dict_row) as conn:
        return conn.execute(sql, params).fetchall()


def plan_prices(settings, plan_type):
    return db_rows(
        settings,
        "SELECT monthly_price_paise, annual_price_paise FROM subscription_plans WHERE plan_type = %s",
        plan_type,
    )[0]


def error_of(response, status, code):
    assert response.status_code == status, response.get_json()
    assert response.get_json()["error"] == code
    return response.get_json()


# --- orders ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("plan_type", "cycle", "column"),
    [("basic", "monthly", "monthly_price_paise"), ("premium", "annual", "annual_price_paise")],
)
def test_student_orders_a_plan_priced_from_the_plan_row(client, make_user, settings, plan_type, cycle, column):
    student = make_user("student")
    response = order(client, student, student, plan_type, cycle)
    assert response.status_code == 201
    body = response.get_json()
    assert re.fullmatch(r"order_[0-9A-Za-z]{14}", body["order_id"])
    assert body["amount"] == plan_prices(settings, plan_type)[column]
    assert (body["currency"], body["key_id"], body["status"]) == ("INR", settings.razorpay_key_id, "created")
    assert (body["student_user_id"], body["plan_type"], body["billing_cycle"]) == (
        str(student["user_id"]),
        plan_type,
        cycle,
    )
    stored = db_rows(settings, "SELECT * FROM payment_orders WHERE gateway_order_id = %s", body["order_id"])
    assert len(stored) == 1 and stored[0]["amount_paise"] == body["amount"] and stored[0]["status"] == "created"


def test_linked_parent_orders_for_a_child_but_not_for_another(client, make_user, link_parent):
    student, other, parent = make_user("student"), make_user("student"), make_user("parent")
    link_parent(parent, student)
    assert order(client, parent, student).status_code == 201
    error_of(order(client, parent, other), 404, "NOT_FOUND")
    error_of(order(client, student, other), 404, "NOT_FOUND")


def test_order_refusals(client, make_user):
    student, teacher, admin = make_user("student"), make_user("teacher"), make_user("admin")
    fields = error_of(order(client, student, student, plan_type="gold"), 422, "VALIDATION_ERROR")["details"]["fields"]
    assert "plan_type" in fields
    assert (
        "billing_cycle"
        in error_of(order(client, student, student, billing_cycle="weekly"), 422, "VALIDATION_ERROR")["details"][
            "fields"
        ]
    )
    response = client.post(
        f"{API}/payments/orders",
        json={
            "plan_type": "basic",
            "billing_cycle": "monthly",
            "student_user_id": str(student["user_id"]),
            "amount": 1,
        },
        headers=student["headers"],
    )
    assert "amount" in error_of(response, 422, "VALIDATION_ERROR")["details"]["fields"]
    error_of(order(client, teacher, student), 403, "FORBIDDEN")
    error_of(order(client, admin, student), 403, "FORBIDDEN")


def test_idempotency_key_returns_the_first_order(client, make_user, settings):
    student = make_user("student")
    key = {"Idempotency-Key": uuid.uuid4().hex}
    first = order(client, student, student, headers=key)
    second = order(client, student, student, headers=key)
    assert first.status_code == second.status_code == 201
    assert first.get_json() == second.get_json()
    assert len(db_rows(settings, "SELECT 1 FROM payment_orders WHERE student_user_id = %s", student["user_id"])) == 1
    reused = order(client, student, student, plan_type="premium", headers=key)
    error_of(reused, 409, "IDEMPOTENCY_KEY_REUSED")
    assert order(client, student, student).get_json()["order_id"] != first.get_json()["order_id"]  # no key: new


# --- verification ---------------------------------------------------------------------


def test_valid_signature_activates_the_subscription_once(client, make_user, settings, frozen_business_clock):
    student = make_user("student")
    created = order(client, student, student, "premium", "annual").get_json()
    payment_id = "pay_" + uuid.uuid4().hex[:14]
    signature = sign(settings, created["order_id"], payment_id)
    response = verify(client, student, created["order_id"], payment_id, signature)
    assert response.status_code == 200
    sub = response.get_json()
    today = business_time.business_date()
    assert (sub["status"], sub["plan_type"], sub["billing_cycle"]) == ("active", "premium", "annual")
    assert sub["student_user_id"] == str(student["user_id"])
    assert sub["start_date"] == today.isoformat()
    assert sub["end_date"] == periods.subscription_end_date(today, "annual").isoformat()
    assert sub["amount_paid_paise"] == created["amount"] and sub["payment_provider"] == "razorpay"
    stored = db_rows(settings, "SELECT * FROM payment_orders WHERE gateway_order_id = %s", created["order_id"])[0]
    assert stored["status"] == "paid" and str(stored["subscription_id"]) == sub["subscription_id"]
    assert stored["gateway_payment_id"] == payment_id
    audit = db_rows(
        settings,
        "SELECT details FROM audit_logs WHERE event_type = 'subscription.activated' AND resource_id = %s",
        sub["subscription_id"],
    )
    assert len(audit) == 1 and audit[0]["details"]["payment_id"] == payment_id

    # a replay answers the same subscription and extends nothing
    replay = verify(client, student, created["order_id"], payment_id, signature)
    assert replay.status_code == 200 and replay.get_json() == sub
    subs = db_rows(settings, "SELECT end_date FROM subscriptions WHERE student_user_id = %s", student["user_id"])
    assert len(subs) == 1 and subs[0]["end_date"].isoformat() == sub["end_date"]
    assert (
        len(
            db_rows(
                settings,
                "SELECT 1 FROM audit_logs WHERE event_type = 'subscription.activated' AND resource_id = %s",
                sub["subscription_id"],
            )
        )
        == 1
    )
    me = client.get(f"{API}/subscriptions/me", headers=student["headers"]).get_json()
    assert me["subscription_id"] == sub["subscription_id"] and me["leaderboard_eligible"] is True


def test_invalid_signature_is_400_and_changes_nothing(client, make_user, settings):
    student = make_user("student")
    created = order(client, student, student).get_json()
    payment_id = "pay_" + uuid.uuid4().hex[:14]
    for signature in ("0" * 64, sign(settings, created["order_id"], "pay_other"), "not-hex"):
        error_of(verify(client, student, created["order_id"], payment_id, signature), 400, "PAYMENT_SIGNATURE_INVALID")
    stored = db_rows(
        settings,
        "SELECT status, gateway_payment_id FROM payment_orders WHERE gateway_order_id = %s",
        created["order_id"],
    )[0]
    assert stored == {"status": "created", "gateway_payment_id": None}
    assert db_rows(settings, "SELECT 1 FROM subscriptions WHERE student_user_id = %s", student["user_id"]) == []
    attempts = db_rows(
        settings,
        "SELECT a.details FROM audit_logs a JOIN payment_orders o ON a.resource_id = o.payment_order_id::text "
        "WHERE a.event_type = 'payment.signature_invalid' AND o.gateway_order_id = %s",
        created["order_id"],
    )
    assert len(attempts) == 3 and attempts[0]["details"]["payment_id"] == payment_id
    # the same order still verifies with the right signature
    assert (
        verify(
            client, student, created["order_id"], payment_id, sign(settings, created["order_id"], payment_id)
        ).status_code
        == 200
    )


def test_another_payment_for_a_paid_order_is_409(client, make_user, settings):
    student = make_user("student")
    created = order(client, student, student).get_json()
    first = "pay_" + uuid.uuid4().hex[:14]
    assert (
        verify(client, student, created["order_id"], first, sign(settings, created["order_id"], first)).status_code
        == 200
    )
    second = "pay_" + uuid.uuid4().hex[:14]
    error_of(
        verify(client, student, created["order_id"], second, sign(settings, created["order_id"], second)),
        409,
        "ORDER_ALREADY_PAID",
    )


def test_verify_scope_and_validation(client, make_user, link_parent, settings):
    student, stranger, parent, stranger_parent = (
        make_user("student"),
        make_user("student"),
        make_user("parent"),
        make_user("parent"),
    )
    link_parent(parent, student)
    link_parent(stranger_parent, stranger)
    created = order(client, student, student).get_json()
    payment_id = "pay_" + uuid.uuid4().hex[:14]
    signature = sign(settings, created["order_id"], payment_id)
    error_of(verify(client, stranger, created["order_id"], payment_id, signature), 404, "NOT_FOUND")
    error_of(verify(client, stranger_parent, created["order_id"], payment_id, signature), 404, "NOT_FOUND")
    error_of(verify(client, student, "order_doesnotexist00", payment_id, signature), 404, "NOT_FOUND")
    error_of(
        client.post(
            f"{API}/payments/verify", json={"razorpay_order_id": created["order_id"]}, headers=student["headers"]
        ),
        422,
        "VALIDATION_ERROR",
    )
    error_of(verify(client, make_user("teacher"), created["order_id"], payment_id, signature), 403, "FORBIDDEN")
    # the linked parent completes the child's payment
    assert verify(client, parent, created["order_id"], payment_id, signature).get_json()["status"] == "active"


def test_purchase_during_a_running_subscription_starts_when_it_ends(client, make_user, settings):
    student = make_user("student")
    current = pay(client, settings, student, student, "basic", "monthly")
    renewal = pay(client, settings, student, student, "premium", "monthly")
    assert renewal["start_date"] == current["end_date"]
    assert renewal["status"] == "active"
    me = client.get(f"{API}/subscriptions/me", headers=student["headers"]).get_json()
    assert me["subscription_id"] == current["subscription_id"] and me["plan_type"] == "basic"
    assert me["next_subscription"]["subscription_id"] == renewal["subscription_id"]
    third = pay(client, settings, student, student, "basic", "annual")
    assert third["start_date"] == renewal["end_date"]
