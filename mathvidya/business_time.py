"""The business clock: one timezone (India) and one source of "now" for every rule.

Code that needs the current instant asks `now()`; tests that would otherwise race the wall
clock across midnight in India freeze it with `frozen_at(instant)`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

BUSINESS_TZ = ZoneInfo("Asia/Kolkata")

_frozen_instant: datetime | None = None


def now() -> datetime:
    """The current instant (UTC), or the frozen one while a test holds `frozen_at`."""
    return _frozen_instant if _frozen_instant is not None else datetime.now(UTC)


def business_date(instant: datetime | None = None) -> date:
    """The calendar date in India at ``instant`` (default: now)."""
    moment = instant if instant is not None else now()
    if moment.tzinfo is None:
        raise ValueError("instant must be timezone-aware")
    return moment.astimezone(BUSINESS_TZ).date()


@contextmanager
def frozen_at(instant: datetime) -> Iterator[datetime]:
    """Hold `now()` at ``instant`` (timezone-aware) for the duration of the block."""
    global _frozen_instant
    if instant.tzinfo is None:
        raise ValueError("instant must be timezone-aware")
    previous, _frozen_instant = _frozen_instant, instant.astimezone(UTC)
    try:
        yield _frozen_instant
    finally:
        _frozen_instant = previous
