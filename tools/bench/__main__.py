"""`python -m tools.bench` (`make bench`): see docs/benchmarks.md, "Running it"."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

import psycopg

from tools.bench import (
    ceiling,
    generation,
    insights,
    load,
    memory,
    page_check,
    report,
    seed,
    server,
    services,
    system,
    tokens,
    workload,
)
from tools.bench import worker as worker_bench
from tools.bench.config import BenchConfig, load_config

WORKER_CLASSES = (
    # label, worker class, workers, threads
    ("sync, 2 workers", "sync", 2, 1),
    ("sync, 5 workers (2 × cores + 1)", "sync", 5, 1),
    ("gthread, 2 workers × 4 threads (Procfile)", "gthread", 2, 4),
    ("gthread, 2 workers × 8 threads", "gthread", 2, 8),
    ("gthread, 4 workers × 2 threads", "gthread", 4, 2),
    ("gevent, 2 workers", "gevent", 2, 1),
)


def _commit() -> str:
    """The commit measured: BENCH_COMMIT (for a copy of the tree), else git's HEAD here."""
    if os.environ.get("BENCH_COMMIT"):
        return os.environ["BENCH_COMMIT"]
    import subprocess

    from tools.bench.config import ROOT

    done = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain"], capture_output=True, text=True)
    if done.returncode != 0:
        return "unknown"
    return done.stdout.strip() + (" (with uncommitted changes)" if dirty.stdout.strip() else "")


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def _pool_sizes(cfg: BenchConfig) -> tuple[int, int]:
    mcq = int(os.environ.get("BENCH_SUBMIT_POOL") or (3_000 if cfg.quick else 10_000))
    return mcq, mcq // 2


def _postmaster_pid(svc: services.Services) -> int:
    return int((svc.postgres.data_dir / "postmaster.pid").read_text().splitlines()[0])


def _meter(svc: services.Services, web_pid) -> system.CpuMeter:
    return system.CpuMeter(
        {
            "gunicorn": lambda: [web_pid()],
            "postgres": lambda: [_postmaster_pid(svc)],
            "redis": lambda: [svc.redis.process.pid],
        }
    )


def _smoke(base_url: str, endpoint: workload.Endpoint) -> str | None:
    """One request first: None if it answers 2xx, else why not."""
    if endpoint.kind == "flow":
        item = endpoint.flow_items[0]
        status, body = server.call(base_url, "GET", f"/api/v1/evaluations/{item['evaluation_id']}", item["token"])
    else:
        token, path, body_text = endpoint.requests[0]
        import json

        status, body = server.call(base_url, endpoint.method, path, token, json.loads(body_text) if body_text else None)
    return None if 200 <= status < 300 else f"smoke request answered {status}: {str(body)[:300]}"


def run_load(cfg, svc, web, endpoints, presence, results, lua_dir) -> None:
    ctx = load.LoadContext(
        base_url=web.base_url,
        meter=_meter(svc, lambda: web.pid),
        busy_pids=lambda: [web.pid, _postmaster_pid(svc)],
        stats_url=svc.database_url(),
        seconds=cfg.seconds,
        warmup=cfg.warmup_seconds,
        runs=cfg.runs,
        connections=cfg.connections,
        noise_retries=cfg.noise_retries,
    )
    for endpoint in endpoints:
        if endpoint.name == "dashboard" and not presence.dashboard_route:
            results.skipped[endpoint.name] = presence.note
            continue
        if endpoint.name == "leaderboard" and not presence.leaderboard_route:
            results.skipped[endpoint.name] = presence.note
            continue
        if endpoint.reset:
            endpoint.reset()
        problem = _smoke(web.base_url, endpoint)
        if problem:
            results.skipped[endpoint.name] = problem
            say(f"{endpoint.name}: skipped, {problem}")
            continue
        say(f"load: {endpoint.name} ({len(endpoint.requests or endpoint.flow_items):,} distinct requests)")
        if endpoint.kind == "flow":
            flow_runs: list[load.FlowRun] = []

            def one_flow_run(seconds: int, endpoint=endpoint, flow_runs=flow_runs) -> load.RunResult:
                run = load.run_evaluation_flows(web.base_url, endpoint.flow_items, seconds, cfg.connections)
                flow_runs.append(run)
                return run.result

            result = load.measure(ctx, endpoint.name, one_flow_run, endpoint.reset, client_cpu=True)
            measured = flow_runs[1:]
            gets = sorted(v for run in measured for v in run.get_ms)
            posts = sorted(v for run in measured for v in run.post_ms)
            result.note = (
                f"one flow = GET the evaluation + POST its marks (two requests); Python client "
                f"(32 threads, http.client) used {result.client_cpu_cores:.2f} cores "
                f"({result.client_cpu_cores / (os.cpu_count() or 1):.0%} of the machine); "
                f"GET p50 {load.percentile(gets, 50):.1f} ms, POST p50 {load.percentile(posts, 50):.1f} ms"
                + ("; item pool exhausted in a run" if any(r.exhausted for r in measured) else "")
            )
        else:
            data_file = workload.write_lua(endpoint, lua_dir)

            def one_wrk_run(seconds: int, endpoint=endpoint, data_file=data_file) -> load.RunResult:
                return load.run_wrk(web.base_url, data_file, endpoint.method, seconds, cfg.connections)

            result = load.measure(ctx, endpoint.name, one_wrk_run, endpoint.reset)
            if endpoint.one_shot and result.runs and max(r.requests for r in result.runs) > len(endpoint.requests):
                result.note = "item pool smaller than a run: some requests repeated an item (see errors)"
        if endpoint.park:
            endpoint.park()
        say(
            f"  {endpoint.name}: {result.rps:,.1f} req/s, p50 {result.summary.p50_ms:.1f} ms, "
            f"p99 {result.summary.p99_ms:.1f} ms, errors {result.summary.non_2xx + result.summary.socket_errors}"
        )
        results.endpoints.append(result)


