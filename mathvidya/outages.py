"""Waiting out a dependency outage in the long-running processes (worker, clock).

`Backoff` spaces the retries (0.5 s doubling to a cap, `OUTAGE_RETRY_CAP_SECONDS`); `OutageLog` writes one line when a
dependency stops answering and one when it answers again, however many retries lie
between, so an outage reads as two lines in the log rather than one per retry.
"""

from __future__ import annotations

import logging
import signal
import threading
import time

RETRY_CAP_SECONDS = 5.0  # the default of Settings.outage_retry_cap_seconds


class Backoff:
    """Delays between retries: 0.5, 1, 2, 4 … seconds, capped (so recovery is noticed within the cap)."""

    def __init__(self, first: float = 0.5, cap: float = RETRY_CAP_SECONDS) -> None:
        self.first = first
        self.cap = cap
        self.current = first

    def next_delay(self) -> float:
        delay = self.current
        self.current = min(self.current * 2, self.cap)
        return delay

    def reset(self) -> None:
        self.current = self.first


class OutageLog:
    """One warning when ``dependency`` fails, one info line when it is back (with the duration)."""

    def __init__(self, log: logging.Logger, dependency: str) -> None:
        self.log = log
        self.dependency = dependency
        self.down_since: float | None = None

    @property
    def is_down(self) -> bool:
        return self.down_since is not None

    def failed(self, error: BaseException) -> None:
        if self.down_since is None:
            self.down_since = time.monotonic()
            self.log.warning(
                "%s unavailable (%s); retrying with backoff until it answers",
                self.dependency,
                error,
                extra={"dependency": self.dependency, "outage": "began"},
            )

    def recovered(self) -> None:
        if self.down_since is not None:
            seconds = time.monotonic() - self.down_since
            self.down_since = None
            self.log.warning(
                "%s available again after %.1f s",
                self.dependency,
                seconds,
                extra={"dependency": self.dependency, "outage": "ended", "outage_seconds": round(seconds, 1)},
            )


class StopFlag:
    """SIGTERM/SIGINT ask a long-running loop to stop; its sleeps end at once."""

    def __init__(self) -> None:
        self.event = threading.Event()

    def install(self) -> None:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: self.event.set())

    def sleep(self, seconds: float) -> bool:
        """Sleep unless asked to stop; True when a stop was asked for."""
        return self.event.wait(seconds)
