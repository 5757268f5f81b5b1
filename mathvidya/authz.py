"""The one authorization mechanism every endpoint uses.

1. Role: each view declares who may call it with ``@public``, ``@signed_in`` or
   ``@roles("admin", ...)``. A test walks the URL map and fails for any route without a
   declaration, so an endpoint cannot forget it. A valid token of the wrong role → 403.
2. Token liveness: every signed-in request checks, in one indexed query on the request's
   connection, that the user is still active, that the token's version equals the
   user's token_version (bumped on deactivation, role change and password reset) and that
   the token's family was not revoked (logout, refresh-token reuse). So a revoked or
   cut-off token fails on its very next request → 401.
3. Object scope: ``ensure_student_in_scope`` (and the domain-specific checks built the same
   way) answer 404 for an object outside the caller's scope — the same answer as a
   missing object, so ids cannot be probed.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any
from uuid import UUID

import psycopg
from flask import g, has_request_context, request
from flask_jwt_extended import get_jwt, verify_jwt_in_request

from mathvidya import db
from mathvidya.audit.service import Actor
from mathvidya.errors import Forbidden, NotFound, Unauthenticated
from mathvidya.queries import queries

ALL_ROLES = ("student", "parent", "teacher", "admin")
ERROR_REF = {"$ref": "#/components/responses/DEFAULT_ERROR"}


@dataclass(frozen=True)
class Principal:
    """The signed-in caller, as of this request."""

    user_id: UUID
    role: str
    family_id: str | None
    ip_address: str | None

    @property
    def actor(self) -> Actor:
        return Actor(user_id=self.user_id, role=self.role, ip_address=self.ip_address)


def client_ip() -> str | None:
    return request.remote_addr


def _document(func: Callable, *, public: bool, roles: tuple[str, ...]) -> None:
    doc = func.__dict__.setdefault("_apidoc", {})
    manual = doc.setdefault("manual_doc", {})
    if public:
        manual["security"] = []
        return
    manual["security"] = [{"bearerAuth": []}]
    responses = manual.setdefault("responses", {})
    responses.setdefault("401", ERROR_REF)
    if set(roles) != set(ALL_ROLES):
        responses.setdefault("403", ERROR_REF)
    who = "any signed-in user" if set(roles) == set(ALL_ROLES) else ", ".join(roles)
    manual["description"] = (manual.get("description", "") + f"\n\nWho: {who}.").strip()


def _declare(roles: tuple[str, ...] | None) -> Callable[[Callable], Callable]:
    public = roles is None

    def decorate(func: Callable) -> Callable:
        @wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not public:
                principal = authenticate()
                if principal.role not in roles:
                    raise Forbidden("Your role may not do this.")
            return func(*args, **kwargs)

        wrapper.__access_rule__ = "public" if public else roles
        wrapper._apidoc = copy.deepcopy(getattr(func, "_apidoc", {}))
        _document(wrapper, public=public, roles=roles or ())
        return wrapper

    return decorate


def public(func: Callable) -> Callable:
    """Anyone, no token."""
    return _declare(None)(func)


def signed_in(func: Callable) -> Callable:
    """Any signed-in user."""
    return _declare(ALL_ROLES)(func)


def roles(*allowed: str) -> Callable[[Callable], Callable]:
    """Signed-in users of these roles; others get 403."""
    unknown = set(allowed) - set(ALL_ROLES)
    if unknown or not allowed:
        raise ValueError(f"unknown roles {unknown}")
    return _declare(tuple(allowed))


def authenticate() -> Principal:
    """Verify the bearer token and that it is still live; cache the principal on g."""
    if "principal" in g:
        return g.principal
    verify_jwt_in_request()
    claims = get_jwt()
    if claims.get("type") != "access":
        raise Unauthenticated("An access token is required.")
    try:
        user_id = UUID(str(claims["sub"]))
    except (KeyError, ValueError):
        raise Unauthenticated("The token is invalid.") from None
    state = queries("authz").token_liveness(
        db.request_connection(), user_id=user_id, family_id=_uuid_or_none(claims.get("fam"))
    )
    if state is None or not state["is_active"] or state["token_version"] != claims.get("tv") or state["family_revoked"]:
        raise Unauthenticated("The session has ended; sign in again.")
    g.principal = Principal(user_id=user_id, role=state["role"], family_id=claims.get("fam"), ip_address=client_ip())
    g.signed_in_user = state
    return g.principal


def signed_in_user(principal: Principal) -> dict | None:
    """The caller's users row as the liveness check read it in this request's transaction
    (profile columns), or None outside a request that authenticated this principal."""
    row = g.get("signed_in_user") if has_request_context() else None
    return row if row is not None and row["user_id"] == principal.user_id else None


def current_principal() -> Principal:
    if "principal" not in g:
        raise RuntimeError("no principal: the view is missing @signed_in/@roles")
    return g.principal


def _uuid_or_none(value: Any) -> UUID | None:
    try:
        return UUID(str(value)) if value else None
    except ValueError:
        return None


def student_in_scope(principal: Principal, student_user_id: UUID) -> bool:
    """A student sees themself; a parent their linked children; an admin everyone."""
    if principal.role == "admin":
        return queries("authz").user_role(db.request_connection(), user_id=student_user_id) == "student"
    if principal.role == "student":
        return principal.user_id == student_user_id
    if principal.role == "parent":
        return is_linked_parent(db.request_connection(), principal.user_id, student_user_id)
    return False


def is_linked_parent(conn: psycopg.Connection, parent_user_id: UUID, student_user_id: UUID) -> bool:
    """The one parent-link check behind every parent's view of a child's data."""
    return bool(queries("authz").is_linked_parent(conn, parent_user_id=parent_user_id, student_user_id=student_user_id))


def ensure_student_in_scope(principal: Principal, student_user_id: UUID) -> None:
    """404 (never 403) when the student is outside the caller's scope or does not exist."""
    if not student_in_scope(principal, student_user_id):
        raise NotFound("No such student.")
