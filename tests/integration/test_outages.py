"""Fault tests: the real Redis and PostgreSQL servers stop and come back.

Redis faults use a private redis-server of their own (stopping the session's would wipe
the state other tests keep there); PostgreSQL faults restart the session's own server,
always started again in a `finally`. Every wait is bounded. Each test prints its figures
(requests refused during the outage, seconds until service resumed) on a line starting
with OUTAGE-FIGURES (`pytest -s` shows them).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
import redis as redis_lib
from rq import Queue

from mathvidya import create_app, heartbeats
from mathvidya.config import Settings
from mathvidya.db import POOL_KEY
from tests.factories import DEFAULT_PASSWORD, process_env
from tests.factories import make_user as create_user
from tools.local_services import redis_server

ROOT = Path(__file__).resolve().parent.parent.parent
OUTAGE_SECONDS = 1.0  # how long a dependency stays down once the processes have noticed it
# The processes' timing knobs (docs/operations.md), shortened so a test waits a fraction of
# the production timings (10 s passes, 5 s retry cap, 5 s "PostgreSQL answered lately").
FAST_PROCESS_TIMINGS = {
    "CLOCK_PASS_SECONDS": "0.5",
    "OUTAGE_RETRY_CAP_SECONDS": "1",
    "WORKER_POSTGRESQL_CHECK_SECONDS": "0.5",
}


def _figures(test: str, **figures) -> None:
    print("OUTAGE-FIGURES " + json.dumps({"test": test, **figures}))


def _wait_for(check, timeout: float, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"not within {timeout} s")


@pytest.fixture
def private_redis(services_dir):
    server = redis_server(services_dir / f"fault-redis-{uuid.uuid4().hex[:8]}").start()
    try:
        yield server
    finally:
        server.stop()


def _redis_url(server) -> str:
    return f"redis://127.0.0.1:{server.port}/0"


def _restart_redis(server) -> float:
    """Start the stopped server again (same port); returns when it answers."""
    server.start()
    client = redis_lib.Redis.from_url(_redis_url(server))
    _wait_for(lambda: _answers(client), timeout=10)
    return time.monotonic()


def _answers(client) -> bool:
    try:
        return bool(client.ping())
    except redis_lib.exceptions.ConnectionError:
        return False


@pytest.fixture
def outage_app(settings, private_redis):
    """An app on the session's PostgreSQL and a private Redis; a short pool wait so a
    PostgreSQL outage answers quickly."""
    app = create_app(replace(settings, redis_url=_redis_url(private_redis), pool_timeout=0.1))
    yield app
    app.extensions[POOL_KEY].close()


def _sample_value(converter) -> str:
    name = type(converter).__name__
    if name == "UUIDConverter":
        return str(uuid.uuid4())
    if name in ("IntegerConverter", "NumberConverter"):
        return "1"
    return "x"


def _every_endpoint(app):
    for rule in app.url_map.iter_rules():
        values = {arg: _sample_value(rule._converters[arg]) for arg in rule.arguments}
        path = rule.build(values)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, path


def _sweep(client, headers) -> dict[str, list[str]]:
    """Every route and method once; groups the outcomes, and lists any 5xx that is not a
    well-formed 503 with Retry-After."""
    outcome: dict[str, list[str]] = {"503": [], "other": [], "bad": []}
    for method, path in _every_endpoint(client.application):
        kwargs = {} if method == "GET" else {"json": {}}
        response = client.open(path, method=method, headers=headers, **kwargs)
        label = f"{method} {path} -> {response.status_code}"
        if response.status_code == 503:
            body = response.get_json(silent=True) or {}
            ok = set(body) == {"error", "message", "details"} and response.headers.get("Retry-After")
            outcome["503" if ok or path == "/readyz" else "bad"].append(label)
        elif response.status_code >= 500:
            outcome["bad"].append(label)
        else:
            outcome["other"].append(label)
    return outcome


def _login(client, user):
    return client.post("/api/v1/auth/login", json={"email": user["email"], "password": DEFAULT_PASSWORD})


def _assert_outage_answer(response, dependency: str) -> None:
    assert response.status_code == 503, response.get_data(as_text=True)
    body = response.get_json()
    assert body["error"] == "SERVICE_UNAVAILABLE" and body["details"] == {"dependency": dependency}
    assert int(response.headers["Retry-After"]) > 0


# --- Redis ------------------------------------------------------------------------------


def test_requests_during_a_redis_outage_answer_503_and_service_resumes(outage_app, private_redis):
    client = outage_app.test_client()
    admin = create_user(outage_app, "admin")
    student = create_user(outage_app, "student")
    assert _login(client, student).status_code == 200

    private_redis.stop()
    try:
        _assert_outage_answer(_login(client, student), "redis")
        readiness = client.get("/readyz")
        assert readiness.status_code == 503 and readiness.get_json()["checks"]["redis"] == "unavailable"
        sweep = _sweep(client, admin["headers"])
        assert sweep["bad"] == []
        # Registration is rate limited on Redis: the limiter fails open, so it still answers.
        registered = client.post(
            "/api/v1/auth/register",
            json={
                "email": f"outage-{uuid.uuid4().hex[:10]}@example.com",
                "password": DEFAULT_PASSWORD,
                "first_name": "Out",
                "last_name": "Age",
                "role": "student",
                "student_class": "XII",
            },
        )
        assert registered.status_code < 500, registered.get_json()
    finally:
        restarted_at = _restart_redis(private_redis)
    first_ok = _wait_for(lambda: _login(client, student).status_code == 200 and time.monotonic(), timeout=10)
    assert client.get("/readyz").status_code == 200
    _figures(
        "web-redis-outage",
        endpoints_tried=sum(len(v) for v in sweep.values()),
        answered_503=len(sweep["503"]),
        answered_without_redis=len(sweep["other"]),
        answered_500=len(sweep["bad"]),
        seconds_to_first_login_after_restart=round(first_ok - restarted_at, 3),
    )


def _start_process(module: str, settings, redis_url: str, log_path: Path) -> subprocess.Popen:
    env = process_env(settings, REDIS_URL=redis_url, LOG_LEVEL="INFO", **FAST_PROCESS_TIMINGS)
    return subprocess.Popen(
        [sys.executable, "-m", module],
        cwd=ROOT,
        env=env,
        stdout=open(log_path, "wb"),  # noqa: SIM115 (closed with the process)
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _stop_process(process: subprocess.Popen) -> int:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        return process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise AssertionError("the process did not stop on SIGTERM") from None


def _outage_lines(log_path: Path, dependency: str) -> tuple[int, int]:
    lines = log_path.read_text(errors="replace").splitlines()
    began = sum(f"{dependency} unavailable" in line and '"outage": "began"' in line for line in lines)
    ended = sum(f"{dependency} available again" in line for line in lines)
    return began, ended


def _run_job_and_wait(connection, timeout: float) -> float:
    job = Queue("default", connection=connection).enqueue(
        "mathvidya.jobs.registry.run_periodic_job", "auto-submit-exams"
    )
    started = time.monotonic()
    _wait_for(lambda: job.get_status(refresh=True) == "finished", timeout=timeout, interval=0.2)
    return time.monotonic() - started


def test_worker_survives_a_redis_outage_and_runs_jobs_enqueued_after(settings, private_redis, services_dir):
    url = _redis_url(private_redis)
    connection = redis_lib.Redis.from_url(url)
    log_path = services_dir / f"worker-{uuid.uuid4().hex[:8]}.log"
    worker = _start_process("mathvidya.worker", settings, url, log_path)
    try:
        _wait_for(lambda: connection.get(heartbeats.key(heartbeats.WORKER)), timeout=30)
        _run_job_and_wait(connection, timeout=30)

        private_redis.stop()
        time.sleep(OUTAGE_SECONDS)
        assert worker.poll() is None, log_path.read_text()
        restarted_at = _restart_redis(private_redis)

        connection = redis_lib.Redis.from_url(url)
        job_seconds = _run_job_and_wait(connection, timeout=30)
        resumed = time.monotonic() - restarted_at
        assert worker.poll() is None
        assert _outage_lines(log_path, "redis") == (1, 1), log_path.read_text()
        app = create_app(replace(settings, redis_url=url))
        try:
            background = app.test_client().get("/readyz").get_json()["background"]
        finally:
            app.extensions[POOL_KEY].close()
        assert background["worker"]["status"] == "ok" and background["worker"]["registered_workers"] >= 1
    finally:
        exit_code = _stop_process(worker)
    assert exit_code == 0, log_path.read_text()
    _figures(
        "worker-redis-outage",
        outage_seconds=OUTAGE_SECONDS,
        seconds_from_redis_back_to_job_done=round(resumed, 2),
        job_wait_seconds=round(job_seconds, 2),
    )


def test_clock_survives_a_redis_outage_and_fires_the_sweeps_when_it_returns(settings, private_redis, services_dir):
    url = _redis_url(private_redis)
    connection = redis_lib.Redis.from_url(url)
    log_path = services_dir / f"clock-{uuid.uuid4().hex[:8]}.log"
    clock = _start_process("mathvidya.clock", settings, url, log_path)
    notifications = Queue("notifications", connection=connection)
    try:
        _wait_for(lambda: connection.get(heartbeats.key(heartbeats.CLOCK)), timeout=30)
        _wait_for(lambda: notifications.count >= 1, timeout=10)  # interval jobs fire at start

        private_redis.stop()
        # The clock notices at its next pass (CLOCK_PASS_SECONDS apart at most).
        _wait_for(lambda: _outage_lines(log_path, "redis")[0] == 1, timeout=20, interval=0.1)
        time.sleep(OUTAGE_SECONDS)
        assert clock.poll() is None, log_path.read_text()
        restarted_at = _restart_redis(private_redis)  # empty: the queued jobs are gone

        connection = redis_lib.Redis.from_url(url)
        notifications = Queue("notifications", connection=connection)
        _wait_for(lambda: notifications.count >= 1, timeout=15)
        refired = time.monotonic() - restarted_at
        # the same pass beats right after it enqueued: wait for it rather than race it
        _wait_for(lambda: connection.get(heartbeats.key(heartbeats.CLOCK)), timeout=5)
        assert clock.poll() is None
        assert _outage_lines(log_path, "redis") == (1, 1), log_path.read_text()
    finally:
        exit_code = _stop_process(clock)
    assert exit_code == 0, log_path.read_text()
    _figures("clock-redis-outage", seconds_from_redis_back_to_sweeps_enqueued=round(refired, 2))


def test_clock_fires_the_sweeps_again_when_redis_restarted_between_two_passes(settings, private_redis):
    from mathvidya import clock

    connection = redis_lib.Redis.from_url(_redis_url(private_redis))
    scheduler = clock.build_scheduler(connection)
    clock.tick(scheduler, connection)
    assert not any(job.should_run() for job in scheduler.get_jobs())
    clock.fire_interval_jobs_next_pass(scheduler)
    due = {job.name for job in scheduler.get_jobs() if job.should_run()}
    assert due == {job.name for job in scheduler.get_jobs() if job.interval}


def test_heartbeats_read_missing_ok_and_stale(private_redis):
    connection = redis_lib.Redis.from_url(_redis_url(private_redis))
    assert heartbeats.report(connection) == {"worker": {"status": "missing"}, "clock": {"status": "missing"}}
    heartbeats.beat(connection, heartbeats.CLOCK)
    now = time.time()
    assert heartbeats.report(connection, now)["clock"]["status"] == "ok"
    later = heartbeats.report(connection, now + heartbeats.CLOCK.stale_after + 5)["clock"]
    assert later["status"] == "stale" and later["seconds_since_heartbeat"] >= heartbeats.CLOCK.stale_after


# --- PostgreSQL -------------------------------------------------------------------------


@pytest.fixture
def restartable_postgres(postgres_server):
    """The session's PostgreSQL; whatever happens, it is running again afterwards."""
    try:
        yield postgres_server
    finally:
        if not (postgres_server.data_dir / "postmaster.pid").exists():
            postgres_server.start(fast=True)


