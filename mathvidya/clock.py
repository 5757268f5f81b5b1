"""The clock's cron configuration: `rq cron mathvidya.clock` enqueues each periodic job of
the registry on its schedule. Run exactly one clock process (Procfile `clock`)."""

from __future__ import annotations

from rq import cron

from mathvidya.jobs.registry import periodic_jobs, run_periodic_job


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


register_periodic_jobs()
