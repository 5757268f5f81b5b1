"""Single-use, expiring, unguessable tokens for e-mail verification and password reset.

The token (32 random bytes, URL-safe) goes only into the e-mail; the database keeps its
SHA-256, so a database leak reveals no usable token.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from urllib.parse import urlencode
from uuid import UUID

import psycopg

from mathvidya import business_time
from mathvidya.identity import repository

LIFETIMES = {"verify_email": timedelta(hours=48), "password_reset": timedelta(minutes=60)}
PATHS = {"verify_email": "/verify-email", "password_reset": "/reset-password"}


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(conn: psycopg.Connection, user_id: UUID, purpose: str) -> str:
    token = secrets.token_urlsafe(32)
    repository.insert_account_token(
        conn,
        token_hash=token_digest(token),
        user_id=user_id,
        purpose=purpose,
        expires_at=business_time.now() + LIFETIMES[purpose],
    )
    return token


def consume_token(conn: psycopg.Connection, token: str, purpose: str) -> UUID | None:
    """Mark the token used and return its user, or None if unknown, used or expired."""
    return repository.consume_account_token(conn, token_hash=token_digest(token), purpose=purpose)


def link_for(app_base_url: str, purpose: str, token: str) -> str:
    return f"{app_base_url.rstrip('/')}{PATHS[purpose]}?{urlencode({'token': token})}"
