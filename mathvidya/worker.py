"""`python -m mathvidya.worker`: an RQ worker on every queue of the project.

The Procfile runs this rather than bare `rq worker` so the queue list and Redis URL come
from the same settings as the web process. The scheduler is on for delayed jobs (timers).
Every job module is imported before the worker starts: RQ forks a work horse per job, and
a horse inherits what the parent imported instead of importing it again for each job
(docs/benchmarks.md: 5.8 jobs/s without, 16 with).
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
import sys

from rq import Worker

from mathvidya.config import load_settings
from mathvidya.logging_setup import configure_logging
from mathvidya.process_memory import tune_malloc
from mathvidya.queue import QUEUE_NAMES
from mathvidya.redis_client import client_for


def preload_job_modules() -> list[str]:
    """Import every ``mathvidya.<domain>.jobs`` module (and what it pulls in); their names."""
    import mathvidya

    loaded = []
    for module in pkgutil.iter_modules(mathvidya.__path__):
        if module.ispkg and importlib.util.find_spec(f"mathvidya.{module.name}.jobs") is not None:
            importlib.import_module(f"mathvidya.{module.name}.jobs")
            loaded.append(f"mathvidya.{module.name}.jobs")
    return loaded


def main(argv: list[str]) -> None:
    settings = load_settings()
    configure_logging(settings.log_level)
    tune_malloc()
    preload_job_modules()
    connection = client_for(settings.redis_url)
    worker = Worker(list(QUEUE_NAMES), connection=connection)
    worker.work(with_scheduler=True, burst="--burst" in argv)


if __name__ == "__main__":
    main(sys.argv[1:])
