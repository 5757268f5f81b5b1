"""The working-hours SLA clock, docs/exams.md (pure: no I/O, "now" is always a parameter).

The clock counts wall-clock minutes of the calendar's time zone inside the daily working
window ``[window_start, window_end)`` of working days. A day is worked when it is listed in
``working_overrides``, or when its weekday is a working weekday and it is not a holiday.

Minute precision: every instant is first moved up to a whole minute — an instant already on
a minute stays, one with seconds moves to the next minute (seconds are dropped towards
later, so a submission at 10:00:30 counts from 10:01 and never gains the 30 seconds).
Hours become minutes rounded up (1.01 h → 61 min). Deadlines are therefore whole minutes.

Both computations walk days — per day they take the minutes of that day's window at once —
so their cost is the number of calendar days covered, never the number of hours or
minutes. Wall-clock minutes are used, so a daylight-saving shift inside a window (zones
with DST change at night, outside any usual window) is not corrected for.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_CEILING, Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WEEKDAY_NUMBERS = {"Mon": 0, "Tue": 1, "Wed": 2, "Thu": 3, "Fri": 4, "Sat": 5, "Sun": 6}
MINUTES_PER_DAY = 24 * 60
# A deadline further away than this many calendar days means the calendar has (almost)
# no working days; refusing beats walking forever.
MAX_WALK_DAYS = 3660


@dataclass(frozen=True)
class WorkingCalendar:
    """When the SLA clock runs: a daily window in one IANA zone, on working days only."""

    window_start: time
    window_end: time
    timezone: str
    working_weekdays: frozenset[int]
    holidays: frozenset[date] = frozenset()
    working_overrides: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        for moment in (self.window_start, self.window_end):
            if moment.tzinfo is not None or moment.second or moment.microsecond:
                raise ValueError("window times must be naive whole minutes (HH:MM)")
        if self.window_start >= self.window_end:
            raise ValueError("the working window must start before it ends")
        if not set(self.working_weekdays) <= set(range(7)):
            raise ValueError("working weekdays are numbers 0 (Monday) to 6 (Sunday)")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{self.timezone!r} is not an IANA time zone") from None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def opening_minute(self) -> int:
        return _minute_of_day(self.window_start)

    @property
    def closing_minute(self) -> int:
        return _minute_of_day(self.window_end)

    def is_working_day(self, day: date) -> bool:
        """Overrides win over holidays and weekdays; holidays win over weekdays."""
        if day in self.working_overrides:
            return True
        return day.weekday() in self.working_weekdays and day not in self.holidays


def calendar_from_settings(
    sla_working_hours: Mapping[str, str],
    sla_working_days: Iterable[str],
    off_dates: Iterable[date] = (),
    working_dates: Iterable[date] = (),
) -> WorkingCalendar:
    """The calendar described by the system_config keys and the holiday table's dates."""
    days = list(sla_working_days)
    unknown = [day for day in days if day not in WEEKDAY_NUMBERS]
    if unknown:
        raise ValueError(f"unknown weekday(s) {', '.join(map(str, unknown))}; use Mon … Sun")
    return WorkingCalendar(
        window_start=time.fromisoformat(sla_working_hours["start"]),
        window_end=time.fromisoformat(sla_working_hours["end"]),
        timezone=sla_working_hours["timezone"],
        working_weekdays=frozenset(WEEKDAY_NUMBERS[day] for day in days),
        holidays=frozenset(off_dates),
        working_overrides=frozenset(working_dates),
    )


def sla_deadline(submitted_at: datetime, working_hours: int | Decimal | float, calendar: WorkingCalendar) -> datetime:
    """The instant ``working_hours`` of working time after ``submitted_at``, in the calendar's zone.

    A submission outside a window starts at the next opening; a deadline landing exactly on a
    window's close stays there. Raises ValueError for negative hours or when no deadline falls
    within MAX_WALK_DAYS days (a calendar without working days ahead).
    """
    remaining = _hours_as_minutes(working_hours)
    day, minute = _local_minute(submitted_at, calendar)
    for _ in range(MAX_WALK_DAYS):
        if calendar.is_working_day(day):
            counting_from = max(minute, calendar.opening_minute)
            available = calendar.closing_minute - counting_from
            if available > 0 and remaining <= available:
                return _instant(day, counting_from + remaining, calendar)
            remaining -= max(available, 0)
        day, minute = day + timedelta(days=1), 0
    raise ValueError(f"no deadline within {MAX_WALK_DAYS} days: the calendar has too few working days")


def working_minutes_between(start: datetime, end: datetime, calendar: WorkingCalendar) -> int:
    """Working minutes from ``start`` to ``end`` (negative when ``end`` is earlier).

    Used for "hours until deadline" and turnaround; instants are moved up to whole minutes the
    same way as in ``sla_deadline``, so it measures exactly the minutes that function counts.
    """
    if end < start:
        return -working_minutes_between(end, start, calendar)
    first_day, first_minute = _local_minute(start, calendar)
    last_day, last_minute = _local_minute(end, calendar)
    total, day = 0, first_day
    while day <= last_day:
        if calendar.is_working_day(day):
            lower = first_minute if day == first_day else 0
            upper = last_minute if day == last_day else MINUTES_PER_DAY
            total += _overlap_with_window(lower, upper, calendar)
        day += timedelta(days=1)
    return total


def _overlap_with_window(lower: int, upper: int, calendar: WorkingCalendar) -> int:
    return max(0, min(upper, calendar.closing_minute) - max(lower, calendar.opening_minute))


def _hours_as_minutes(hours: int | Decimal | float) -> int:
    """Exact for int and Decimal; a float is read by its shortest repr (0.1 h is 6 minutes)."""
    if isinstance(hours, bool) or not isinstance(hours, int | Decimal | float):
        raise TypeError(f"working hours must be a number, not {type(hours).__name__}")
    amount = hours if isinstance(hours, Decimal) else Decimal(str(hours))
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"working hours must be a finite number of at least 0, not {hours}")
    return int((amount * 60).to_integral_value(rounding=ROUND_CEILING))


def _local_minute(instant: datetime, calendar: WorkingCalendar) -> tuple[date, int]:
    """The local date and minute of day of ``instant``, moved up to a whole minute."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("instants must be timezone-aware")
    local = instant.astimezone(calendar.zone)
    minute = local.hour * 60 + local.minute + (1 if local.second or local.microsecond else 0)
    if minute == MINUTES_PER_DAY:
        return local.date() + timedelta(days=1), 0
    return local.date(), minute


def _instant(day: date, minute: int, calendar: WorkingCalendar) -> datetime:
    return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=calendar.zone)


def _minute_of_day(moment: time) -> int:
    return moment.hour * 60 + moment.minute
