"""Access and refresh tokens.

Access tokens (15 min) carry the user's token_version (`tv`) and the login's family id
(`fam`); authz checks both on each request. Refresh tokens (30 days) are recorded by jti:
refreshing marks the presented one used and issues the next in the same family;
presenting an already-used one means it leaked, so the whole family is revoked.
"""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

import psycopg
from flask_jwt_extended import create_access_token, create_refresh_token, decode_token
from jwt import PyJWTError

from mathvidya import business_time, db
from mathvidya.errors import Unauthenticated
from mathvidya.identity import repository
from mathvidya.jwt_setup import ACCESS_TOKEN_LIFETIME, REFRESH_TOKEN_LIFETIME


def _issue_pair(conn: psycopg.Connection, user: dict, family_id: UUID) -> dict[str, Any]:
    claims = {"tv": user["token_version"], "fam": str(family_id), "role": user["role"]}
    refresh_id = uuid.uuid4()
    access = create_access_token(identity=str(user["user_id"]), additional_claims={**claims, "type": "access"})
    refresh = create_refresh_token(
        identity=str(user["user_id"]), additional_claims={**claims, "type": "refresh", "jti": str(refresh_id)}
    )
    repository.insert_refresh_token(
        conn,
        token_id=refresh_id,
        family_id=family_id,
        user_id=user["user_id"],
        expires_at=business_time.now() + REFRESH_TOKEN_LIFETIME,
    )
    return {
        "access_token": access,
        "refresh_token": refresh,
        "expires_in": int(ACCESS_TOKEN_LIFETIME.total_seconds()),
    }


def start_session(conn: psycopg.Connection, user: dict) -> dict[str, Any]:
    """A new login: a new token family and its first pair."""
    family_id = repository.insert_token_family(conn, user_id=user["user_id"])
    return _issue_pair(conn, user, family_id)


def _decode_refresh(token: str) -> dict[str, Any]:
    try:
        claims = decode_token(token)
    except PyJWTError:
        raise Unauthenticated("The refresh token is invalid or expired.") from None
    except Exception:  # flask-jwt-extended wraps some decode failures in its own errors
        raise Unauthenticated("The refresh token is invalid or expired.") from None
    if claims.get("type") != "refresh":
        raise Unauthenticated("A refresh token is required.")
    return claims


def rotate(conn: psycopg.Connection, refresh_token: str) -> dict[str, Any]:
    """Exchange a refresh token for a new pair; reuse of a rotated token revokes the family."""
    claims = _decode_refresh(refresh_token)
    row = repository.lock_refresh_token(conn, token_id=claims["jti"])
    if row is None or row["family_revoked"]:
        raise Unauthenticated("The session has ended; sign in again.")
    if row["used_at"] is not None:
        _revoke_family_despite_refusal(row["family_id"], "refresh_token_reuse")
        raise Unauthenticated("This refresh token was already used; the session has been ended for safety.")
    user = repository.get_user_by_id(conn, user_id=row["user_id"])
    if user is None or not user["is_active"] or user["token_version"] != claims.get("tv"):
        raise Unauthenticated("The session has ended; sign in again.")
    repository.mark_refresh_token_used(conn, token_id=row["token_id"])
    return _issue_pair(conn, user, row["family_id"])


def _revoke_family_despite_refusal(family_id: UUID, reason: str) -> None:
    """The request answers 401 and rolls back, so the revocation commits on its own connection."""
    with db.pool().connection() as own_conn:
        repository.revoke_family(own_conn, family_id=family_id, reason=reason)


def end_session(conn: psycopg.Connection, user_id: UUID, refresh_token: str | None, family_id: str | None) -> None:
    """Logout: revoke the family of the presented refresh token (or of the access token)."""
    if refresh_token:
        claims = _decode_refresh(refresh_token)
        if str(claims.get("sub")) != str(user_id):
            raise Unauthenticated("That refresh token belongs to another session.")
        family_id = claims.get("fam")
    if family_id:
        repository.revoke_family(conn, family_id=family_id, reason="logout")


def end_all_sessions(conn: psycopg.Connection, user_id: UUID, reason: str) -> None:
    """Cut off every token of a user at once (deactivation, role change, password reset)."""
    repository.bump_token_version(conn, user_id=user_id)
    repository.revoke_user_families(conn, user_id=user_id, reason=reason)
