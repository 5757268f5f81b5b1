"""/notifications (own only, unread filter, paging, read, read-all), the e-mail templates,
and the per-category e-mail opt-out (in-app notifications always kept)."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from jinja2 import UndefinedError
from psycopg.rows import dict_row

from mathvidya.db import job_connection
from mathvidya.notifications.emails import (
    EMAIL_CATEGORIES,
    TEMPLATE_CONTEXT,
    TEMPLATE_DIR,
    Email,
    email_category,
    render_email,
    wants_email,
)
from mathvidya.notifications.service import notify
from mathvidya.settings_store import announce_change

URL = "/api/v1/notifications"

SAMPLE_CONTEXT = {
    "first_name": "Asha",
    "student_name": "Asha K",
    "candidate": "candidate MV-7K3Q-92FD",
    "exam_name": "CBSE board pattern (Class XII)",
    "deadline": "Tue 06 Jan 2026, 14:00 IST",
    "hours_left": 2,
    "score": "62 / 80 (77.5%)",
    "teacher_name": "Tina T",
    "plan_name": "Premium Plan",
    "last_day": "31 Jan 2026",
    "parent_name": "Ravi K",
    "title": "Something happened",
    "body": "Details of what happened.",
    "link": "http://app.test/somewhere?token=abc",
}


def _notify(settings, user, event_type="evaluation.completed", n=0, **kw):
    with job_connection(settings.database_url) as conn:
        return notify(
            conn,
            settings,
            user_id=user["user_id"],
            event_type=event_type,
            title=f"title {n}",
            body=f"body {n}",
            resource_type="exam_instance",
            resource_id=uuid.uuid4(),
            **kw,
        )


def _outbox(settings, address: str) -> list[dict]:
    with psycopg.connect(settings.database_url, row_factory=dict_row) as conn:
        return conn.execute(
            "SELECT * FROM email_outbox WHERE to_address = %s ORDER BY created_at", (address,)
        ).fetchall()


def _in_app(settings, user) -> list[dict]:
    with psycopg.connect(settings.database_url, row_factory=dict_row) as conn:
        return conn.execute(
            "SELECT * FROM notifications WHERE user_id = %s ORDER BY created_at", (user["user_id"],)
        ).fetchall()


@pytest.fixture
def student(make_user):
    return make_user("student")


# --- the inbox --------------------------------------------------------------------------------


def test_a_user_sees_only_their_own_newest_first_with_the_unread_count(client, make_user, settings, student):
    other = make_user("student")
    for n in range(3):
        _notify(settings, student, n=n)
    _notify(settings, other, n=99)
    body = client.get(URL, headers=student["headers"]).get_json()
    assert body["total"] == 3 and body["unread_count"] == 3 and body["limit"] == 20 and body["offset"] == 0
    assert [item["title"] for item in body["items"]] == ["title 2", "title 1", "title 0"]
    item = body["items"][0]
    assert set(item) >= {
        "notification_id",
        "event_type",
        "title",
        "body",
        "resource_type",
        "resource_id",
        "is_read",
        "created_at",
    }
    assert item["event_type"] == "evaluation.completed" and item["is_read"] is False


def test_paging_and_the_unread_filter(client, settings, student):
    for n in range(5):
        _notify(settings, student, n=n)
    page = client.get(f"{URL}?limit=2&offset=2", headers=student["headers"]).get_json()
    assert [i["title"] for i in page["items"]] == ["title 2", "title 1"] and page["total"] == 5

    first = client.get(URL, headers=student["headers"]).get_json()["items"][0]
    read = client.post(f"{URL}/{first['notification_id']}/read", headers=student["headers"])
    assert read.status_code == 200
    assert read.get_json()["is_read"] is True and read.get_json()["read_at"]

    unread = client.get(f"{URL}?unread=true", headers=student["headers"]).get_json()
    assert unread["total"] == 4 and unread["unread_count"] == 4
    assert first["notification_id"] not in {i["notification_id"] for i in unread["items"]}
    everything = client.get(f"{URL}?unread=false", headers=student["headers"]).get_json()
    assert everything["total"] == 5 and everything["unread_count"] == 4


def test_reading_twice_keeps_the_first_read_time(client, settings, student):
    _notify(settings, student)
    item = client.get(URL, headers=student["headers"]).get_json()["items"][0]
    first = client.post(f"{URL}/{item['notification_id']}/read", headers=student["headers"]).get_json()
    second = client.post(f"{URL}/{item['notification_id']}/read", headers=student["headers"]).get_json()
    assert first["read_at"] == second["read_at"]


def test_another_users_notification_is_404_and_stays_unread(client, make_user, settings, student):
    other = make_user("parent")
    _notify(settings, other)
    theirs = client.get(URL, headers=other["headers"]).get_json()["items"][0]
    response = client.post(f"{URL}/{theirs['notification_id']}/read", headers=student["headers"])
    assert response.status_code == 404 and response.get_json()["error"] == "NOT_FOUND"
    assert client.get(URL, headers=other["headers"]).get_json()["unread_count"] == 1
    assert client.post(f"{URL}/{uuid.uuid4()}/read", headers=student["headers"]).status_code == 404


def test_read_all_marks_only_the_callers(client, make_user, settings, student):
    other = make_user("teacher")
    for n in range(3):
        _notify(settings, student, n=n)
    _notify(settings, other)
    response = client.post(f"{URL}/read-all", headers=student["headers"])
    assert response.status_code == 200
    assert response.get_json() == {"marked_read": 3, "unread_count": 0}
    assert client.get(URL, headers=student["headers"]).get_json()["unread_count"] == 0
    assert client.get(URL, headers=other["headers"]).get_json()["unread_count"] == 1
    assert client.post(f"{URL}/read-all", headers=student["headers"]).get_json()["marked_read"] == 0


@pytest.mark.parametrize("query", ["unread=maybe", "limit=0", "limit=101", "offset=-3"])
def test_invalid_list_queries_are_422(client, student, query):
    response = client.get(f"{URL}?{query}", headers=student["headers"])
    assert response.status_code == 422 and response.get_json()["details"]["fields"]


@pytest.mark.parametrize("role", ["student", "parent", "teacher", "admin"])
def test_every_role_has_an_inbox(client, make_user, settings, role):
    user, other = make_user(role), make_user(role)
    _notify(settings, user, n=1)
    _notify(settings, other, n=2)
    inbox = client.get(URL, headers=user["headers"])
    assert inbox.status_code == 200
    body = inbox.get_json()
    assert ([item["title"] for item in body["items"]], body["unread_count"]) == (["title 1"], 1)
    read = client.post(f"{URL}/read-all", headers=user["headers"])
    assert read.status_code == 200 and read.get_json() == {"marked_read": 1, "unread_count": 0}
    assert client.get(URL, headers=other["headers"]).get_json()["unread_count"] == 1


# --- e-mail opt-out ----------------------------------------------------------------------------


def test_an_opted_out_category_keeps_the_in_app_notification_but_sends_no_email(client, settings, student):
    response = client.patch(
        "/api/v1/users/me", json={"email_opt_out": {"evaluation": True}}, headers=student["headers"]
    )
    assert response.status_code == 200 and response.get_json()["email_opt_out"] == {"evaluation": True}
    context = {"exam_name": "Board XII", "score": "70 / 80", "link": "http://app.test/exams/1"}

    assert _notify(settings, student, "evaluation.completed", email_context=context) is None
    assert _notify(settings, student, "sla.warning", email=Email(student["email"], "s", "b")) is not None
    assert [n["event_type"] for n in _in_app(settings, student)] == ["evaluation.completed", "sla.warning"]
    assert [row["event_type"] for row in _outbox(settings, student["email"])] == ["sla.warning"]

    # Opting back in sends the next one.
    client.patch("/api/v1/users/me", json={"email_opt_out": {"evaluation": False}}, headers=student["headers"])
    assert _notify(settings, student, "evaluation.completed", email_context=context) is not None
    sent = _outbox(settings, student["email"])[-1]
    assert sent["subject"] == "Your Board XII has been evaluated"
    assert "70 / 80" in sent["body_text"] and "http://app.test/exams/1" in sent["body_text"]
    assert sent["body_html"] and "<strong>Board XII</strong>" in sent["body_html"]


def test_account_emails_go_despite_opt_outs_and_the_master_switch(client, settings, committing_db, make_user):
    user = make_user("parent")
    client.patch(
        "/api/v1/users/me",
        json={"email_opt_out": {category: True for category in (*EMAIL_CATEGORIES, "account")}},
        headers=user["headers"],
    )
    committing_db.execute("UPDATE system_config SET config_value = 'false' WHERE config_key = 'notifications_enabled'")
    announce_change(None)
    try:
        assert client.post("/api/v1/auth/password-reset/request", json={"email": user["email"]}).status_code == 202
        assert _notify(settings, user, "parent.linked", email_context={}) is None
    finally:
        committing_db.execute(
            "UPDATE system_config SET config_value = 'true' WHERE config_key = 'notifications_enabled'"
        )
        announce_change(None)
    mails = _outbox(settings, user["email"])
    assert [m["event_type"] for m in mails] == ["account.password_reset"]
    assert "token=" in mails[0]["body_text"] and "token=" in mails[0]["body_html"]
    assert mails[0]["subject"] == "Reset your Mathvidya password"
    assert [n["event_type"] for n in _in_app(settings, user)] == ["parent.linked"]


def test_the_master_switch_stops_notification_emails_but_not_in_app_ones(settings, committing_db, student):
    committing_db.execute("UPDATE system_config SET config_value = 'false' WHERE config_key = 'notifications_enabled'")
    announce_change(None)
    try:
        assert _notify(settings, student, "sla.warning", email=Email(student["email"], "s", "b")) is None
    finally:
        committing_db.execute(
            "UPDATE system_config SET config_value = 'true' WHERE config_key = 'notifications_enabled'"
        )
        announce_change(None)
    assert len(_in_app(settings, student)) == 1 and _outbox(settings, student["email"]) == []


def test_an_inactive_user_gets_no_email(settings, committing_db, student):
    committing_db.execute("UPDATE users SET is_active = false WHERE user_id = %s", (student["user_id"],))
    assert _notify(settings, student, "sla.warning", email=Email(student["email"], "s", "b")) is None
    assert len(_in_app(settings, student)) == 1


def test_the_event_key_itself_also_opts_out(settings, committing_db, student):
    """Billing's expiry warning honours {"subscription.expiring": true} as well as the category."""
    committing_db.execute(
        "UPDATE users SET email_opt_out = '{\"subscription.expiring\": true}' WHERE user_id = %s",
        (student["user_id"],),
    )
    context = {"plan_name": "Premium Plan", "last_day": "31 Jan 2026"}
    assert _notify(settings, student, "subscription.expiring", email_context=context) is None
    assert _notify(settings, student, "parent.linked", email_context={}) is not None


