"""The SLA working calendar, built in one place: today's working-hours settings with the
holidays of a date range.

Holidays say which dates are off and which are working overrides (a holiday row with
is_working_day = true makes its date a working day, even on a normally closed weekday).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import psycopg

from mathvidya import sla_clock
from mathvidya.queries import queries
from mathvidya.settings_store import get_setting


@dataclass(frozen=True)
class HolidayCalendar:
    off_dates: frozenset[date]
    working_dates: frozenset[date]

    def is_holiday(self, day: date) -> bool:
        return day in self.off_dates

    def is_forced_working_day(self, day: date) -> bool:
        return day in self.working_dates


def calendar_from_rows(rows: list[dict]) -> HolidayCalendar:
    """A date with any working-day row is worked; otherwise any holiday row makes it off."""
    working = {row["holiday_date"] for row in rows if row["is_working_day"]}
    off = {row["holiday_date"] for row in rows if not row["is_working_day"]} - working
    return HolidayCalendar(frozenset(off), frozenset(working))


def holiday_calendar(conn: psycopg.Connection, start: date, end: date) -> HolidayCalendar:
    """Holidays in [start, end] (inclusive), read with the holidays_by_date index."""
    rows = list(queries("holidays").holidays_between(conn, start_date=start, end_date=end))
    return calendar_from_rows(rows)


def working_calendar_from_rows(conn: psycopg.Connection, rows: list[dict]) -> sla_clock.WorkingCalendar:
    """The SLA calendar of today's settings with holiday rows already read (``holiday_date``
    as a date or an ISO string), for a caller that fetched them with its own query."""
    parsed = [
        {"holiday_date": date.fromisoformat(str(row["holiday_date"])), "is_working_day": row["is_working_day"]}
        for row in rows
    ]
    holidays = calendar_from_rows(parsed)
    return sla_clock.calendar_from_settings(
        get_setting(conn, "sla_working_hours"),
        get_setting(conn, "sla_working_days"),
        holidays.off_dates,
        holidays.working_dates,
    )


def working_calendar(conn: psycopg.Connection, first_day: date, last_day: date) -> sla_clock.WorkingCalendar:
    """The SLA calendar of today's settings with the holidays between the two dates."""
    holidays = holiday_calendar(conn, first_day, last_day)
    return sla_clock.calendar_from_settings(
        get_setting(conn, "sla_working_hours"),
        get_setting(conn, "sla_working_days"),
        holidays.off_dates,
        holidays.working_dates,
    )