def _fill_with_idle_connections(pool, count: int) -> None:
    held = [pool.getconn(timeout=10) for _ in range(count)]
    for conn in held:
        pool.putconn(conn)


def test_postgresql_restart_answers_503_during_and_no_stale_connection_after(outage_app, restartable_postgres, app):
    client = outage_app.test_client()
    idle_app = app  # the session's app: not used during the outage, its pool all stale after it
    _fill_with_idle_connections(idle_app.extensions[POOL_KEY], 5)
    admin = create_user(outage_app, "admin")
    student = create_user(outage_app, "student")
    assert client.get("/api/v1/users/me", headers=student["headers"]).status_code == 200

    stopping = time.monotonic()
    restartable_postgres.stop()
    stopped_in = time.monotonic() - stopping
    # No connection can come while the server is down: each request of the sweep (~70
    # routes) waits only this long for one before answering 503.
    outage_app.extensions[POOL_KEY].timeout = 0.02
    try:
        _assert_outage_answer(client.get("/api/v1/users/me", headers=student["headers"]), "postgresql")
        _assert_outage_answer(_login(client, student), "postgresql")
        readiness = client.get("/readyz")
        assert readiness.status_code == 503 and readiness.get_json()["checks"]["postgresql"] == "unavailable"
        sweep = _sweep(client, admin["headers"])
        assert sweep["bad"] == []
    finally:
        starting = time.monotonic()
        restartable_postgres.start(fast=True)
        started_at = time.monotonic()

    # The idle pool (production wait, DB_POOL_TIMEOUT 5 s): its first request finds a stale
    # connection, the pool drops all five at once and lends a fresh one.
    assert idle_app.config["SETTINGS"].pool_timeout == Settings.pool_timeout
    idle_first = idle_app.test_client().get("/api/v1/users/me", headers=student["headers"]).status_code
    idle_first_ok = time.monotonic()
    assert idle_first == 200
    # The pool used during the outage, back to the production wait: its refill attempts
    # back off at most ~2 s.
    outage_app.extensions[POOL_KEY].timeout = Settings.pool_timeout
    first = client.get("/api/v1/users/me", headers=student["headers"]).status_code
    first_ok = time.monotonic()
    after = [first] + [client.get("/api/v1/users/me", headers=student["headers"]).status_code for _ in range(19)]
    assert after == [200] * 20  # no stale pooled connection answers anything else
    assert _login(client, student).status_code == 200
    _figures(
        "web-postgresql-restart",
        seconds_to_stop=round(stopped_in, 2),
        seconds_to_start=round(started_at - starting, 2),
        endpoints_tried=sum(len(v) for v in sweep.values()),
        answered_503=len(sweep["503"]),
        answered_without_postgresql=len(sweep["other"]),
        answered_500=len(sweep["bad"]),
        failed_after_restart=sum(status != 200 for status in after),
        seconds_to_first_answer_after_restart_idle_pool=round(idle_first_ok - started_at, 3),
        seconds_to_first_answer_after_restart_busy_pool=round(first_ok - idle_first_ok, 3),
    )


