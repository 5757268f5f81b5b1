"""The clock's cron configuration: `rq cron mathvidya.clock` enqueues each periodic job of
the registry on its schedule. Run exactly one clock process (Procfile `clock`)."""

from __future__ import annotations

import logging

from rq import cron

from mathvidya.config import load_settings
from mathvidya.jobs.registry import periodic_jobs, run_periodic_job
from mathvidya.logging_setup import adopt_library_logger, configure_logging


def register_periodic_jobs() -> list[dict]:
    registered = []
    for job in periodic_jobs():
        registered.append(
            cron.register(
                run_periodic_job,
                queue_name=job.queue,
                args=(job.name,),
                interval=job.interval_seconds,
                cron=job.cron,
                name=job.name,
                job_timeout=600,
            )
        )
    return registered


def configure_clock_logging() -> None:
    """`rq cron` gave its logger handlers of its own before loading this module; our
    format (and the DEBUG level of its per-tick lines) applies from here on. Imported
    anywhere else (tests, tools), it leaves the process's logging alone."""
    if not logging.getLogger("rq.cron").handlers:
        return
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    adopt_library_logger("rq.cron")


configure_clock_logging()
register_periodic_jobs()
