"""Named SQL from sql/queries/<domain>.sql, loaded with aiosql.

aiosql is maintained, supports psycopg 3 directly and gives each ``-- name:`` block a
typed-by-suffix method (^ one row, $ one value, ! rowcount, <! returning), so nothing
here parses SQL. Repositories call ``queries("domain")`` and never hold SQL strings.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import aiosql
from aiosql.queries import Queries

SQL_DIR = Path(__file__).resolve().parent.parent / "sql" / "queries"


@cache
def queries(domain: str) -> Queries:
    """The named queries of one domain file, loaded once per process."""
    return aiosql.from_path(SQL_DIR / f"{domain}.sql", "psycopg", mandatory_parameters=False)
