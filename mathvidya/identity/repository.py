from __future__ import annotations

from typing import Any

import psycopg

from mathvidya.identity.email_identity import email_key
from mathvidya.queries import queries


def insert_user(conn: psycopg.Connection, **values: Any) -> dict:
    return queries("identity").insert_user(conn, email_key=email_key(values["email"]), **values)


def get_user_by_email(conn: psycopg.Connection, email: str) -> dict | None:
    """The account this address names, however it is cased or composed."""
    return queries("identity").get_user_by_email_key(conn, email_key=email_key(email))


def get_user_by_id(conn: psycopg.Connection, user_id) -> dict | None:
    return queries("identity").get_user_by_id(conn, user_id=user_id)
