"""What to run and how big: defaults from docs/benchmarks.md, overridable by environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import tools

# The repository holding the `tools` package (not this file's real path, so a copy of the
# tree with tools/bench linked into it benchmarks that copy).
ROOT = Path(tools.__file__).resolve().parent.parent
ALL_PHASES = ("load", "memory", "ceiling", "generation", "pagecheck", "insights", "worker", "workerclass")


def _int(env: dict[str, str], name: str, default: int) -> int:
    value = env.get(name)
    return int(value) if value not in (None, "") else default


@dataclass(frozen=True)
class BenchConfig:
    """Sizes, durations and which phases to run (see docs/benchmarks.md, "Running it")."""

    students: int
    questions: int
    exams: int
    seconds: int
    warmup_seconds: int
    runs: int
    ceiling_seconds: int
    connections: int
    generations_per_size: int
    generation_sizes: tuple[int, ...]
    worker_jobs: int
    noise_retries: int
    quick: bool
    million: bool
    phases: tuple[str, ...]
    output: Path
    keep: bool
    teachers: int = 40
    marker_teachers: int = 10
    heavy_student_exams: int = 200
    in_progress_exams: int = 400
    open_evaluations: int = 400
    extra: dict = field(default_factory=dict)

    @property
    def parents(self) -> int:
        """Nine parents for every ten students: some parents have two children."""
        return max(1, (self.students * 9) // 10)


def load_config(environ: dict[str, str] | None = None) -> BenchConfig:
    env = dict(os.environ if environ is None else environ)
    quick = env.get("BENCH_QUICK", "") not in ("", "0", "false", "no")
    seconds = _int(env, "BENCH_SECONDS", 5 if quick else 15)
    phases = tuple(p.strip() for p in env.get("BENCH_PHASES", ",".join(ALL_PHASES)).split(",") if p.strip())
    unknown = set(phases) - set(ALL_PHASES)
    if unknown:
        raise SystemExit(f"BENCH_PHASES: unknown phases {sorted(unknown)}; known: {', '.join(ALL_PHASES)}")
    default_output = ROOT / (".local/bench/benchmarks-quick.md" if quick else "docs/benchmarks.md")
    return BenchConfig(
        students=_int(env, "BENCH_STUDENTS", 500 if quick else 10_000),
        questions=_int(env, "BENCH_QUESTIONS", 3_000 if quick else 20_000),
        exams=_int(env, "BENCH_EXAMS", 5_000 if quick else 100_000),
        seconds=seconds,
        warmup_seconds=_int(env, "BENCH_WARMUP_SECONDS", 2 if quick else 3),
        runs=_int(env, "BENCH_RUNS", 3),
        ceiling_seconds=_int(env, "BENCH_CEILING_SECONDS", min(seconds, 10)),
        connections=_int(env, "BENCH_CONNECTIONS", 32),
        generations_per_size=_int(env, "BENCH_GENERATIONS", 20 if quick else 50),
        generation_sizes=(1_000, 10_000) if quick else (1_000, 10_000, 100_000),
        worker_jobs=_int(env, "BENCH_WORKER_JOBS", 200),
        noise_retries=_int(env, "BENCH_NOISE_RETRIES", 0 if quick else 2),
        quick=quick,
        million=(env["BENCH_MILLION"] not in ("", "0", "false", "no")) if "BENCH_MILLION" in env else not quick,
        phases=phases,
        output=Path(env.get("BENCH_OUTPUT") or default_output),
        keep=env.get("BENCH_KEEP", "") not in ("", "0", "false", "no"),
        in_progress_exams=min(400, max(50, _int(env, "BENCH_STUDENTS", 500 if quick else 10_000) // 5)),
        open_evaluations=400 if not quick else 200,
    )
