"""Running the same attempt from several threads at once, without any way to hang the run."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

BARRIER_TIMEOUT = 30  # seconds for every thread to reach the starting line
JOIN_TIMEOUT = 60  # seconds for every attempt to finish


def run_at_once(count: int, attempt: Callable[[], Any]) -> list[Any]:
    """Start ``count`` threads that call ``attempt`` together; their results, in thread order.

    A thread that is stuck, or an attempt that raises, fails the calling test.
    """
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=BARRIER_TIMEOUT)
            results[index] = attempt()
        except BaseException as exc:  # surfaced below, in the test's own thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_TIMEOUT)
    stuck = [thread.name for thread in threads if thread.is_alive()]
    assert not stuck, f"threads still running after {JOIN_TIMEOUT} s: {stuck}"
    assert errors == [], errors
    return results
