"""One psycopg_pool per process and one transaction per request or job.

Each app opens its own pool in ``init_app`` — after the process forks, since gunicorn
(without --preload) builds the app in each worker; RQ jobs use ``job_connection``.
"""

from __future__ import annotations

import logging
import os
import select
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import orjson
import psycopg
from flask import Flask, current_app, g, has_app_context, has_request_context, request
from psycopg import pq
from psycopg.rows import dict_row
from psycopg.types.json import set_json_loads
from psycopg_pool import ConnectionPool, PoolTimeout

# json and jsonb columns (exam snapshots, answers, marking schemes) are parsed by orjson in
# every connection of the process: 2-3x faster on a 40 KB exam snapshot, and the same Python
# values as the json module gives, except integers beyond 64 bits (read as floats), which
# no column holds: every number the app stores is validated to a range first.
set_json_loads(orjson.loads)


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


# A connection a request gave back healthy this recently, on whose socket nothing has arrived
# since, is lent without the ping. A server that restarts or ends the session closes the
# socket (with a last message), which makes it readable at once; the ping remains for
# connections idle longer, which a firewall or proxy may have dropped without a word.
IDLE_PING_SECONDS = 10.0
_RETURNED_HEALTHY_AT = "_mathvidya_returned_healthy_at"


def _socket_has_news(conn: psycopg.Connection) -> bool:
    """Something (a termination notice, EOF, an error) waits on an idle connection's socket."""
    try:
        poller = select.poll()
        poller.register(conn.fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
        return bool(poller.poll(0))
    except (OSError, ValueError, psycopg.Error):
        return True


def _known_healthy(conn: psycopg.Connection) -> bool:
    returned_at = getattr(conn, _RETURNED_HEALTHY_AT, None)
    if returned_at is None or time.monotonic() - returned_at > IDLE_PING_SECONDS:
        return False
    return not conn.closed and not _socket_has_news(conn)


def _note_return(conn: psycopg.Connection) -> None:
    """Stamp a connection going back healthy (idle, session OK); forget the stamp otherwise."""
    healthy = (
        not conn.closed
        and conn.pgconn.status == pq.ConnStatus.OK
        and conn.pgconn.transaction_status == pq.TransactionStatus.IDLE
    )
    setattr(conn, _RETURNED_HEALTHY_AT, time.monotonic() if healthy else None)


class DrainWhenStale:
    """The pool's check as a connection is lent. One given back healthy moments ago with a
    quiet socket is lent as it is (no round trip); any other is pinged. A connection that
    fails the ping means the server restarted or went away, so every idle connection is as
    dead as this one; drop them all at once. (Otherwise the pool checks them one by one
    with a growing pause between, 1 + 2 + 4 s, and a request after a restart would time
    out on stale connections.)"""

    def __init__(self) -> None:
        self.pool: ConnectionPool | None = None

    def __call__(self, conn: psycopg.Connection) -> None:
        if _known_healthy(conn):
            return
        try:
            ConnectionPool.check_connection(conn)
        except Exception:
            if self.pool is not None:
                self.pool.drain()
            raise


def connection_kwargs(prepared_statements: bool = True) -> dict:
    """psycopg connection options. ``prepared_statements=False`` never prepares statements on
    the server (prepare_threshold=None): needed behind PgBouncer in transaction mode, where
    consecutive transactions of one client may run on different server connections."""
    kwargs: dict = {"row_factory": dict_row, "connect_timeout": 5}
    if not prepared_statements:
        kwargs["prepare_threshold"] = None
    return kwargs


def open_pool(
    conninfo: str, min_size: int = 1, max_size: int = 10, timeout: float = 5.0, prepared_statements: bool = True
) -> ConnectionPool:
    """Open a pool (one per app, so one per gunicorn worker process; opened after fork).

    Every connection is checked as it is lent (DrainWhenStale), so none is stale after a
    PostgreSQL restart;
    a request that cannot get one within ``timeout`` seconds gets PoolTimeout (a 503).
    """
    global _pool
    check = DrainWhenStale()
    new_pool = ConnectionPool(
        conninfo,
        min_size=min_size,
        max_size=max_size,
        kwargs=connection_kwargs(prepared_statements),
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


AUTOCOMMIT_READS = "_autocommit_reads"


def autocommit_reads(view_method: Callable) -> Callable:
    """Mark a view method that only reads: its statements run without BEGIN/COMMIT (each
    statement its own snapshot), two round trips fewer per request. Never for a view that
    writes (its writes would not roll back with an error) or uses SET LOCAL."""
    setattr(view_method, AUTOCOMMIT_READS, True)
    return view_method


def _view_only_reads() -> bool:
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    view_class = getattr(view, "view_class", None)
    method = getattr(view_class, request.method.lower(), None) if view_class is not None else view
    return bool(getattr(method, AUTOCOMMIT_READS, False))


def request_connection() -> psycopg.Connection:
    """The request's connection; its transaction commits when the request succeeds (views
    marked ``autocommit_reads`` run without a transaction)."""
    if "db_conn" not in g:
        conn = pool().getconn()
        if has_request_context() and _view_only_reads():
            conn.autocommit = True
        g.db_conn = conn
    return g.db_conn


def mark_request_failed() -> None:
    """Roll back the request's transaction even though the error was handled."""
    g.db_rollback = True


def _commit_request(response):
    """Commit before the answer leaves, so a failed commit answers 503 rather than a false 2xx."""
    conn = g.get("db_conn")
    if conn is not None and not conn.autocommit and not g.get("db_rollback", False) and not conn.closed:
        conn.commit()
        g.db_committed = True
    return response


def _finish_request(exc: BaseException | None) -> None:
    conn = g.pop("db_conn", None)
    if conn is None:
        return
    committed = g.pop("db_committed", False)
    try:
        if conn.autocommit:
            committed = exc is None and not g.pop("db_rollback", False)
            if not conn.closed:
                conn.autocommit = False
        elif not committed and not conn.closed:
            conn.rollback()
    except psycopg.Error:  # a broken connection: the pool discards it
        log.debug("rollback on a broken connection failed", exc_info=True)
    finally:
        _note_return(conn)
        pool().putconn(conn)
        _run_after_commit(conn, committed)


def init_app(app: Flask) -> None:
    settings = app.config["SETTINGS"]
    app.extensions[POOL_KEY] = open_pool(
        settings.database_url,
        settings.pool_min_size,
        settings.pool_max_size,
        settings.pool_timeout,
        settings.db_prepared_statements,
    )
    app.after_request(_commit_request)
    app.teardown_request(_finish_request)


def prepared_statements_enabled(raw: str | None) -> bool:
    """DB_PREPARED_STATEMENTS: on unless "off", "0", "false" or "no" (off behind PgBouncer)."""
    return (raw or "on").strip().lower() not in ("off", "0", "false", "no")


def _jobs_prepare_statements() -> bool:
    """Jobs follow the same switch as the web process."""
    return prepared_statements_enabled(os.environ.get("DB_PREPARED_STATEMENTS"))


@contextmanager
def job_connection(conninfo: str) -> Iterator[psycopg.Connection]:
    """A connection of the job's own (RQ forks per job): commit on success, else roll back."""
    conn = psycopg.connect(conninfo, **connection_kwargs(_jobs_prepare_statements()))
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