def run_ceilings(cfg, svc, app, endpoints, start_context, results) -> None:
    url = svc.database_url()
    busy = lambda: [_postmaster_pid(svc)]  # noqa: E731
    meter = system.CpuMeter({"postgres": lambda: [_postmaster_pid(svc)], "redis": lambda: [svc.redis.process.pid]})
    measured = {ep.name for ep in results.endpoints}
    for endpoint in endpoints:
        if endpoint.name not in measured:
            continue
        items = endpoint.ceiling_items
        if not items:
            items = workload.record_requests(app, endpoint.requests, endpoint.method)
            if not items:
                results.ceilings[endpoint.name] = report.CeilingResult(endpoint.name, note="no request to record")
                continue
        say(f"ceiling: {endpoint.name}")
        outcome = report.CeilingResult(endpoint.name)
        if not endpoint.ceiling_items:
            outcome.note = f"replay of {len(items)} recorded requests"
        with psycopg.connect(url, autocommit=True) as stats:
            for _ in range(cfg.runs):
                best, attempts = None, 0
                for _attempt in range(1 + cfg.noise_retries):
                    attempts += 1
                    if endpoint.reset:
                        endpoint.reset()
                    system.wait_until_idle(busy)
                    load.reset_statements(stats)
                    before = meter.snapshot()
                    run, note = ceiling.run_ceiling(
                        url, endpoint.name, items, start_context, cfg.ceiling_seconds, 2, endpoint.one_shot
                    )
                    other = system.CpuMeter.foreign_cores(before, meter.snapshot())
                    attempt = (run, note, other, load.read_statements(stats))
                    if best is None or other < best[2]:
                        best = attempt
                    if other <= load.NOISE_LIMIT:
                        break
                outcome.discarded += attempts - 1
                run, note, other, profile = best
                outcome.runs.append(run)
                outcome.other_cores.append(other)
                if note:
                    outcome.note = "; ".join(x for x in (outcome.note, note) if x)
                # the profile spans the warm-up too: per bundle = statements / BEGINs
                if profile.transactions:
                    flows = 2 if endpoint.kind == "flow" else 1
                    outcome.statements_per_bundle = profile.statements / profile.transactions * flows
                    outcome.transactions_per_bundle = flows
        if endpoint.park:
            endpoint.park()
        results.ceilings[endpoint.name] = outcome
        say(f"  ceiling {endpoint.name}: {ceiling.median_of(outcome.runs):,.1f} bundles/s {outcome.note}")


