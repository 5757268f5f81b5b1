"""Exam generation time against bank size: 1k, 10k, 100k active questions in one class
(XII), on a database of its own. Timed: the assembly part of start_exam (candidate sampling
over the index, recently seen questions, the pure assembly) and the whole start_exam in a
transaction that is rolled back (quota, contents, snapshot insert, audit)."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import psycopg
from psycopg.rows import dict_row

from mathvidya import db
from mathvidya.authz import Principal
from mathvidya.exams import assembly, repository, service
from tools.bench import seed
from tools.bench.config import BenchConfig

BOARD_XII = "CBSE board pattern (Class XII)"


@dataclass
class GenerationResult:
    size: int
    active_questions: int
    assembly_ms: list[float] = field(default_factory=list)
    start_ms: list[float] = field(default_factory=list)
    candidate_rows: int = 0
    sampling_queries: int = 0

    @staticmethod
    def _p(values: list[float], q: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(len(ordered) * q))] if ordered else 0.0

    @property
    def assembly_p50(self) -> float:
        return statistics.median(self.assembly_ms) if self.assembly_ms else 0.0

    @property
    def assembly_p95(self) -> float:
        return self._p(self.assembly_ms, 0.95)

    @property
    def start_p50(self) -> float:
        return statistics.median(self.start_ms) if self.start_ms else 0.0

    @property
    def start_p95(self) -> float:
        return self._p(self.start_ms, 0.95)


def _set_bank(conn: psycopg.Connection, size: int) -> int:
    """Replace the bank with ``size`` active questions of class XII (no exams reference them)."""
    units = conn.execute("SELECT count(*) FROM bench.units WHERE class = 'XII'").fetchone()[0]
    conn.execute("DELETE FROM questions")
    conn.execute(seed.questions_sql(seed.per_unit_counts(size, units), class_filter="XII"))
    conn.commit()
    with psycopg.connect(conn.info.dsn, autocommit=True) as maintenance:
        maintenance.execute("VACUUM (ANALYZE) questions")
    return conn.execute("SELECT count(*) FROM questions WHERE status = 'active'").fetchone()[0]


def prepare(url: str, cfg: BenchConfig) -> None:
    """A few students with parents and subscriptions; the reference units and templates."""
    small = BenchConfig(**{**cfg.__dict__, "students": 20, "teachers": 2, "marker_teachers": 1})
    with psycopg.connect(url) as conn:
        seed.seed_people(conn, small)
        seed.seed_units(conn)
        conn.commit()


def measure(app, url: str, cfg: BenchConfig) -> list[GenerationResult]:
    settings = app.config["SETTINGS"]
    results = []
    with psycopg.connect(url) as setup:
        student = setup.execute(
            "SELECT s.user_id FROM bench.students s WHERE s.class = 'XII' AND s.plan_type IN ('premium', 'centum') "
            "ORDER BY s.i LIMIT 1"
        ).fetchone()[0]
        template_id = setup.execute(
            "SELECT template_id FROM exam_templates WHERE template_name = %s", (BOARD_XII,)
        ).fetchone()[0]
    principal = Principal(user_id=student, role="student", family_id=None, ip_address=None)
    for size in cfg.generation_sizes:
        with psycopg.connect(url) as conn:
            active = _set_bank(conn, size)
        result = GenerationResult(size, active)
        with app.app_context(), psycopg.connect(url, row_factory=dict_row) as conn:
            template = repository.get_template_for_start(conn, template_id)
            sections = service._section_specs(template)
            conn.rollback()
            for i in range(cfg.generations_per_size + 5):
                began = time.perf_counter()
                pool = service._candidates(conn, "XII", sections)
                seen = repository.recently_seen(conn, student, service.RECENT_EXAMS_AVOIDED)
                assembled = assembly.assemble(sections, pool, seen, 1000 + i)
                assembly_ms = (time.perf_counter() - began) * 1000
                conn.rollback()
                if not assembled.ok:
                    raise RuntimeError(f"bank of {size} cannot fill the board exam: {assembled.shortfalls}")
                began = time.perf_counter()
                service.start_exam(conn, settings, principal, template_id, datetime.now(UTC))
                start_ms = (time.perf_counter() - began) * 1000
                conn.rollback()
                db._run_after_commit(conn, committed=False)  # drop the auto-submit timer of the rolled-back exam
                if i >= 5:  # warm-up
                    result.assembly_ms.append(assembly_ms)
                    result.start_ms.append(start_ms)
                    result.candidate_rows = sum(len(v) for v in pool.values())
                    result.sampling_queries = len(pool)
        results.append(result)
    return results
