"""Worker jobs for e-mail delivery (queue: notifications)."""

from __future__ import annotations

from mathvidya import business_time
from mathvidya.config import load_settings
from mathvidya.db import job_connection
from mathvidya.notifications.service import deliver_due_emails


def deliver_email_job(outbox_id: str) -> int:
    """Deliver one outbox e-mail right after the transaction that queued it committed."""
    settings = load_settings()
    with job_connection(settings.database_url) as conn:
        return deliver_due_emails(conn, settings, business_time.now(), outbox_id=outbox_id)
