"""CPU time per request of the hot endpoints, in-process, robust on a shared machine.

Wall-clock req/s depends on what else the machine runs; the CPU time this process spends
per request does not (much). This builds the production app in-process against a seeded
database (the bench's seed at quick size), warms each endpoint up, then serves N requests
through the WSGI callable and reports ``time.process_time()`` per request, optionally with
the cProfile functions that cost the most.

    .venv/bin/python -m tools.measure_request_cpu                      # all endpoints
    .venv/bin/python -m tools.measure_request_cpu --only "get exam" --profile
    .venv/bin/python -m tools.measure_request_cpu --state .local/cpu   # keep/reuse the seeded data

PostgreSQL, Redis and S3 run in their own processes, so their CPU is not counted here.
Figures go to docs/benchmarks.md by hand; nothing here is asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psycopg
from werkzeug.test import EnvironBuilder

from tools.bench import seed, services, tokens, workload
from tools.bench.config import load_config
from tools.local_services import PostgresServer, create_bucket, redis_server, s3_server

READS = (
    "get exam",
    "results",
    "dashboard",
    "leaderboard",
    "teacher queue",
    "users me",
    "plans",
    "question list",
)
WRITES = ("autosave",)
SEEDED_MARKER = "seeded"


def _start(base: Path) -> tuple[services.Services, bool]:
    """The bench's servers; PostgreSQL's data survives in ``base`` between runs."""
    base.mkdir(parents=True, exist_ok=True)
    os.chmod(base, 0o755)
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    seeded = (base / SEEDED_MARKER).exists()
    if not seeded:
        shutil.rmtree(base / "pg", ignore_errors=True)
        svc = services.start_services(base)
        return svc, False
    postgres = PostgresServer(base / "pg").start(fast=True)
    redis = redis_server(base / "redis").start()
    s3 = s3_server(base / "s3").start()
    svc = services.Services(base, postgres, redis, s3)
    create_bucket(svc.s3_url, services.BUCKET)
    return svc, True


def _seed(svc: services.Services, base: Path) -> None:
    cfg = load_config({"BENCH_QUICK": "1", "BENCH_EXAMS": os.environ.get("BENCH_EXAMS", "3000")})
    services.migrate_template(svc)
    url = services.create_database(svc, services.MAIN_DB)
    began = time.monotonic()
    seed.seed_all(url, cfg, submit_mcq_pool=200, submit_eval_pool=100)
    print(f"seeded in {time.monotonic() - began:.0f} s", file=sys.stderr)
    (base / SEEDED_MARKER).write_text("yes\n")


def _environ(method: str, path: str, token: str, body: str | None) -> dict:
    builder = EnvironBuilder(
        path=path.split("?")[0],
        query_string=path.split("?")[1] if "?" in path else None,
        method=method,
        headers={"Authorization": f"Bearer {token}"},
        data=body,
        content_type="application/json" if body else None,
    )
    try:
        return builder.get_environ()
    finally:
        builder.close()


class Wsgi:
    """Calls the WSGI app the way a server does, with prebuilt environs."""

    def __init__(self, app) -> None:
        self.app = app
        self.status = ""

    def _start_response(self, status, headers, exc_info=None):
        self.status = status

    def __call__(self, environ: dict) -> tuple[int, bytes]:
        env = dict(environ)
        if env.get("CONTENT_LENGTH"):
            env["wsgi.input"] = io.BytesIO(environ["_body"])
        result = self.app(env, self._start_response)
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close:
                close()
        return int(self.status.split()[0]), body


def _environs(endpoint: workload.Endpoint, limit: int) -> list[dict]:
    method = "PUT" if endpoint.name == "autosave" else endpoint.method
    built = []
    for token, path, body in endpoint.requests[:limit]:
        env = _environ(method, path, token, body)
        env["_body"] = body.encode() if body else b""
        built.append(env)
    return built


def measure(call: Wsgi, environs: list[dict], count: int, warmup: int, profile: bool, rounds: int = 5) -> dict:
    """CPU ms per request: the least disturbed of ``rounds`` rounds (other programs can only
    add to a round's time, through shared caches and cores) and their median."""
    for i in range(warmup):
        call(environs[i % len(environs)])
    profiler = cProfile.Profile() if profile else None
    failures, statuses, sizes, per_round, walls = 0, set(), [], [], []
    per = max(1, count // rounds)
    if profiler:
        profiler.enable()
    for r in range(rounds):
        cpu0, wall0 = time.process_time(), time.perf_counter()
        for i in range(r * per, (r + 1) * per):
            status, body = call(environs[i % len(environs)])
            if status >= 300:
                failures += 1
                statuses.add(status)
            sizes.append(len(body))
        per_round.append((time.process_time() - cpu0) / per * 1000)
        walls.append((time.perf_counter() - wall0) / per * 1000)
    if profiler:
        profiler.disable()
    outcome = {
        "cpu_ms": min(per_round),
        "cpu_ms_median": statistics.median(per_round),
        "wall_ms": min(walls),
        "failures": failures,
        "statuses": sorted(statuses),
        "bytes": statistics.median(sizes),
    }
    if profiler:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(45)
        outcome["profile"] = out.getvalue()
    return outcome


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=400, help="measured requests per endpoint")
    parser.add_argument("--warmup", type=int, default=60)
    parser.add_argument("--only", action="append", help="endpoint name (repeatable)")
    parser.add_argument("--profile", action="store_true", help="print the cProfile top functions")
    parser.add_argument("--state", help="folder keeping the seeded PostgreSQL between runs")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()

    base = Path(args.state).resolve() if args.state else Path(tempfile.mkdtemp(prefix="mv-cpu-"))
    svc, seeded = _start(base)
    try:
        if not seeded:
            _seed(svc, base)
        url = svc.database_url()
        env = svc.app_env()
        from mathvidya import create_app
        from mathvidya.config import load_settings

        real_stderr = sys.stderr
        sys.stderr = open(os.devnull, "w")  # the access log is formatted and written, as in production
        try:
            app = create_app(load_settings(env))
        finally:
            logged, sys.stderr = sys.stderr, real_stderr
        cfg = load_config({"BENCH_QUICK": "1"})
        with psycopg.connect(url) as conn:
            minted = tokens.mint(app, url, workload.token_users(conn, cfg))
            endpoints, _ = workload.build(conn, url, cfg, minted)
        wanted = args.only or [*READS, *WRITES]
        call = Wsgi(app)
        figures = {}
        for endpoint in endpoints:
            if endpoint.name not in wanted:
                continue
            environs = _environs(endpoint, 200)
            sys.stderr = logged
            try:
                result = measure(call, environs, args.requests, args.warmup, args.profile)
            finally:
                sys.stderr = real_stderr
            figures[endpoint.name] = {k: v for k, v in result.items() if k != "profile"}
            print(
                f"{endpoint.name:14s} {result['cpu_ms']:6.2f} ms CPU/request (median of rounds "
                f"{result['cpu_ms_median']:5.2f})  {result['wall_ms']:6.2f} ms wall  "
                f"{result['bytes']:>7,.0f} B  failures {result['failures']} {result['statuses'] or ''}",
                flush=True,
            )
            if args.profile:
                print(result["profile"], flush=True)
        if args.json:
            Path(args.json).write_text(json.dumps(figures, indent=2))
        with contextlib.suppress(Exception):
            app.extensions["mathvidya_pool"].close()
    finally:
        svc.stop()
        if not args.state:
            shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
