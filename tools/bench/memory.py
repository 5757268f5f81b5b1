"""Web worker memory after a long mixed run: the Procfile's web line serves, one after the
other, logins (Argon2 hashes), the exam view, the question list, signed upload forms and
the dashboard, several times over; each worker's RSS is read from /proc after every
segment (a worker restarted during the run shows as a new pid)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from tools.bench import load, server, system, tokens, workload

ROUNDS = 3
LOGIN_PASSWORD = "bench-password-123"  # tools/bench/seed.py


@dataclass
class MemorySample:
    segment: str
    rss_mib: dict[int, float]  # worker pid → RSS
    requests: int = 0
    errors: int = 0


@dataclass
class MemoryResult:
    samples: list[MemorySample] = field(default_factory=list)
    seconds_per_segment: int = 0
    total_requests: int = 0

    @property
    def peak_mib(self) -> float:
        return max((v for s in self.samples for v in s.rss_mib.values()), default=0.0)

    @property
    def final_mib(self) -> dict[int, float]:
        return self.samples[-1].rss_mib if self.samples else {}


def _workers(master: int) -> dict[int, float]:
    pids = [pid for pid in system.process_tree(master) if pid != master]
    return {pid: (system.rss_kib(pid) or 0) / 1024 for pid in pids}


def _segments(conn: psycopg.Connection, endpoints: list[workload.Endpoint]) -> list[tuple[str, str, list]]:
    by_name = {e.name: e for e in endpoints}
    emails = [row[0] for row in conn.execute("SELECT email FROM users WHERE role = 'student' ORDER BY email LIMIT 200")]
    logins = [("", "/api/v1/auth/login", json.dumps({"email": e, "password": LOGIN_PASSWORD})) for e in emails]
    teachers = [token for token, _, _ in by_name["question list"].requests]
    uploads = [
        (token, "/api/v1/questions/image-upload-url", json.dumps({"content_type": "image/png"})) for token in teachers
    ]
    return [
        ("logins", "POST", logins),
        ("get exam", "GET", by_name["get exam"].requests),
        ("question list", "GET", by_name["question list"].requests),
        ("upload forms", "POST", uploads),
        ("dashboard", "GET", by_name["dashboard"].requests),
    ]


def measure(env: dict[str, str], log_dir: Path, lua_dir: Path, url: str, endpoints, seconds: int, connections: int):
    """Start the web line with a login limit high enough for the load, run ROUNDS rounds of
    every segment, sample each worker's RSS after each segment."""
    web = server.start_web({**env, "AUTH_RATE_LIMIT": "1000000 per minute"}, log_dir)
    result = MemoryResult(seconds_per_segment=seconds)
    try:
        result.samples.append(MemorySample("started", _workers(web.pid)))
        with psycopg.connect(url) as conn:
            segments = _segments(conn, endpoints)
        for round_number in range(1, ROUNDS + 1):
            for name, method, items in segments:
                data = tokens.write_lua_items(lua_dir / f"memory_{name.replace(' ', '_')}.lua", items)
                run = load.run_wrk(web.base_url, data, method, seconds, connections)
                result.total_requests += run.requests
                result.samples.append(
                    MemorySample(
                        f"round {round_number}: {name}",
                        _workers(web.pid),
                        run.requests,
                        run.non_2xx + run.socket_errors,
                    )
                )
    finally:
        web.stop()
    return result
