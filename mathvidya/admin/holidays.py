"""The holiday calendar reader the SLA clock uses: which dates are off, which are working
overrides (a holiday row with is_working_day = true makes its date a working day, even on
a normally closed weekday)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import psycopg

from mathvidya.queries import queries


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
