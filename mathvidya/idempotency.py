"""`Idempotency-Key` for POSTs that consume something (exam start, purchase): a retry
with the same key returns the first answer; the same key with a different body is refused.

Stored in PostgreSQL in the same transaction as the work, under a transaction-scoped
advisory lock, so two concurrent retries cannot both run the work.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any
from uuid import UUID

import psycopg
from flask import request
from psycopg.types.json import Jsonb

from mathvidya.errors import IdempotencyKeyReused, ValidationFailed
from mathvidya.queries import queries
from mathvidya.schemas import text_problem

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200


def _request_hash(body: Any) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def idempotency_key() -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValidationFailed({HEADER: [f"must be 1–{MAX_KEY_LENGTH} characters"]})
    if problem := text_problem(key):
        raise ValidationFailed({HEADER: [problem]})
    return key


def run_once(
    conn: psycopg.Connection,
    user_id: UUID,
    endpoint: str,
    body: Any,
    work: Callable[[], tuple[dict, int]],
) -> tuple[dict, int]:
    """Run ``work`` (returning a JSON body and status) unless this key already has an answer."""
    key = idempotency_key()
    if key is None:
        return work()
    q = queries("idempotency")
    q.lock_key(conn, lock_name=f"{user_id}|{endpoint}|{key}")
    digest = _request_hash(body)
    stored = q.get_response(conn, user_id=user_id, endpoint=endpoint, key=key)
    if stored is not None:
        if stored["request_hash"] != digest:
            raise IdempotencyKeyReused()
        return stored["response_body"], stored["status_code"]
    response_body, status = work()
    q.save_response(
        conn,
        user_id=user_id,
        endpoint=endpoint,
        key=key,
        request_hash=digest,
        status_code=status,
        response_body=Jsonb(json.loads(json.dumps(response_body, default=str))),
    )
    return response_body, status
