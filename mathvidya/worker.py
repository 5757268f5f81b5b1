"""`python -m mathvidya.worker`: an RQ worker on every queue of the project.

The Procfile runs this rather than bare `rq worker` so the queue list and Redis URL come
from the same settings as the web process. The scheduler is on for delayed jobs (timers).
"""

from __future__ import annotations

import sys

from rq import Worker

from mathvidya.config import load_settings
from mathvidya.logging_setup import configure_logging
from mathvidya.queue import QUEUE_NAMES
from mathvidya.redis_client import client_for


def main(argv: list[str]) -> None:
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    connection = client_for(settings.redis_url)
    worker = Worker(list(QUEUE_NAMES), connection=connection)
    worker.work(with_scheduler=True, burst="--burst" in argv, logging_level=settings.log_level)


if __name__ == "__main__":
    main(sys.argv[1:])
