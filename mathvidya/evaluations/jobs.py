"""Assignment jobs (queue: evaluation)."""

from __future__ import annotations

from uuid import UUID

from mathvidya import business_time
from mathvidya.config import load_settings
from mathvidya.db import job_connection
from mathvidya.evaluations.service import assign_exam


def assign_evaluation_job(exam_id: str) -> str | None:
    """Enqueued (unique per exam) when an upload is confirmed; the sweep retries misses."""
    settings = load_settings()
    with job_connection(settings.database_url) as conn:
        evaluation_id = assign_exam(conn, settings, UUID(exam_id), business_time.now())
    return str(evaluation_id) if evaluation_id else None