def run_worker_classes(cfg, svc, env, log_dir, endpoints, results, lua_dir) -> None:
    get_exam = next(ep for ep in endpoints if ep.name == "get exam")
    data_file = workload.write_lua(get_exam, lua_dir)
    runs = max(1, cfg.runs)
    seconds = min(cfg.seconds, 10)
    for label, worker_class, workers, threads in WORKER_CLASSES:
        entry = report.WorkerClassResult(label, worker_class, workers, threads)
        results.worker_classes.append(entry)
        try:
            web = server.start_web(env, log_dir, worker_class=worker_class, workers=workers, threads=threads)
        except Exception as exc:
            entry.note = f"did not start: {exc}"
            say(f"worker class {label}: {entry.note}")
            continue
        try:
            ctx = load.LoadContext(
                base_url=web.base_url,
                meter=_meter(svc, lambda web=web: web.pid),
                busy_pids=lambda web=web: [web.pid, _postmaster_pid(svc)],
                stats_url=svc.database_url(),
                seconds=seconds,
                warmup=cfg.warmup_seconds,
                runs=runs,
                connections=cfg.connections,
                noise_retries=cfg.noise_retries,
            )

            def one_run(s: int, web=web) -> load.RunResult:
                return load.run_wrk(web.base_url, data_file, "GET", s, cfg.connections)

            entry.result = load.measure(ctx, label, one_run)
            say(f"worker class {label}: {entry.result.rps:,.1f} req/s, p99 {entry.result.summary.p99_ms:.1f} ms")
        except Exception as exc:
            entry.note = f"failed: {exc}"
        finally:
            web.stop()


def run_insights_refresh(app, url, results, label: str) -> None:
    timing = insights.time_refresh(app, url)
    results.refresh.append(timing)
    say(f"leaderboard refresh at {timing.evaluated_exams:,} evaluated exams ({label}): {timing.median_ms:.0f} ms")


def run_item_analysis(app, url, results) -> None:
    timing = insights.time_refresh(app, url, job_name=insights.ITEM_ANALYSIS_JOB)
    results.item_analysis.append(timing)
    say(f"item analysis at {timing.evaluated_exams:,} evaluated exams: {timing.median_ms:.0f} ms")
    for line in insights.explain_item_list(url):
        say(line)