@pytest.mark.parametrize(
    ("opt_out", "event_type", "wanted"),
    [
        ({}, "evaluation.completed", True),
        (None, "evaluation.completed", True),
        ({"evaluation": True}, "evaluation.assigned", False),
        ({"evaluation": False}, "evaluation.assigned", True),
        ({"sla": True}, "sla.breached", False),
        ({"sla": True}, "evaluation.completed", True),
        ({"subscription": True}, "subscription.expiring", False),
        ({"parent_link": True}, "parent.linked", False),
        ({"account": True}, "account.password_reset", True),
        ({"account": True}, "account.verify_email", True),
        ({"evaluation.completed": True}, "evaluation.completed", False),
        ({"evaluation": "yes"}, "evaluation.completed", True),
    ],
)
def test_wants_email(opt_out, event_type, wanted):
    assert wants_email(opt_out, event_type) is wanted


def test_categories():
    assert email_category("evaluation.completed") == "evaluation"
    assert email_category("sla.warning") == "sla"
    assert email_category("subscription.expiring") == "subscription"
    assert email_category("parent.linked") == "parent_link"
    assert email_category("account.verify_email") == "account"
    assert email_category("something.else") == "other"


# --- templates ---------------------------------------------------------------------------------


PRODUCT_EVENTS = [
    "evaluation.assigned",
    "sla.warning",
    "evaluation.completed",
    "sla.breached",
    "subscription.expiring",
    "parent.linked",
    "account.verify_email",
    "account.password_reset",
]


