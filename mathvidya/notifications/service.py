"""Notifications: an in-app row plus, where e-mail applies, an outbox row — both written
in the caller's transaction — delivered afterwards by a worker job with retries.

Nothing is lost if Redis or SMTP is down: the outbox row stays pending and the
deliver-outbox sweep sends it later.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any
from urllib.parse import urlparse
from uuid import UUID

import psycopg

from mathvidya import db
from mathvidya.config import Settings
from mathvidya.notifications import repository
from mathvidya.settings_store import get_setting

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BASE_BACKOFF = timedelta(minutes=1)
MAX_BACKOFF = timedelta(hours=1)
BATCH_SIZE = 50


@dataclass(frozen=True)
class Email:
    to_address: str
    subject: str
    body_text: str
    body_html: str | None = None


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
) -> None:
    """Write the in-app notification and queue its e-mail (if e-mail is enabled)."""
    repository.insert_notification(
        conn,
        user_id=user_id,
        event_type=event_type,
        title=title,
        body=body,
        resource_type=resource_type,
        resource_id=str(resource_id) if resource_id else None,
    )
    if email is not None:
        queue_email(conn, settings, email, event_type)


def queue_email(conn: psycopg.Connection, settings: Settings, email: Email, event_type: str) -> str | None:
    """Add an e-mail to the outbox; delivery is attempted right after the commit."""
    if not get_setting(conn, "notifications_enabled"):
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
    from mathvidya.notifications import jobs
    from mathvidya.queue import NOTIFICATIONS, enqueue_unique, get_queue

    enqueue_unique(
        get_queue(NOTIFICATIONS, settings.redis_url), jobs.deliver_email_job, f"outbox-{outbox_id}", outbox_id
    )


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
            smtp.login(parsed.username, parsed.password or "")
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