def _worker_state(connection) -> str | None:
    beat = connection.get(heartbeats.key(heartbeats.WORKER))
    return json.loads(beat)["state"] if beat else None


def test_worker_holds_jobs_during_a_postgresql_outage_and_runs_them_after(
    settings, private_redis, restartable_postgres, services_dir
):
    url = _redis_url(private_redis)
    connection = redis_lib.Redis.from_url(url)
    log_path = services_dir / f"worker-pg-{uuid.uuid4().hex[:8]}.log"
    worker = _start_process("mathvidya.worker", settings, url, log_path)
    try:
        _wait_for(lambda: connection.get(heartbeats.key(heartbeats.WORKER)), timeout=30)
        _run_job_and_wait(connection, timeout=30)
        # past the worker's "PostgreSQL answered lately" window, so the next job checks
        time.sleep(float(FAST_PROCESS_TIMINGS["WORKER_POSTGRESQL_CHECK_SECONDS"]) + 0.1)

        restartable_postgres.stop()
        try:
            job = Queue("default", connection=connection).enqueue(
                "mathvidya.jobs.registry.run_periodic_job", "auto-submit-exams"
            )
            _wait_for(lambda: _worker_state(connection) == "waiting-for-postgresql", timeout=15)
            time.sleep(OUTAGE_SECONDS)  # held for the whole outage, not failed
            assert job.get_status(refresh=True) == "queued"
            assert _worker_state(connection) == "waiting-for-postgresql"
        finally:
            restartable_postgres.start(fast=True)
        restarted_at = time.monotonic()
        _wait_for(lambda: job.get_status(refresh=True) == "finished", timeout=30, interval=0.2)
        resumed = time.monotonic() - restarted_at
        assert worker.poll() is None
        assert _outage_lines(log_path, "postgresql") == (1, 1), log_path.read_text()
    finally:
        exit_code = _stop_process(worker)
    assert exit_code == 0, log_path.read_text()
    _figures("worker-postgresql-outage", seconds_from_postgresql_back_to_job_done=round(resumed, 2), jobs_failed=0)


