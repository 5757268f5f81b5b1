"""Who may see an evaluation: its assigned teacher and admins; anyone else gets 404."""

from __future__ import annotations

from uuid import UUID

import psycopg

from mathvidya.authz import Principal
from mathvidya.errors import NotFound
from mathvidya.evaluations import repository


def evaluation_in_scope(
    conn: psycopg.Connection,
    principal: Principal,
    evaluation_id: UUID,
    *,
    lock: bool = False,
    teacher_only: bool = False,
) -> dict:
    """The evaluation row (joined with its exam) if the caller is its teacher (or an admin,
    unless ``teacher_only``); ``lock`` takes a row lock for a state change."""
    row = (repository.lock_evaluation if lock else repository.get_evaluation)(conn, evaluation_id)
    if row is None:
        raise NotFound("No such evaluation.")
    if principal.role == "admin" and not teacher_only:
        return row
    if principal.role in ("teacher", "admin") and row["teacher_user_id"] == principal.user_id:
        return row
    raise NotFound("No such evaluation.")
