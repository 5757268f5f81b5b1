"""One psycopg_pool per process and one transaction per request or job.

Each app opens its own pool in ``init_app`` — after the process forks, since gunicorn
(without --preload) builds the app in each worker; RQ jobs use ``job_connection``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg
from flask import Flask, current_app, g, has_app_context
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool, PoolTimeout

POOL_KEY = "mathvidya_pool"
# Errors that mean "PostgreSQL is unreachable or restarting" (a 503, a retry), not a bug.
# OperationalError also covers connection loss, admin shutdown and serialization retries.
POSTGRESQL_OUTAGES: tuple[type[Exception], ...] = (psycopg.OperationalError, PoolTimeout)
_pool: ConnectionPool | None = None  # the most recently opened one, for code outside an app context
_after_commit: dict[int, list[Callable[[], None]]] = {}
log = logging.getLogger(__name__)


def after_commit(conn: psycopg.Connection, callback: Callable[[], None]) -> None:
    """Run ``callback`` once ``conn``'s transaction has committed (e.g. enqueue a job for
    rows this transaction wrote); dropped if it rolls back."""
    _after_commit.setdefault(id(conn), []).append(callback)


def _run_after_commit(conn: psycopg.Connection, committed: bool) -> None:
    callbacks = _after_commit.pop(id(conn), [])
    if not committed:
        return
    for callback in callbacks:
        try:
            callback()
        except Exception:  # the work is durable; the sweep redoes what a callback missed
            log.exception("after-commit callback failed")


class DrainWhenStale:
    """The pool's check: a connection that fails it means the server restarted or went away,
    so every idle connection is as dead as this one; drop them all at once. (Otherwise the
    pool checks them one by one with a growing pause between, 1 + 2 + 4 s, and a request
    after a restart would time out on stale connections.)"""

    def __init__(self) -> None:
        self.pool: ConnectionPool | None = None

    def __call__(self, conn: psycopg.Connection) -> None:
        try:
            ConnectionPool.check_connection(conn)
        except Exception:
            if self.pool is not None:
                self.pool.drain()
            raise


def open_pool(conninfo: str, min_size: int = 1, max_size: int = 10, timeout: float = 5.0) -> ConnectionPool:
    """Open a pool (one per app, so one per gunicorn worker process; opened after fork).

    Every connection is checked as it is lent, so none is stale after a PostgreSQL restart;
    a request that cannot get one within ``timeout`` seconds gets PoolTimeout (a 503).
    """
    global _pool
    check = DrainWhenStale()
    new_pool = ConnectionPool(
        conninfo,
        min_size=min_size,
        max_size=max_size,
        kwargs={"row_factory": dict_row, "connect_timeout": 5},
        open=False,
        name="mathvidya",
        check=check,
        timeout=timeout,
        reconnect_timeout=4,  # a refill attempt backs off at most ~2 s; afterwards demand starts a new one
    )
    check.pool = new_pool
    new_pool.open(wait=False)
    _pool = new_pool
    return new_pool


def close_pool() -> None:
    """Close the most recently opened pool (tests and scripts that made their own app)."""
    global _pool
    if _pool is not None:
        _pool.close()
        _pool = None


def pool() -> ConnectionPool:
    """The current app's pool (each app has its own, for its own DATABASE_URL)."""
    if has_app_context() and POOL_KEY in current_app.extensions:
        return current_app.extensions[POOL_KEY]
    if _pool is None:
        raise RuntimeError("the database pool is not open in this process")
    return _pool


def request_connection() -> psycopg.Connection:
    """The request's connection; its transaction commits when the request succeeds."""
    if "db_conn" not in g:
        conn = pool().getconn()
        g.db_conn = conn
    return g.db_conn


def mark_request_failed() -> None:
    """Roll back the request's transaction even though the error was handled."""
    g.db_rollback = True


def _commit_request(response):
    """Commit before the answer leaves, so a failed commit answers 503 rather than a false 2xx."""
    conn = g.get("db_conn")
    if conn is not None and not g.get("db_rollback", False) and not conn.closed:
        conn.commit()
        g.db_committed = True
    return response


def _finish_request(_exc: BaseException | None) -> None:
    conn = g.pop("db_conn", None)
    if conn is None:
        return
    committed = g.pop("db_committed", False)
    try:
        if not committed and not conn.closed:
            conn.rollback()
    except psycopg.Error:  # a broken connection: the pool discards it
        log.debug("rollback on a broken connection failed", exc_info=True)
    finally:
        pool().putconn(conn)
        _run_after_commit(conn, committed)


def init_app(app: Flask) -> None:
    settings = app.config["SETTINGS"]
    app.extensions[POOL_KEY] = open_pool(
        settings.database_url, settings.pool_min_size, settings.pool_max_size, settings.pool_timeout
    )
    app.after_request(_commit_request)
    app.teardown_request(_finish_request)


@contextmanager
def job_connection(conninfo: str) -> Iterator[psycopg.Connection]:
    """A connection of the job's own (RQ forks per job): commit on success, else roll back."""
    conn = psycopg.connect(conninfo, row_factory=dict_row, connect_timeout=5)
    committed = False
    try:
        yield conn
        conn.commit()
        committed = True
    except BaseException:
        conn.rollback()
        raise
    finally:
        conn.close()
        _run_after_commit(conn, committed)
