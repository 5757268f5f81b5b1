"""The HTTP load: wrk (C, Lua-scripted) for single-request endpoints, a small threaded
Python client for the multi-step teacher flow; medians of several runs with a warm-up,
waiting for the server to go idle between runs; SQL statements per request from
pg_stat_statements; CPU per process group during each run."""

from __future__ import annotations

import http.client
import itertools
import json
import math
import shutil
import statistics
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from tools.bench.system import CpuMeter, CpuUse, wait_until_idle
from tools.local_services import apt_install

LUA_SCRIPT = Path(__file__).with_name("wrk_request.lua")
RESULT_PREFIX = "BENCH_RESULT "
WRK_THREADS = 2
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK")
# Cores other programs may use during a run before it is tried again (the machine is shared).
NOISE_LIMIT = 0.25


class LoadError(RuntimeError):
    pass


def ensure_wrk() -> str:
    """wrk from Debian's packages; installed when missing and we are root."""
    found = shutil.which("wrk")
    if found:
        return found
    try:
        apt_install("wrk")
    except Exception as exc:
        raise LoadError(f"wrk is missing: install it with `sudo apt-get install -y wrk` ({exc})") from None
    found = shutil.which("wrk")
    if not found:
        raise LoadError("wrk is still missing after apt-get install wrk")
    return found


