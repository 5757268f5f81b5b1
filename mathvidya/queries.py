"""Named SQL from sql/queries/<domain>.sql, loaded with aiosql.

aiosql is maintained, supports psycopg 3 directly and gives each ``-- name:`` block a
typed-by-suffix method (^ one row, $ one value, ! rowcount, <! returning), so nothing
here parses SQL. Repositories call ``queries("domain")`` and never hold SQL strings.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import aiosql
import psycopg
from aiosql.queries import Queries

SQL_DIR = Path(__file__).resolve().parent.parent / "sql" / "queries"


@cache
def queries(domain: str) -> Queries:
    """The named queries of one domain file, loaded once per process."""
    return aiosql.from_path(SQL_DIR / f"{domain}.sql", "psycopg", mandatory_parameters=False)


@contextmanager
def planned_with_each_call(conn: psycopg.Connection) -> Iterator[psycopg.Connection]:
    """Run the statements inside unprepared, so PostgreSQL plans each one with its actual
    values (a prepared statement switches to a generic plan after five runs, which cannot
    drop "(:x IS NULL OR col = :x)" filters and loses their indexes). Unlike
    ``SET LOCAL plan_cache_mode``, this needs no transaction."""
    threshold = conn.prepare_threshold
    conn.prepare_threshold = None
    try:
        yield conn
    finally:
        conn.prepare_threshold = threshold
