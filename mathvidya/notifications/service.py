"""Notifications: an in-app row plus, where e-mail applies, an outbox row — both written
in the caller's transaction — delivered afterwards by a worker job with retries.

Nothing is lost if Redis or SMTP is down: the outbox row stays pending and the
deliver-outbox sweep sends it later.

The in-app row is always written. The e-mail is skipped when the recipient switched off
its category (users.email_opt_out, see emails.py) or the account is inactive, and when
the `notifications_enabled` setting is off (account e-mails excepted: a password reset
must work whatever the switch says).
"""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any
from urllib.parse import unquote, urlparse
from uuid import UUID

import psycopg

from mathvidya import db
from mathvidya.config import Settings
from mathvidya.errors import NotFound
from mathvidya.notifications import repository
from mathvidya.notifications.emails import Email, render_email, wants_email
from mathvidya.queue import NOTIFICATIONS, enqueue_unique, get_queue
from mathvidya.settings_store import get_setting

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BASE_BACKOFF = timedelta(minutes=1)
MAX_BACKOFF = timedelta(hours=1)
BATCH_SIZE = 50
# By name: the job module imports this one (RQ resolves the name in the worker).
DELIVER_EMAIL_JOB = "mathvidya.notifications.jobs.deliver_email_job"


def notify(
    conn: psycopg.Connection,
    settings: Settings,
    *,
    user_id: UUID | str,
    event_type: str,
    title: str,
    body: str,
    resource_type: str | None = None,
    resource_id: UUID | str | None = None,
    email: Email | None = None,
    email_context: dict[str, Any] | None = None,
) -> str | None:
    """Write the in-app notification and queue its e-mail; returns the outbox id, if any.

    The e-mail is either given (``email``) or rendered from the event's template with
    ``email_context`` (the recipient's address and first name are filled in here).
    """
    values = {
        "user_id": user_id,
        "event_type": event_type,
        "title": title,
        "body": body,
        "resource_type": resource_type,
        "resource_id": str(resource_id) if resource_id else None,
    }
    if email is None and email_context is None:
        repository.insert_notification(conn, **values)
        return None
    recipient = repository.insert_notification_for_recipient(conn, **values)
    if recipient["user_id"] is None or not recipient["is_active"]:
        return None
    if not wants_email(recipient["email_opt_out"], event_type):
        return None
    if email is None:
        context = {"first_name": recipient["first_name"], "title": title, "body": body, **(email_context or {})}
        context.setdefault("link", settings.app_base_url)
        email = render_email(event_type, recipient["email"], **context)
    return queue_email(conn, settings, email, event_type)


def queue_email(conn: psycopg.Connection, settings: Settings, email: Email, event_type: str) -> str | None:
    """Add an e-mail to the outbox; delivery is attempted right after the commit."""
    if not event_type.startswith("account.") and not get_setting(conn, "notifications_enabled"):
        return None
    outbox_id = repository.insert_outbox_email(
        conn,
        to_address=email.to_address,
        subject=email.subject,
        body_text=email.body_text,
        body_html=email.body_html,
        event_type=event_type,
    )
    db.after_commit(conn, lambda: _enqueue_delivery(settings, str(outbox_id)))
    return str(outbox_id)


def _enqueue_delivery(settings: Settings, outbox_id: str) -> None:
    enqueue_unique(get_queue(NOTIFICATIONS, settings.redis_url), DELIVER_EMAIL_JOB, f"outbox-{outbox_id}", outbox_id)


def backoff_after(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes between attempts, capped at an hour."""
    return min(BASE_BACKOFF * (2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def sender_address(conn: psycopg.Connection, settings: Settings) -> str:
    return settings.mail_from or get_setting(conn, "notification_email_from")


def send_over_smtp(smtp_url: str | None, sender: str, row: dict[str, Any]) -> None:
    """Send one outbox row; without SMTP_URL the message is logged instead of sent."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row["to_address"]
    message["Subject"] = row["subject"]
    message["Message-ID"] = make_msgid(idstring=str(row["outbox_id"]))
    message.set_content(row["body_text"])
    if row.get("body_html"):
        message.add_alternative(row["body_html"], subtype="html")
    if not smtp_url:
        log.info("e-mail (SMTP_URL unset, not sent)", extra={"to": row["to_address"], "subject": row["subject"]})
        return
    parsed = urlparse(smtp_url)
    with smtplib.SMTP(parsed.hostname or "localhost", parsed.port or 25, timeout=10) as smtp:
        if parsed.scheme == "smtp+starttls":
            smtp.starttls()
        if parsed.username:
            smtp.login(unquote(parsed.username), unquote(parsed.password or ""))
        smtp.send_message(message)


def deliver_due_emails(
    conn: psycopg.Connection, settings: Settings, as_of: datetime, outbox_id: str | None = None
) -> int:
    """Attempt every pending e-mail due by ``as_of`` (or just one); returns how many were sent.

    Rows are claimed with FOR UPDATE SKIP LOCKED, so concurrent workers never send one twice.
    """
    rows = list(repository.claim_due_emails(conn, as_of=as_of, outbox_id=outbox_id, batch=BATCH_SIZE))
    if not rows:
        return 0
    sender = sender_address(conn, settings)
    sent = 0
    for row in rows:
        try:
            send_over_smtp(settings.smtp_url, sender, row)
        except (OSError, smtplib.SMTPException) as exc:
            attempts = row["attempts"] + 1
            status = "failed" if attempts >= MAX_ATTEMPTS else "pending"
            repository.record_failed_attempt(
                conn,
                outbox_id=row["outbox_id"],
                attempts=attempts,
                status=status,
                next_attempt_at=as_of + backoff_after(attempts),
                last_error=str(exc)[:500],
            )
            log.warning("e-mail delivery failed", extra={"outbox_id": str(row["outbox_id"]), "error": str(exc)})
            continue
        repository.mark_sent(conn, outbox_id=row["outbox_id"], sent_at=as_of)
        sent += 1
    return sent


# --- the in-app inbox ------------------------------------------------------------------------


def list_own(conn: psycopg.Connection, user_id: UUID, unread_only: bool, limit: int, offset: int) -> dict[str, Any]:
    """The caller's notifications, newest first, with the unread count for a badge."""
    counts = repository.count_notifications(conn, user_id, unread_only)
    return {
        "items": repository.list_notifications(conn, user_id, unread_only, limit, offset),
        "total": counts["total"],
        "unread_count": counts["unread_count"],
        "limit": limit,
        "offset": offset,
    }


def mark_read(conn: psycopg.Connection, user_id: UUID, notification_id: UUID, now: datetime) -> dict:
    """Another user's notification answers 404, like a missing one."""
    row = repository.mark_read(conn, user_id, notification_id, now)
    if row is None:
        raise NotFound("No such notification.")
    return row


def mark_all_read(conn: psycopg.Connection, user_id: UUID, now: datetime) -> dict[str, int]:
    return {"marked_read": repository.mark_all_read(conn, user_id, now), "unread_count": 0}