def main() -> int:  # noqa: PLR0915 - the run, phase by phase
    cfg = load_config()
    load.ensure_wrk()
    began = time.monotonic()
    results = report.BenchResults(
        started_at=report.now(),
        mode="quick mode (BENCH_QUICK=1)" if cfg.quick else "full size",
        settings={},
        machine=system.machine(),
        versions={},
    )
    base = Path(tempfile.mkdtemp(prefix="mv-bench-"))
    log_dir = base / "logs"
    lua_dir = base / "lua"
    say(
        f"{results.mode}: {cfg.students:,} students, {cfg.questions:,} questions, {cfg.exams:,} evaluated exams; "
        f"{cfg.seconds} s × {cfg.runs} runs per endpoint; phases {', '.join(cfg.phases)}; work dir {base}"
    )
    svc = services.start_services(base)
    web = None
    try:
        services.migrate_template(svc)
        results.versions = services.server_versions(svc)
        url = services.create_database(svc, services.MAIN_DB)
        mcq_pool, eval_pool = _pool_sizes(cfg)
        say("seeding …")
        seeded = seed.seed_all(url, cfg, submit_mcq_pool=mcq_pool, submit_eval_pool=eval_pool)
        results.seed_timings, results.counts = seeded.timings, seeded.counts
        say(
            f"seeded in {sum(seeded.timings.values()):.0f} s ("
            + ", ".join(f"{k} {v:.1f} s" for k, v in seeded.timings.items())
            + f"); database {seeded.counts.get('database_size')}"
        )

        env = svc.app_env()
        from mathvidya import create_app
        from mathvidya.config import load_settings

        app = create_app(load_settings({**env, "LOG_LEVEL": "WARNING"}))
        presence = insights.presence(app)
        with psycopg.connect(url) as conn:
            minted = tokens.mint(app, url, workload.token_users(conn, cfg))
            endpoints, start_context = workload.build(conn, url, cfg, minted)
        say(f"minted {len(minted):,} access tokens; insights: {presence.note if not presence.package else 'present'}")
        for endpoint in endpoints:
            if endpoint.park:
                endpoint.park()
        web_line = server.web_command()
        results.settings = {
            "commit": _commit(),
            "connections": cfg.connections,
            "seconds": cfg.seconds,
            "warmup": cfg.warmup_seconds,
            "runs": cfg.runs,
            "ceiling_seconds": cfg.ceiling_seconds,
            "web": f"`{web_line}` with WEB_CONCURRENCY and GUNICORN_THREADS unset (2 workers × 4 threads), "
            "MATHVIDYA_ENV=production, LOG_LEVEL=INFO",
        }

        if presence.refresh_job:
            run_insights_refresh(app, url, results, "before the load")
            if insights.has_job(insights.ITEM_ANALYSIS_JOB):
                run_item_analysis(app, url, results)
        else:
            results.refresh_note = presence.note

        if "load" in cfg.phases:
            web = server.start_web(env, log_dir)
            run_load(cfg, svc, web, endpoints, presence, results, lua_dir)
            if presence.dashboard_route:
                with psycopg.connect(url) as conn:
                    heavy = conn.execute("SELECT user_id FROM bench.students WHERE i = 0").fetchone()[0]
                    exams = conn.execute(
                        "SELECT count(*) FROM exam_instances WHERE student_user_id = %s", (heavy,)
                    ).fetchone()[0]
                typical = next(ep for ep in endpoints if ep.name == "dashboard").requests[0][0]
                results.dashboard[f"student with {exams} exams"] = insights.sequential_latency(
                    web.base_url, insights.DASHBOARD_PATH, minted[heavy]["token"]
                )
                results.dashboard["a typical student (~10 exams)"] = insights.sequential_latency(
                    web.base_url, insights.DASHBOARD_PATH, typical
                )
            else:
                results.dashboard_note = presence.note
            web.stop()
            web = None

        if "memory" in cfg.phases:
            say("web worker memory, mixed run …")
            results.web_memory = memory.measure(env, log_dir, lua_dir, url, endpoints, cfg.seconds, cfg.connections)
            say(f"  peak worker RSS {results.web_memory.peak_mib:.0f} MiB")

        if "ceiling" in cfg.phases and results.endpoints:
            run_ceilings(cfg, svc, app, endpoints, start_context, results)

        if "generation" in cfg.phases:
            say("exam generation against bank size …")
            gen_url = services.create_database(svc, "bench_generation")
            generation.prepare(gen_url, cfg)
            results.generation = generation.measure(app, gen_url, cfg)
            for g in results.generation:
                say(f"  {g.active_questions:,} questions: assembly p50 {g.assembly_p50:.1f} ms, "
                    f"start_exam p50 {g.start_p50:.1f} ms")  # fmt: skip
            svc.postgres.drop_database("bench_generation")

        if "pagecheck" in cfg.phases:
            say("upload quality gate per page …")
            results.page_checks = page_check.measure()
            for c in results.page_checks:
                say(f"  {c.label}: median {c.median_ms:.0f} ms")

        if "worker" in cfg.phases:
            say("worker RSS …")
            results.worker = worker_bench.measure(env, log_dir, url, svc.redis_url, cfg)
            results.worker_preloaded = worker_bench.measure(env, log_dir, url, svc.redis_url, cfg, preload=True)
            for label, w in (("Procfile worker", results.worker), ("job modules preloaded", results.worker_preloaded)):
                say(f"  {label}: {w.jobs_finished} jobs in {w.seconds:.1f} s, main RSS {w.main_after_kib / 1024:.0f} "
                    f"MiB, horse peak {w.horse_peak_kib / 1024:.0f} MiB")  # fmt: skip

        if "workerclass" in cfg.phases:
            run_worker_classes(cfg, svc, env, log_dir, endpoints, results, lua_dir)

        if "insights" in cfg.phases and presence.refresh_job:
            if cfg.million:
                with psycopg.connect(url) as conn:
                    current = conn.execute("SELECT count(*) FROM exam_instances WHERE status = 'evaluated'").fetchone()[
                        0
                    ]
                extra = 1_000_000 - current
                say(f"seeding {extra:,} more evaluated exams (exam rows only) for the 1M refresh …")
                began_seed = time.monotonic()
                seed.seed_history(lambda: psycopg.connect(url), cfg, extra, lo=50_000_000, minimal=True)
                seed.vacuum_analyze(url)
                seconds = time.monotonic() - began_seed
                results.million_note = (
                    f"{extra:,} exam rows added in {seconds:.0f} s (rows only: an empty question list, no "
                    "per-question rows; the refresh reads exam rows only)"
                )
                run_insights_refresh(app, url, results, "1M")
            else:
                results.million_note = "not run (quick mode or BENCH_MILLION=0; it adds exam rows up to 1,000,000)"
        results.total_seconds = time.monotonic() - began
        report.write(cfg.output, results)
        say(f"results written to {cfg.output} ({results.total_seconds / 60:.1f} min)")
        return 0
    except Exception:
        traceback.print_exc()
        results.total_seconds = time.monotonic() - began
        results.notes.append("the run failed part-way; figures above are what was measured before the failure")
        try:
            report.write(cfg.output, results)
            say(f"partial results written to {cfg.output}")
        except Exception:
            traceback.print_exc()
        return 1
    finally:
        if web is not None:
            web.stop()
        svc.stop()
        if cfg.keep:
            say(f"kept {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