@dataclass(frozen=True)
class RunResult:
    """One measured run: throughput and latency percentiles (milliseconds)."""

    requests: int
    seconds: float
    p50_ms: float
    p90_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    non_2xx: int = 0
    socket_errors: int = 0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def parse_wrk_output(stdout: str) -> RunResult:
    """The BENCH_RESULT line that tools/bench/wrk_request.lua's done() prints."""
    for line in stdout.splitlines():
        if line.startswith(RESULT_PREFIX):
            data = json.loads(line[len(RESULT_PREFIX) :])
            latency, errors = data["latency_us"], data["errors"]
            return RunResult(
                requests=int(data["requests"]),
                seconds=data["duration_us"] / 1e6,
                p50_ms=latency["p50"] / 1000,
                p90_ms=latency["p90"] / 1000,
                p95_ms=latency["p95"] / 1000,
                p99_ms=latency["p99"] / 1000,
                max_ms=latency["max"] / 1000,
                non_2xx=int(errors["status"]),
                socket_errors=int(errors["connect"])
                + int(errors["read"])
                + int(errors["write"])
                + int(errors["timeout"]),
            )
    raise LoadError(f"no {RESULT_PREFIX.strip()} line in wrk's output:\n{stdout[-2000:]}")


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted list (q in 0..100)."""
    if not sorted_values:
        return 0.0
    rank = max(1, min(len(sorted_values), math.ceil(q / 100 * len(sorted_values))))
    return sorted_values[rank - 1]


def result_from_latencies(latencies_ms: list[float], seconds: float, errors: int = 0) -> RunResult:
    values = sorted(latencies_ms)
    return RunResult(
        requests=len(values),
        seconds=seconds,
        p50_ms=percentile(values, 50),
        p90_ms=percentile(values, 90),
        p95_ms=percentile(values, 95),
        p99_ms=percentile(values, 99),
        max_ms=values[-1] if values else 0.0,
        non_2xx=errors,
    )


def median_run(runs: list[RunResult]) -> RunResult:
    """Each figure is the median of that figure over the runs."""
    if not runs:
        raise LoadError("no runs to summarise")
    med = statistics.median
    return RunResult(
        requests=round(med(r.requests for r in runs)),
        seconds=med(r.seconds for r in runs),
        p50_ms=med(r.p50_ms for r in runs),
        p90_ms=med(r.p90_ms for r in runs),
        p95_ms=med(r.p95_ms for r in runs),
        p99_ms=med(r.p99_ms for r in runs),
        max_ms=med(r.max_ms for r in runs),
        non_2xx=sum(r.non_2xx for r in runs),
        socket_errors=sum(r.socket_errors for r in runs),
    )


def median_rps(runs: list[RunResult]) -> float:
    return statistics.median(r.rps for r in runs) if runs else 0.0


def run_wrk(
    base_url: str, data_file: Path, method: str, seconds: int, connections: int, threads: int = WRK_THREADS
) -> RunResult:
    command = [
        "wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s",
        "-s", str(LUA_SCRIPT), base_url, "--", str(data_file), method, str(threads),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120)
    if done.returncode != 0:
        raise LoadError(f"wrk failed ({done.returncode}): {done.stderr[-1000:]}")
    return parse_wrk_output(done.stdout)


# --- statements per request ---------------------------------------------------------------------


@dataclass
class SqlProfile:
    """What the database ran during a run: statements and transactions per request, top queries."""

    statements: int = 0
    transactions: int = 0
    top: list[dict] = field(default_factory=list)

    def per_request(self, requests: int) -> tuple[float, float]:
        if not requests:
            return 0.0, 0.0
        return self.statements / requests, self.transactions / requests


def reset_statements(conn: psycopg.Connection) -> None:
    conn.execute("SELECT pg_stat_statements_reset()")


def read_statements(conn: psycopg.Connection, top: int = 6) -> SqlProfile:
    rows = conn.execute(
        """SELECT query, calls, total_exec_time, rows FROM pg_stat_statements
           WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
             AND query NOT ILIKE '%pg_stat_statements%'"""
    ).fetchall()
    profile = SqlProfile()
    ranked = []
    for query, calls, total_ms, row_count in rows:
        head = query.strip().split(None, 1)[0].upper() if query.strip() else ""
        if head in TRANSACTION_CONTROL:
            if head == "BEGIN":
                profile.transactions += calls
            continue
        profile.statements += calls
        ranked.append({"query": " ".join(query.split()), "calls": calls, "total_ms": total_ms, "rows": row_count})
    ranked.sort(key=lambda r: r["total_ms"], reverse=True)
    profile.top = ranked[:top]
    return profile


# --- one endpoint ---------------------------------------------------------------------------------


@dataclass
class EndpointResult:
    name: str
    runs: list[RunResult] = field(default_factory=list)
    cpu: list[CpuUse] = field(default_factory=list)
    sql: list[SqlProfile] = field(default_factory=list)
    idle_waits: list[float] = field(default_factory=list)
    note: str = ""
    client_cpu_cores: float | None = None
    discarded: int = 0

    @property
    def summary(self) -> RunResult:
        return median_run(self.runs)

    @property
    def rps(self) -> float:
        return median_rps(self.runs)

    def cpu_median(self, group: str) -> float:
        values = [c.cores.get(group, 0.0) for c in self.cpu]
        return statistics.median(values) if values else 0.0

    def per_request(self) -> tuple[float, float]:
        pairs = [s.per_request(r.requests) for s, r in zip(self.sql, self.runs, strict=False)]
        if not pairs:
            return 0.0, 0.0
        return statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)


@dataclass
class LoadContext:
    base_url: str
    meter: CpuMeter
    busy_pids: Callable[[], list[int]]
    stats_url: str
    seconds: int
    warmup: int
    runs: int
    connections: int
    noise_retries: int = 2


def measure(
    ctx: LoadContext,
    name: str,
    one_run: Callable[[int], RunResult],
    reset: Callable[[], None] | None = None,
    client_cpu: bool = False,
) -> EndpointResult:
    """Warm-up, then ``ctx.runs`` measured runs, each after a reset and an idle server. A run
    during which other programs on the machine took more than NOISE_LIMIT cores is tried
    again (at most ``ctx.noise_retries`` times per run); the least disturbed attempt is kept."""
    result = EndpointResult(name)
    if reset:
        reset()
    one_run(ctx.warmup)
    with psycopg.connect(ctx.stats_url, autocommit=True) as stats:
        for _ in range(ctx.runs):
            best, attempts = None, 0
            for _attempt in range(1 + ctx.noise_retries):
                attempts += 1
                # requests abandoned when the generator stopped finish first, then the pool is reset
                waited = wait_until_idle(ctx.busy_pids)
                if reset:
                    reset()
                    waited += wait_until_idle(ctx.busy_pids)
                reset_statements(stats)
                before = ctx.meter.snapshot()
                run = one_run(ctx.seconds)
                after = ctx.meter.snapshot()
                attempt_result = (run, CpuMeter.between(before, after), read_statements(stats), waited)
                if best is None or attempt_result[1].other < best[1].other:
                    best = attempt_result
                if attempt_result[1].other <= NOISE_LIMIT:
                    break
            result.discarded += attempts - 1
            run, cpu, profile, waited = best
            result.runs.append(run)
            result.cpu.append(cpu)
            result.sql.append(profile)
            result.idle_waits.append(waited)
    if client_cpu:
        result.client_cpu_cores = result.cpu_median("bench client")
    return result


# --- the multi-step teacher flow: GET the evaluation, then POST its marks ------------------------


def _request(conn: http.client.HTTPConnection, method: str, path: str, token: str, body: dict | None = None):
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body)
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=data, headers=headers)
    response = conn.getresponse()
    raw = response.read()
    return response.status, raw


def marks_for(view: dict) -> list[dict]:
    """Half the marks of every written question (0 for those declared unanswered; alternative
    (a) of a choice question)."""
    marks = []
    for question in view["questions"]:
        awarded = 0 if question.get("declared_unanswered") else int(float(question["marks"])) / 2
        row = {"question_number": question["question_number"], "marks_awarded": awarded}
        if question.get("alternatives") and not question.get("declared_unanswered"):
            row["choice"] = "a"  # internal choice: the student's first alternative
        marks.append(row)
    return marks


@dataclass
class FlowRun:
    result: RunResult
    get_ms: list[float]
    post_ms: list[float]
    exhausted: bool


def run_evaluation_flows(base_url: str, items: list[dict], seconds: int, concurrency: int) -> FlowRun:
    """``concurrency`` threads, each with a keep-alive connection, mark evaluations from
    ``items`` ({token, evaluation_id}) until time is up; each item once."""
    host, port = base_url.replace("http://", "").split(":")
    counter = itertools.count()
    lock = threading.Lock()
    flows, gets, posts = [], [], []
    errors = [0]
    exhausted = [False]
    deadline = time.perf_counter() + seconds

    def worker() -> None:
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        while time.perf_counter() < deadline:
            with lock:
                index = next(counter)
            if index >= len(items):
                exhausted[0] = True
                break
            item = items[index]
            path = f"/api/v1/evaluations/{item['evaluation_id']}"
            started = time.perf_counter()
            status, raw = _request(conn, "GET", path, item["token"])
            got = time.perf_counter()
            if status != 200:
                errors[0] += 1
                continue
            body = {"question_marks": marks_for(json.loads(raw))}
            status, _ = _request(conn, "POST", path + "/submit", item["token"], body)
            ended = time.perf_counter()
            with lock:
                if status == 200:
                    flows.append((ended - started) * 1000)
                    gets.append((got - started) * 1000)
                    posts.append((ended - got) * 1000)
                else:
                    errors[0] += 1
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return FlowRun(result_from_latencies(flows, elapsed, errors[0]), gets, posts, exhausted[0])