def test_every_event_has_a_text_and_an_html_template():
    for event in [*PRODUCT_EVENTS, "notification"]:
        assert (TEMPLATE_DIR / f"{event}.txt").exists() and (TEMPLATE_DIR / f"{event}.html").exists(), event
    assert set(TEMPLATE_CONTEXT) == {*PRODUCT_EVENTS, "notification"}


@pytest.mark.parametrize("event_type", PRODUCT_EVENTS)
def test_each_template_renders_subject_text_and_escaped_html(event_type):
    context = {**SAMPLE_CONTEXT, "student_name": "Asha <script>", "candidate": "Asha <script>"}
    email = render_email(event_type, "asha@example.com", **context)
    assert email.to_address == "asha@example.com"
    assert email.subject and "\n" not in email.subject and "{" not in email.subject
    assert email.body_text.startswith("Hello Asha,") and "{{" not in email.body_text
    assert email.body_html.startswith("<!doctype html>") and "Hello Asha," in email.body_html
    assert "<script>" not in email.body_html
    assert "http://app.test/somewhere?token=abc" in email.body_text


@pytest.mark.parametrize("event_type", PRODUCT_EVENTS)
def test_a_missing_value_fails_loudly(event_type):
    required = [name for name in TEMPLATE_CONTEXT[event_type] if not name.startswith("[")]
    context = {k: v for k, v in SAMPLE_CONTEXT.items() if k != required[0]}
    with pytest.raises(UndefinedError):
        render_email(event_type, "a@example.com", **context)


