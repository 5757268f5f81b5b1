"""Helpers that create committed data for API tests (unique e-mails, so tests never clash)."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
from psycopg.rows import dict_row

from mathvidya.db import job_connection
from mathvidya.identity import tokens
from mathvidya.identity.service import NewUser, create_user

DEFAULT_PASSWORD = "correct-horse-battery"


def new_email(prefix: str = "user") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}@example.com"


def make_user(
    app,
    role: str,
    *,
    student_class: str | None = None,
    email: str | None = None,
    password: str = DEFAULT_PASSWORD,
    first_name: str = "Test",
    last_name: str | None = None,
    signed_in: bool = True,
) -> dict[str, Any]:
    """A committed user; with ``signed_in`` also a live access token in ``headers``."""
    if role == "student" and student_class is None:
        student_class = "XII"
    settings = app.config["SETTINGS"]
    new = NewUser(
        email=email or new_email(role),
        password=password,
        role=role,
        first_name=first_name,
        last_name=last_name or role.title(),
        student_class=student_class,
        email_verified=True,
    )
    with job_connection(settings.database_url) as conn:
        user = dict(create_user(conn, new))
        user["token_version"] = 0
        user["password"] = password
        if signed_in:
            with app.test_request_context():
                pair = tokens.start_session(conn, user)
            user.update(pair)
            user["headers"] = {"Authorization": f"Bearer {pair['access_token']}"}
    return user


def link_parent(app, parent: dict, student: dict, relationship: str = "mother") -> uuid.UUID:
    with psycopg.connect(app.config["SETTINGS"].database_url, row_factory=dict_row) as conn:
        row = conn.execute(
            "INSERT INTO parent_student_mappings (parent_user_id, student_user_id, relationship) "
            "VALUES (%s, %s, %s) RETURNING mapping_id",
            (parent["user_id"], student["user_id"], relationship),
        ).fetchone()
    return row["mapping_id"]


def process_env(settings, **extra: str) -> dict[str, str]:
    """The environment a real child process (worker, CLI, gunicorn) needs to reach the test servers."""
    import os
    import sys
    from pathlib import Path

    return {
        **os.environ,
        "MATHVIDYA_ENV": "test",
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "SMTP_URL": settings.smtp_url or "",
        "S3_ENDPOINT_URL": settings.s3_endpoint_url or "",
        "S3_BUCKET": settings.s3_bucket,
        "LOG_LEVEL": "WARNING",
        "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
        **extra,
    }
