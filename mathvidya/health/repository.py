from __future__ import annotations

import psycopg

from mathvidya.queries import queries


def ping(conn: psycopg.Connection) -> int:
    return queries("health").ping(conn)