def test_readyz_reports_stale_or_missing_heartbeats_without_failing(outage_app, private_redis):
    connection = redis_lib.Redis.from_url(_redis_url(private_redis))
    long_ago = json.dumps({"at": time.time() - 3600, "state": "running", "process": "gone:1"})
    connection.set(heartbeats.key(heartbeats.WORKER), long_ago)
    response = outage_app.test_client().get("/readyz")
    assert response.status_code == 200  # the API serves without a worker or a clock
    body = response.get_json()
    assert body["checks"] == {"postgresql": "ok", "redis": "ok"}
    assert body["background"]["worker"]["status"] == "stale"
    assert body["background"]["worker"]["seconds_since_heartbeat"] >= 3600
    assert body["background"]["worker"]["registered_workers"] == 0
    assert body["background"]["clock"] == {"status": "missing"}

    private_redis.stop()
    try:
        down = outage_app.test_client().get("/readyz")
        assert down.status_code == 503
        assert down.get_json()["background"] == {"worker": {"status": "unknown"}, "clock": {"status": "unknown"}}
    finally:
        _restart_redis(private_redis)


def test_rate_limits_hold_per_process_while_redis_is_down(settings, private_redis):
    app = create_app(replace(settings, redis_url=_redis_url(private_redis), auth_rate_limit="3 per minute"))
    client = app.test_client()
    email = {"email": f"nobody-{uuid.uuid4().hex[:10]}@example.com"}
    private_redis.stop()
    try:
        answers = [client.post("/api/v1/auth/password-reset/request", json=email).status_code for _ in range(4)]
    finally:
        _restart_redis(private_redis)
        app.extensions[POOL_KEY].close()
    assert answers == [202, 202, 202, 429]  # neither 500 nor unlimited


