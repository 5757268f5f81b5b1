"""`python -m mathvidya.worker`: an RQ worker on every queue of the project, that outlives
Redis and PostgreSQL outages.

The Procfile runs this rather than bare `rq worker` so the queue list and Redis URL come
from the same settings as the web process. The scheduler is on for delayed jobs (timers).

A bare RQ worker quits when Redis goes away. Here a supervising loop waits for Redis with
backoff (one log line when it goes, one when it is back) and starts a fresh RQ worker
when it answers again. Before taking a job the worker makes sure PostgreSQL answers; while
it does not, jobs stay queued (none fails for the outage) and the worker keeps beating.

Every job module is imported before the worker starts: RQ forks a work horse per job, and
a horse inherits what the parent imported instead of importing it again for each job
(docs/benchmarks.md: 5.8 jobs/s without, 16 with).
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import logging
import pkgutil
import sys
import time
from contextlib import suppress

import psycopg
import redis
from rq import Worker
from rq.exceptions import StopRequested

import mathvidya
from mathvidya import heartbeats
from mathvidya.config import Settings, load_settings
from mathvidya.db import POSTGRESQL_OUTAGES
from mathvidya.health import repository as health_repository
from mathvidya.logging_setup import configure_logging
from mathvidya.outages import Backoff, OutageLog, StopFlag
from mathvidya.process_memory import tune_malloc
from mathvidya.queue import QUEUE_NAMES
from mathvidya.redis_client import REDIS_OUTAGES, client_for

log = logging.getLogger("mathvidya.worker")

WORKER_TTL_SECONDS = 60  # RQ blocks on the queues for ttl - 15 s, then beats again


class RedisLost(StopRequested):
    """Raised inside RQ's loop when Redis stops answering: RQ ends `work()` quietly, the
    supervising loop (``run``) waits for Redis and starts a new worker."""


def _redis_loss_ends_work(method):
    @functools.wraps(method)
    def guarded(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except REDIS_OUTAGES as exc:
            self.redis_error = exc
            raise RedisLost(str(exc)) from exc

    return guarded


class OutageAwareWorker(Worker):
    """RQ's worker, ending its work loop on a Redis outage instead of crashing or spinning,
    holding jobs back while PostgreSQL is down, and writing the heartbeat key."""

    def __init__(
        self, *args, database_url: str, postgresql_check_seconds: float, retry_cap_seconds: float, **kwargs
    ) -> None:
        super().__init__(*args, worker_ttl=WORKER_TTL_SECONDS, **kwargs)
        self.database_url = database_url
        self.postgresql_check_seconds = postgresql_check_seconds  # a job within this of the last good check skips it
        self.retry_cap_seconds = retry_cap_seconds
        self.redis_error: BaseException | None = None
        self.stop_was_requested = False
        self.postgresql_outage = OutageLog(log, "postgresql")
        self.postgresql_checked_at = 0.0

    def request_stop(self, signum, frame):
        self.stop_was_requested = True
        super().request_stop(signum, frame)

    @_redis_loss_ends_work
    def heartbeat(self, timeout=None, pipeline=None):
        super().heartbeat(timeout, pipeline)
        state = "waiting-for-postgresql" if self.postgresql_outage.is_down else "running"
        heartbeats.beat(pipeline if pipeline is not None else self.connection, heartbeats.WORKER, state)

    set_state = _redis_loss_ends_work(Worker.set_state)
    check_for_suspension = _redis_loss_ends_work(Worker.check_for_suspension)
    run_maintenance_tasks = _redis_loss_ends_work(Worker.run_maintenance_tasks)

    @_redis_loss_ends_work  # Redis may go while the worker watches a work horse
    def execute_job(self, job, queue):
        self.wait_for_postgresql()
        return super().execute_job(job, queue)

    def wait_for_postgresql(self) -> None:
        """Hold jobs back while PostgreSQL does not answer (they would only fail); keep beating."""
        if time.monotonic() - self.postgresql_checked_at < self.postgresql_check_seconds:
            return
        backoff = Backoff(cap=self.retry_cap_seconds)
        while True:
            try:
                with psycopg.connect(self.database_url, connect_timeout=3) as conn:
                    health_repository.ping(conn)
                break
            except POSTGRESQL_OUTAGES as exc:
                self.postgresql_outage.failed(exc)
                self.heartbeat()
                if self.stop_was_requested:
                    raise StopRequested() from exc
                time.sleep(backoff.next_delay())
        self.postgresql_outage.recovered()
        self.postgresql_checked_at = time.monotonic()

    def teardown(self):
        try:
            super().teardown()
        except (*REDIS_OUTAGES, RedisLost):
            self._stop_listening_without_redis()

    def _stop_listening_without_redis(self) -> None:
        """RQ's teardown needs Redis; without it, at least stop the command listener thread."""
        if self.pubsub_thread:
            with suppress(Exception):
                self.pubsub_thread.stop()
                self.pubsub_thread.join(timeout=1)
                self.pubsub.close()


def wait_for_redis(connection: redis.Redis, outage: OutageLog, stop: StopFlag, backoff: Backoff) -> bool:
    """Ping with backoff until Redis answers (True) or a stop is asked for (False)."""
    backoff.reset()
    while not stop.event.is_set():
        try:
            connection.ping()
            outage.recovered()
            return True
        except REDIS_OUTAGES as exc:
            outage.failed(exc)
            if stop.sleep(backoff.next_delay()):
                break
    return False


def run(settings: Settings, burst: bool = False) -> None:
    """Run RQ workers one after another until stopped: a new one after each Redis outage
    (or any other end of RQ's loop that nobody asked for)."""
    connection = client_for(settings.redis_url)
    redis_outage = OutageLog(log, "redis")
    restart_backoff = Backoff(cap=settings.outage_retry_cap_seconds)
    redis_backoff = Backoff(cap=settings.outage_retry_cap_seconds)
    stop = StopFlag()
    while not stop.event.is_set():
        stop.install()
        if not wait_for_redis(connection, redis_outage, stop, redis_backoff):
            return
        worker = OutageAwareWorker(
            list(QUEUE_NAMES),
            connection=connection,
            database_url=settings.database_url,
            postgresql_check_seconds=settings.worker_postgresql_check_seconds,
            retry_cap_seconds=settings.outage_retry_cap_seconds,
        )
        try:
            worker.work(with_scheduler=True, burst=burst)
        except REDIS_OUTAGES as exc:  # raised outside the parts RQ guards (start-up, teardown)
            worker.redis_error = worker.redis_error or exc
        if worker.stop_was_requested or burst:
            return
        if worker.redis_error is not None:
            redis_outage.failed(worker.redis_error)
            restart_backoff.reset()
        else:
            log.warning("the RQ worker loop ended unexpectedly; starting a new one")
            stop.install()
            if stop.sleep(restart_backoff.next_delay()):
                return


def preload_job_modules() -> list[str]:
    """Import every ``mathvidya.<domain>.jobs`` module (and what it pulls in); their names."""
    loaded = []
    for module in pkgutil.iter_modules(mathvidya.__path__):
        if module.ispkg and importlib.util.find_spec(f"mathvidya.{module.name}.jobs") is not None:
            importlib.import_module(f"mathvidya.{module.name}.jobs")
            loaded.append(f"mathvidya.{module.name}.jobs")
    return loaded


def main(argv: list[str]) -> None:
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    tune_malloc()
    preload_job_modules()
    run(settings, burst="--burst" in argv)


if __name__ == "__main__":
    main(sys.argv[1:])
