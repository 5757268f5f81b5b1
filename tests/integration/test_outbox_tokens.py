"""A sent e-mail's stored copy keeps no usable one-time link (reset, verification)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import psycopg
from psycopg.rows import dict_row

from mathvidya.notifications.service import deliver_due_emails

TOKEN = re.compile(r"token=([A-Za-z0-9_\-]+)")


def _reset_mail(settings, email):
    with psycopg.connect(settings.database_url, row_factory=dict_row) as conn:
        return conn.execute(
            "SELECT outbox_id, status, body_text, body_html FROM email_outbox "
            "WHERE to_address = %s AND event_type = 'account.password_reset'",
            (email,),
        ).fetchone()


def test_sent_reset_mail_drops_its_token_from_the_outbox(client, settings, smtp_sink, make_user):
    user = make_user("student", signed_in=False)
    assert client.post("/api/v1/auth/password-reset/request", json={"email": user["email"]}).status_code == 202
    pending = _reset_mail(settings, user["email"])
    token = TOKEN.search(pending["body_text"]).group(1)
    assert token in pending["body_html"]  # queued, not yet sent: the link is whole

    with psycopg.connect(settings.database_url, row_factory=dict_row) as conn:
        assert deliver_due_emails(conn, settings, datetime.now(UTC), outbox_id=pending["outbox_id"]) == 1
        conn.commit()

    delivered = [m for m in smtp_sink.messages if m["To"] == user["email"]]
    assert delivered and token in delivered[-1].as_string()  # the recipient got the working link
    sent = _reset_mail(settings, user["email"])
    assert sent["status"] == "sent"
    for body in (sent["body_text"], sent["body_html"]):
        assert token not in body
        assert "token=[removed-after-delivery]" in body
    # The recipient's link still works (only the stored copy lost it).
    response = client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": "a-new-long-password-1"}
    )
    assert response.status_code == 204, response.data
