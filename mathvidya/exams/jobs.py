"""Exam timers: a job per exam at its deadline, and the periodic sweep behind it."""

from __future__ import annotations

from uuid import UUID

from mathvidya import business_time
from mathvidya.config import load_settings
from mathvidya.db import job_connection
from mathvidya.exams import service
from mathvidya.settings_store import get_setting


def auto_submit_exam_job(exam_id: str) -> bool:
    """Scheduled for the exam's deadline (duration + grace); does nothing if already submitted."""
    settings = load_settings()
    with job_connection(settings.database_url) as conn:
        if not get_setting(conn, "exam_auto_submit_enabled"):
            return False
        return service.auto_submit_exam(conn, UUID(exam_id), business_time.now())
