"""Measures what the revocation design costs per request, and what a password hash costs.

Run: .venv/bin/python -m tools.measure_auth   (starts its own PostgreSQL and Redis)
Figures go to docs/identity.md by hand; nothing here is asserted.
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import psycopg
from alembic import command
from alembic.config import Config
from psycopg.rows import dict_row

from mathvidya.config import Settings
from mathvidya.identity import passwords
from mathvidya.queries import queries
from tools.local_services import PostgresServer, redis_server

ROOT = Path(__file__).resolve().parent.parent


def _per_call_us(fn, n: int) -> float:
    samples = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        samples.append((time.perf_counter() - start) / n * 1e6)
    return statistics.median(samples)


def main() -> None:
    base = Path(tempfile.mkdtemp(prefix="mv-measure-"))
    os.chmod(base, 0o755)
    pg = PostgresServer(base / "pg").start(fast=True)
    rd = redis_server(base / "redis").start()
    try:
        url = pg.create_database("measure")
        config = Config(str(ROOT / "alembic.ini"))
        config.attributes.update(database_url=url, configure_logger=False)
        command.upgrade(config, "head")
        settings = Settings(env="test", database_url=url, redis_url=f"redis://127.0.0.1:{rd.port}/0",
                            log_level="WARNING", auth_rate_limit="1000000 per minute")
        from mathvidya import create_app
        from tests.factories import make_user

        app = create_app(settings)
        user = make_user(app, "student")
        with psycopg.connect(url, row_factory=dict_row) as conn:
            family = conn.execute("SELECT family_id FROM token_families WHERE user_id = %s",
                                  (user["user_id"],)).fetchone()["family_id"]
            liveness = _per_call_us(lambda: queries("authz").token_liveness(conn, user_id=user["user_id"],
                                                                             family_id=family), 2000)
        client = app.test_client()
        me = _per_call_us(lambda: client.get("/api/v1/users/me", headers=user["headers"]), 500)
        health = _per_call_us(lambda: client.get("/healthz"), 500)
        hashed = passwords.hash_password("a-password-to-hash")
        hash_ms = _per_call_us(lambda: passwords.hash_password("a-password-to-hash"), 20) / 1000
        verify_ms = _per_call_us(lambda: passwords.verify_password(hashed, "a-password-to-hash"), 20) / 1000
        print(f"token liveness query (one PK join):   {liveness:8.1f} µs per request")
        print(f"GET /users/me (JWT + liveness + read):  {me:8.1f} µs per request (in-process test client)")
        print(f"GET /healthz (no auth, no DB):          {health:8.1f} µs per request")
        print(f"argon2id hash: {hash_ms:.1f} ms, verify: {verify_ms:.1f} ms")
    finally:
        rd.stop()
        pg.stop()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