def test_a_commit_that_fails_answers_503_not_a_false_success(settings, monkeypatch):
    import psycopg

    app = create_app(settings)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production (tests re-raise by default)
    student = create_user(app, "student")
    client = app.test_client()

    def connection_lost(self):
        raise psycopg.OperationalError("server closed the connection unexpectedly")

    try:
        monkeypatch.setattr(psycopg.Connection, "commit", connection_lost)
        response = client.patch(
            "/api/v1/users/me", json={"email_opt_out": {"evaluation": True}}, headers=student["headers"]
        )
        monkeypatch.undo()
        _assert_outage_answer(response, "postgresql")
        profile = client.get("/api/v1/users/me", headers=student["headers"]).get_json()
        assert profile["email_opt_out"].get("evaluation") is not True  # nothing was committed
    finally:
        monkeypatch.undo()
        app.extensions[POOL_KEY].close()


def test_redis_lost_while_the_worker_watches_a_job_counts_as_a_redis_outage(settings, private_redis, monkeypatch):
    """Redis may go between the work horse finishing and the worker's own bookkeeping: the
    worker must then wait for Redis like any outage, not end as an unexplained crash."""
    from rq import Worker

    from mathvidya.worker import OutageAwareWorker, RedisLost

    worker = OutageAwareWorker(
        ["default"],
        connection=redis_lib.Redis.from_url(_redis_url(private_redis)),
        database_url=settings.database_url,
        postgresql_check_seconds=60,
        retry_cap_seconds=1,
    )
    worker.postgresql_checked_at = time.monotonic()  # PostgreSQL answered just now

    def redis_gone(self, job, queue):
        raise redis_lib.exceptions.ConnectionError("Connection closed by server.")

    monkeypatch.setattr(Worker, "execute_job", redis_gone)
    with pytest.raises(RedisLost):
        worker.execute_job(job=None, queue=None)
    assert isinstance(worker.redis_error, redis_lib.exceptions.ConnectionError)