def test_parent_variants():
    for_student = render_email("evaluation.completed", "s@example.com", **SAMPLE_CONTEXT)
    for_parent = render_email("evaluation.completed", "p@example.com", **SAMPLE_CONTEXT, for_parent=True)
    assert for_student.subject.startswith("Your ") and for_parent.subject.startswith("Asha K's ")
    expiring = render_email(
        "subscription.expiring", "p@example.com", **{k: v for k, v in SAMPLE_CONTEXT.items() if k != "student_name"}
    )
    assert expiring.subject == "Your Premium Plan ends soon"


def test_an_event_without_its_own_template_uses_the_generic_one():
    email = render_email("teacher.unavailable", "admin@example.com", first_name="A", title="No teacher", body="Queued.")
    assert email.subject == "No teacher" and "Queued." in email.body_text and "Queued." in email.body_html


def test_registration_sends_the_templated_verification_email(client, settings):
    email = f"verify-{uuid.uuid4().hex[:10]}@example.com"
    response = client.post(
        "/api/v1/auth/register",
        json={
            "email": email,
            "password": "a-long-password-1",
            "role": "parent",
            "first_name": "Ravi",
            "last_name": "K",
        },
    )
    assert response.status_code == 201
    (mail,) = _outbox(settings, email)
    assert mail["subject"] == "Verify your Mathvidya e-mail" and mail["event_type"] == "account.verify_email"
    assert mail["body_text"].startswith("Hello Ravi,") and "token=" in mail["body_text"]
    assert "token=" in mail["body_html"]
