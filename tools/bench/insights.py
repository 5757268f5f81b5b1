"""Leaderboard refresh time against the number of evaluated exams, and dashboard latency
for a student with 200 exams — through whatever the insights domain provides when the
bench runs: the `refresh-leaderboards` periodic job (its registered name) and
the GET /analytics/dashboard and GET /leaderboard routes."""

from __future__ import annotations

import importlib.util
import statistics
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import psycopg
from psycopg.rows import dict_row

REFRESH_JOB = "refresh-leaderboards"
ITEM_ANALYSIS_JOB = "refresh-item-analysis"
DASHBOARD_PATH = "/api/v1/analytics/dashboard"
LEADERBOARD_PATH = "/api/v1/leaderboard"


@dataclass
class InsightsPresence:
    package: bool
    refresh_job: bool
    dashboard_route: bool
    leaderboard_route: bool

    @property
    def note(self) -> str:
        missing = [
            name
            for name, present in (
                ("mathvidya.insights", self.package),
                (f"the {REFRESH_JOB} job", self.refresh_job),
                (f"GET {DASHBOARD_PATH}", self.dashboard_route),
                (f"GET {LEADERBOARD_PATH}", self.leaderboard_route),
            )
            if not present
        ]
        return "insights not present — skipped" if not self.package else f"missing: {', '.join(missing)}"


def presence(app) -> InsightsPresence:
    package = importlib.util.find_spec("mathvidya.insights") is not None
    from mathvidya.jobs import registry

    job = any(j.name == REFRESH_JOB for j in registry.periodic_jobs())
    rules = {(rule.rule, method) for rule in app.url_map.iter_rules() for method in rule.methods or ()}
    return InsightsPresence(
        package=package,
        refresh_job=job,
        dashboard_route=(DASHBOARD_PATH, "GET") in rules,
        leaderboard_route=(LEADERBOARD_PATH, "GET") in rules,
    )


@dataclass
class RefreshTiming:
    evaluated_exams: int
    runs_ms: list[float] = field(default_factory=list)
    rows_touched: int = 0

    @property
    def median_ms(self) -> float:
        return statistics.median(self.runs_ms) if self.runs_ms else 0.0


def has_job(name: str) -> bool:
    from mathvidya.jobs import registry

    return any(j.name == name for j in registry.periodic_jobs())


def time_refresh(app, url: str, runs: int = 3, job_name: str = REFRESH_JOB) -> RefreshTiming:
    """A nightly insights job (by default refresh-leaderboards, both classes) run in this
    process, each run in its own transaction."""
    from mathvidya.jobs import registry

    job = registry.find_job(job_name)
    settings = app.config["SETTINGS"]
    with psycopg.connect(url) as conn:
        evaluated = conn.execute("SELECT count(*) FROM exam_instances WHERE status = 'evaluated'").fetchone()[0]
    timing = RefreshTiming(evaluated)
    with app.app_context():
        for _ in range(runs):
            with psycopg.connect(url, row_factory=dict_row) as conn:
                began = time.perf_counter()
                timing.rows_touched = job.function(conn, settings, datetime.now(UTC))
                conn.commit()
                timing.runs_ms.append((time.perf_counter() - began) * 1000)
    return timing


def sequential_latency(base_url: str, path: str, token: str, count: int = 100, warmup: int = 10):
    """One client, one request at a time: the latency of a single request on an idle server."""
    from tools.bench.load import result_from_latencies
    from tools.bench.server import call

    samples = []
    began_all = time.perf_counter()
    for i in range(count + warmup):
        began = time.perf_counter()
        status, body = call(base_url, "GET", path, token)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}: {str(body)[:300]}")
        if i >= warmup:
            samples.append((time.perf_counter() - began) * 1000)
    return result_from_latencies(samples, time.perf_counter() - began_all)


ITEM_LIST_FILTERS = (
    {"school_class": "XII", "unit": None, "flag": None},
    {"school_class": "XII", "unit": None, "flag": "key_suspect"},
)


def explain_item_list(url: str) -> list[str]:
    """EXPLAIN ANALYZE of the item-analysis measurement and of the admin list (first page)
    under typical filters."""
    from mathvidya.queries import queries

    sql = queries("item_analysis").list_question_analysis.sql
    lines = []
    with psycopg.connect(url) as conn:
        measure = queries("item_analysis").measure_items.sql
        plan = conn.execute("EXPLAIN (ANALYZE, COSTS OFF) " + measure, {"as_of": datetime.now(UTC)})
        lines += [row[0] for row in plan.fetchall()]
        for filters in ITEM_LIST_FILTERS:
            lines.append(f"-- {filters}")
            plan = conn.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql, {**filters, "limit": 20, "offset": 0})
            lines += [row[0] for row in plan.fetchall()]
    return lines
