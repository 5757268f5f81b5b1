"""Worker memory: the Procfile's worker (`python -m mathvidya.worker`) runs a few hundred
real jobs (auto-submit of exams whose time ran out, assignment of confirmed exams, and the
e-mail deliveries those enqueue); its RSS, its scheduler's and each work horse's are read
from /proc while they run."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from redis import Redis
from rq import Queue, Worker

from mathvidya.evaluations import jobs as evaluation_jobs
from mathvidya.exams import jobs as exam_jobs
from mathvidya.queue import DEFAULT, EVALUATION, QUEUE_NAMES, enqueue_unique
from tools.bench import seed
from tools.bench.config import BenchConfig
from tools.bench.server import start_worker
from tools.bench.system import process_tree, rss_kib

SAMPLE_EVERY = 0.02


def _pss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


@dataclass
class WorkerResult:
    jobs_enqueued: int = 0
    jobs_finished: int = 0
    jobs_failed: int = 0
    seconds: float = 0.0
    main_idle_kib: int = 0
    main_after_kib: int = 0
    main_peak_kib: int = 0
    scheduler_peak_kib: int = 0
    horse_peak_kib: int = 0
    horse_median_peak_kib: int = 0
    horse_peak_pss_kib: int = 0
    horses_seen: int = 0
    notes: list[str] = field(default_factory=list)


def clear_queues(redis: Redis) -> None:
    """Jobs the load phases left (no worker ran then): timers, deliveries, refreshes."""
    for name in QUEUE_NAMES:
        queue = Queue(name, connection=redis)
        queue.empty()
        for registry in (queue.scheduled_job_registry, queue.finished_job_registry, queue.failed_job_registry,
                         queue.deferred_job_registry):  # fmt: skip
            for job_id in registry.get_job_ids():
                registry.remove(job_id, delete_job=True)


def _pending(conn: psycopg.Connection) -> int:
    return conn.execute(
        """SELECT count(*) FROM bench.pool p JOIN exam_instances e ON e.exam_instance_id = p.exam_id
           WHERE (p.kind = 'overdue' AND e.status = 'in_progress')
              OR (p.kind = 'unassigned' AND NOT EXISTS (
                    SELECT 1 FROM evaluations ev WHERE ev.exam_instance_id = e.exam_instance_id))"""
    ).fetchone()[0]


def measure(
    env: dict[str, str], log_dir: Path, url: str, redis_url: str, cfg: BenchConfig, *, preload: bool = False
) -> WorkerResult:
    """``preload``: run tools.bench.preloaded_worker instead of the Procfile line."""
    result = WorkerResult()
    redis = Redis.from_url(redis_url)
    clear_queues(redis)
    with psycopg.connect(url) as conn:
        conn.execute("DELETE FROM bench.pool WHERE kind IN ('overdue', 'unassigned')")
        seed.seed_worker_pool(conn, cfg, cfg.worker_jobs)
        conn.commit()
        overdue = [r[0] for r in conn.execute("SELECT exam_id FROM bench.pool WHERE kind = 'overdue'")]
        unassigned = [r[0] for r in conn.execute("SELECT exam_id FROM bench.pool WHERE kind = 'unassigned'")]
    worker = start_worker(env, log_dir, "python -m tools.bench.preloaded_worker" if preload else None)
    try:
        deadline = time.monotonic() + 60
        while not Worker.all(connection=redis) and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(2)
        result.main_idle_kib = rss_kib(worker.pid) or 0
        for exam_id in overdue:
            Queue(DEFAULT, connection=redis).enqueue(exam_jobs.auto_submit_exam_job, str(exam_id))
        for exam_id in unassigned:
            enqueue_unique(Queue(EVALUATION, connection=redis), evaluation_jobs.assign_evaluation_job,
                           f"assign-{exam_id}", str(exam_id))  # fmt: skip
        result.jobs_enqueued = len(overdue) + len(unassigned)
        began = time.monotonic()
        peaks: dict[int, int] = {}
        pss: dict[int, int] = {}
        seen: dict[int, int] = {}
        samples = 0
        with psycopg.connect(url, autocommit=True) as conn:
            last_check = 0.0
            while time.monotonic() - began < 300:
                samples += 1
                for pid in process_tree(worker.pid):
                    rss = rss_kib(pid)
                    if rss is None:
                        continue
                    peaks[pid] = max(peaks.get(pid, 0), rss)
                    seen[pid] = seen.get(pid, 0) + 1
                    if pid != worker.pid:
                        value = _pss_kib(pid)
                        if value:
                            pss[pid] = max(pss.get(pid, 0), value)
                now = time.monotonic()
                if now - last_check > 0.5:
                    last_check = now
                    queued = sum(Queue(name, connection=redis).count for name in QUEUE_NAMES)
                    busy = any(w.get_state() == "busy" for w in Worker.all(connection=redis))
                    if _pending(conn) == 0 and queued == 0 and not busy:
                        break
                time.sleep(SAMPLE_EVERY)
        result.seconds = time.monotonic() - began
        time.sleep(1)
        result.main_after_kib = rss_kib(worker.pid) or 0
        result.main_peak_kib = peaks.get(worker.pid, 0)
        long_lived = [pid for pid, count in seen.items() if pid != worker.pid and count > samples * 0.5]
        horses = [pid for pid in seen if pid != worker.pid and pid not in long_lived]
        result.scheduler_peak_kib = max((peaks[pid] for pid in long_lived), default=0)
        horse_peaks = [peaks[pid] for pid in horses]
        result.horses_seen = len(horses)
        result.horse_peak_kib = max(horse_peaks, default=0)
        result.horse_median_peak_kib = round(statistics.median(horse_peaks)) if horse_peaks else 0
        result.horse_peak_pss_kib = max((pss.get(pid, 0) for pid in horses), default=0)
        for name in QUEUE_NAMES:
            queue = Queue(name, connection=redis)
            result.jobs_finished += len(queue.finished_job_registry)
            result.jobs_failed += len(queue.failed_job_registry)
        with psycopg.connect(url) as conn:
            left = _pending(conn)
        if left:
            result.notes.append(f"{left} exams still not handled after {result.seconds:.0f} s")
    finally:
        worker.stop()
    return result
