"""`python -m mathvidya.clock`: enqueues each periodic job of the registry on its schedule,
and outlives Redis outages. Run exactly one clock process (Procfile `clock`).

Built on RQ's own scheduling primitives (``rq.cron.CronScheduler``: registration, due
times, enqueueing, its registry) with a loop of our own, because `rq cron`'s loop exits
on the first Redis error. Here a Redis error is waited out with backoff (one log line
when Redis goes, one when it is back); on return every interval job fires at once (the
sweeps catch up on what the outage held back) and a cron tick missed meanwhile fires late
rather than never. The same happens when Redis restarted between two passes (its run id
changed: the queued jobs may be gone). Each pass writes the clock's heartbeat key.
"""

from __future__ import annotations

import logging
from contextlib import suppress

import redis
from rq.cron import CronScheduler

from mathvidya import heartbeats
from mathvidya.config import Settings, load_settings
from mathvidya.jobs.registry import periodic_jobs, run_periodic_job
from mathvidya.logging_setup import configure_logging
from mathvidya.outages import Backoff, OutageLog, StopFlag
from mathvidya.redis_client import REDIS_OUTAGES, client_for

log = logging.getLogger("mathvidya.clock")

JOB_TIMEOUT_SECONDS = 600


def build_scheduler(connection: redis.Redis) -> CronScheduler:
    """RQ's cron scheduler with every periodic job of the registry registered."""
    scheduler = CronScheduler(connection=connection)
    for job in periodic_jobs():
        scheduler.register(
            run_periodic_job,
            queue_name=job.queue,
            args=(job.name,),
            interval=job.interval_seconds,
            cron=job.cron,
            name=job.name,
            job_timeout=JOB_TIMEOUT_SECONDS,
        )
    return scheduler


def fire_interval_jobs_next_pass(scheduler: CronScheduler) -> None:
    """After an outage the sweeps run at once rather than at their next interval."""
    for cron_job in scheduler.get_jobs():
        if cron_job.interval:
            cron_job.latest_enqueue_time = None


def redis_run_id(connection: redis.Redis) -> str:
    """Changes whenever the Redis server restarts."""
    return str(connection.info("server").get("run_id", ""))


def tick(scheduler: CronScheduler, connection: redis.Redis) -> None:
    """One pass: enqueue what is due, then beat (RQ's scheduler registry and our key)."""
    if scheduler.enqueue_jobs():
        scheduler.save()
    scheduler.heartbeat()
    heartbeats.beat(connection, heartbeats.CLOCK)


def run(settings: Settings, stop: StopFlag | None = None) -> None:
    """Loop until SIGTERM/SIGINT: tick, sleep until the next due job (at most
    ``settings.clock_pass_seconds``, 10 s by default, so heartbeats stay fresh)."""
    stop = stop or StopFlag()
    stop.install()
    connection = client_for(settings.redis_url)
    scheduler = build_scheduler(connection)
    outage = OutageLog(log, "redis")
    backoff = Backoff(cap=settings.outage_retry_cap_seconds)
    registered = False
    run_id = None
    log.info("clock started with %d periodic jobs", len(scheduler.get_jobs()))
    while not stop.event.is_set():
        try:
            current_run_id = redis_run_id(connection)
            if run_id is not None and current_run_id != run_id:
                log.warning("Redis restarted since the last pass; firing the sweeps now")
                fire_interval_jobs_next_pass(scheduler)
                registered = False
            run_id = current_run_id
            if not registered:
                scheduler.register_birth()
                registered = True
            tick(scheduler, connection)
        except REDIS_OUTAGES as exc:
            if not outage.is_down:
                fire_interval_jobs_next_pass(scheduler)
            outage.failed(exc)
            registered = False
            stop.sleep(backoff.next_delay())
            continue
        outage.recovered()
        backoff.reset()
        stop.sleep(min(scheduler.calculate_sleep_interval(), settings.clock_pass_seconds))
    with suppress(*REDIS_OUTAGES):
        scheduler.register_death()
    log.info("clock stopped")


def main() -> None:
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    run(settings)


if __name__ == "__main__":
    main()
