"""SLA clock: the worked examples of docs/exams.md, edge cases at window edges and seconds, and
hypothesis properties (monotonic, deadlines inside windows, holidays only delay, and
working_minutes_between measuring exactly what sla_deadline counted)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mathvidya.sla_clock import (
    MAX_WALK_DAYS,
    WorkingCalendar,
    calendar_from_settings,
    sla_deadline,
    working_minutes_between,
)

IST = ZoneInfo("Asia/Kolkata")
WINDOW = {"start": "09:00", "end": "18:00", "timezone": "Asia/Kolkata"}
MON_SAT = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
MON_FRI = ["Mon", "Tue", "Wed", "Thu", "Fri"]
REPUBLIC_DAY = date(2026, 1, 26)


def ist(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=IST)


def calendar(days=MON_SAT, off=(), working=()) -> WorkingCalendar:
    return calendar_from_settings(WINDOW, days, off, working)


@pytest.mark.parametrize(
    ("submitted", "hours", "days", "holidays", "deadline"),
    [
        ("2026-01-02 17:00", 24, MON_SAT, (), "2026-01-06 14:00"),
        ("2026-01-02 17:00", 24, MON_FRI, (), "2026-01-07 14:00"),
        ("2026-01-05 10:00", 48, MON_SAT, (), "2026-01-10 13:00"),
        ("2026-01-04 12:00", 24, MON_SAT, (), "2026-01-07 15:00"),
        ("2026-01-24 17:00", 24, MON_SAT, (REPUBLIC_DAY,), "2026-01-29 14:00"),
        ("2026-01-05 09:00", 9, MON_SAT, (), "2026-01-05 18:00"),
        ("2026-01-05 17:30", 24, MON_SAT, (), "2026-01-08 14:30"),
    ],
)
def test_product_vectors(submitted, hours, days, holidays, deadline):
    result = sla_deadline(ist(submitted), hours, calendar(days, holidays))
    assert result == ist(deadline)
    assert result.tzinfo == IST
    assert result.utcoffset() == timedelta(hours=5, minutes=30)


def test_submission_given_in_utc_is_read_in_the_calendar_zone():
    # 2026-01-02 11:30 UTC is 17:00 IST: the first vector again.
    submitted = datetime(2026, 1, 2, 11, 30, tzinfo=UTC)
    assert sla_deadline(submitted, 24, calendar()) == ist("2026-01-06 14:00")


def test_seconds_are_dropped_towards_later():
    assert sla_deadline(ist("2026-01-05 10:00:30"), 1, calendar()) == ist("2026-01-05 11:01")
    assert sla_deadline(ist("2026-01-05 10:00:00.000001"), 1, calendar()) == ist("2026-01-05 11:01")
    # 17:59:30 counts from 18:00, which is outside the window: the clock starts next morning.
    assert sla_deadline(ist("2026-01-05 17:59:30"), 1, calendar()) == ist("2026-01-06 10:00")


def test_submission_at_close_starts_next_morning():
    assert sla_deadline(ist("2026-01-05 18:00"), 1, calendar()) == ist("2026-01-06 10:00")


def test_before_opening_starts_at_opening():
    assert sla_deadline(ist("2026-01-05 06:15"), 2, calendar()) == ist("2026-01-05 11:00")


def test_zero_hours_is_the_next_working_instant():
    assert sla_deadline(ist("2026-01-05 10:00"), 0, calendar()) == ist("2026-01-05 10:00")
    assert sla_deadline(ist("2026-01-05 20:00"), 0, calendar()) == ist("2026-01-06 09:00")


def test_fractional_hours_round_up_to_whole_minutes():
    assert sla_deadline(ist("2026-01-05 09:00"), Decimal("1.5"), calendar()) == ist("2026-01-05 10:30")
    assert sla_deadline(ist("2026-01-05 09:00"), 0.1, calendar()) == ist("2026-01-05 09:06")
    assert sla_deadline(ist("2026-01-05 09:00"), Decimal("0.001"), calendar()) == ist("2026-01-05 09:01")


def test_working_override_opens_a_sunday_and_a_holiday():
    sunday = date(2026, 1, 4)
    assert sla_deadline(ist("2026-01-04 12:00"), 2, calendar(working=(sunday,))) == ist("2026-01-04 14:00")
    both = calendar(off=(REPUBLIC_DAY,), working=(REPUBLIC_DAY,))
    assert both.is_working_day(REPUBLIC_DAY)
    assert sla_deadline(ist("2026-01-26 09:00"), 1, both) == ist("2026-01-26 10:00")


def test_long_sla_walks_many_days():
    # 900 hours = 100 windows of 9 hours; Mon–Sat gives 6 per week.
    deadline = sla_deadline(ist("2026-01-05 09:00"), 900, calendar())
    assert deadline.time() == time(18, 0)
    assert working_minutes_between(ist("2026-01-05 09:00"), deadline, calendar()) == 900 * 60


@pytest.mark.parametrize("hours", [-1, Decimal("-0.5"), float("nan"), float("inf"), Decimal("NaN")])
def test_bad_hours_are_refused(hours):
    with pytest.raises(ValueError):
        sla_deadline(ist("2026-01-05 09:00"), hours, calendar())


def test_non_number_hours_are_refused():
    with pytest.raises(TypeError):
        sla_deadline(ist("2026-01-05 09:00"), "24", calendar())
    with pytest.raises(TypeError):
        sla_deadline(ist("2026-01-05 09:00"), True, calendar())


def test_calendar_without_working_days_is_refused():
    never = WorkingCalendar(time(9), time(18), "Asia/Kolkata", frozenset())
    with pytest.raises(ValueError, match="working days"):
        sla_deadline(ist("2026-01-05 09:00"), 1, never)


def test_override_far_ahead_is_still_found_within_the_cap():
    far = date(2026, 1, 5) + timedelta(days=MAX_WALK_DAYS - 10)
    sparse = WorkingCalendar(time(9), time(18), "Asia/Kolkata", frozenset(), working_overrides=frozenset({far}))
    assert sla_deadline(ist("2026-01-05 09:00"), 1, sparse) == datetime.combine(far, time(10), tzinfo=IST)


def test_naive_submission_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        sla_deadline(datetime(2026, 1, 5, 9), 1, calendar())


@pytest.mark.parametrize(
    ("hours", "days"),
    [
        ({"start": "18:00", "end": "09:00", "timezone": "Asia/Kolkata"}, MON_SAT),
        ({"start": "09:00", "end": "09:00", "timezone": "Asia/Kolkata"}, MON_SAT),
        ({"start": "09:00", "end": "18:00", "timezone": "Mars/Olympus"}, MON_SAT),
        ({"start": "9am", "end": "18:00", "timezone": "Asia/Kolkata"}, MON_SAT),
        (WINDOW, ["Mon", "Funday"]),
    ],
)
def test_bad_settings_are_refused(hours, days):
    with pytest.raises(ValueError):
        calendar_from_settings(hours, days)


def test_weekday_numbers_out_of_range_are_refused():
    with pytest.raises(ValueError):
        WorkingCalendar(time(9), time(18), "Asia/Kolkata", frozenset({7}))


def test_calendar_from_settings_maps_days_and_dates():
    cal = calendar_from_settings(WINDOW, MON_FRI, [REPUBLIC_DAY], [date(2026, 1, 3)])
    assert cal.working_weekdays == frozenset({0, 1, 2, 3, 4})
    assert cal.window_start == time(9) and cal.window_end == time(18)
    assert not cal.is_working_day(REPUBLIC_DAY)
    assert cal.is_working_day(date(2026, 1, 3))  # a Saturday, worked by override
    assert not cal.is_working_day(date(2026, 1, 10))  # an ordinary Saturday


@pytest.mark.parametrize(
    ("start", "end", "minutes"),
    [
        ("2026-01-05 10:00", "2026-01-05 11:30", 90),
        ("2026-01-05 07:00", "2026-01-05 20:00", 540),
        ("2026-01-02 17:00", "2026-01-06 14:00", 1440),  # Fri → Tue over a Sunday
        ("2026-01-04 08:00", "2026-01-04 20:00", 0),  # all of a Sunday
        ("2026-01-05 12:00", "2026-01-05 12:00", 0),
        ("2026-01-05 11:30", "2026-01-05 10:00", -90),
        ("2026-01-05 10:00:30", "2026-01-05 11:00", 59),
    ],
)
def test_working_minutes_between(start, end, minutes):
    assert working_minutes_between(ist(start), ist(end), calendar()) == minutes


# --- properties -------------------------------------------------------------------------

instants = st.datetimes(
    min_value=datetime(2025, 12, 1),
    max_value=datetime(2027, 1, 31),
    timezones=st.just(IST),
)
some_holidays = st.frozensets(st.dates(min_value=date(2025, 12, 1), max_value=date(2027, 6, 30)), max_size=25)
weekday_sets = st.frozensets(st.integers(0, 6), min_size=1)
# Windows of at least an hour and SLAs of at most 60 hours keep every walk well under the cap.
hours = st.integers(min_value=0, max_value=60)


@st.composite
def calendars(draw) -> WorkingCalendar:
    opening = draw(st.integers(0, 22 * 60))
    closing = draw(st.integers(opening + 60, 24 * 60 - 1))
    return WorkingCalendar(
        window_start=time(opening // 60, opening % 60),
        window_end=time(closing // 60, closing % 60),
        timezone="Asia/Kolkata",
        working_weekdays=draw(weekday_sets),
        holidays=draw(some_holidays),
        working_overrides=draw(st.frozensets(st.dates(date(2025, 12, 1), date(2027, 6, 30)), max_size=5)),
    )


@given(calendars(), instants, hours, hours)
def test_more_hours_never_gives_an_earlier_deadline(cal, submitted, a, b):
    low, high = sorted((a, b))
    assert sla_deadline(submitted, low, cal) <= sla_deadline(submitted, high, cal)


@given(calendars(), instants, instants, hours)
def test_later_submission_never_gives_an_earlier_deadline(cal, first, second, h):
    early, late = sorted((first, second))
    assert sla_deadline(early, h, cal) <= sla_deadline(late, h, cal)


@given(calendars(), instants, hours)
def test_deadline_is_inside_a_window_or_at_its_close(cal, submitted, h):
    deadline = sla_deadline(submitted, h, cal)
    local = deadline.astimezone(IST)
    assert cal.is_working_day(local.date())
    assert cal.window_start <= local.time() <= cal.window_end
    assert local.second == 0 and local.microsecond == 0
    assert deadline >= submitted


@given(calendars(), instants, hours, st.dates(min_value=date(2025, 12, 1), max_value=date(2027, 6, 30)))
def test_adding_a_holiday_never_brings_the_deadline_forward(cal, submitted, h, holiday):
    with_holiday = WorkingCalendar(
        cal.window_start,
        cal.window_end,
        cal.timezone,
        cal.working_weekdays,
        cal.holidays | {holiday},
        cal.working_overrides,
    )
    assert sla_deadline(submitted, h, with_holiday) >= sla_deadline(submitted, h, cal)


@given(calendars(), instants, hours)
def test_working_minutes_to_the_deadline_are_exactly_the_sla(cal, submitted, h):
    deadline = sla_deadline(submitted, h, cal)
    assert working_minutes_between(submitted, deadline, cal) == h * 60


@st.composite
def calendar_and_instant_inside_a_window(draw) -> tuple[WorkingCalendar, datetime]:
    cal = draw(calendars())
    day = draw(st.dates(min_value=date(2025, 12, 1), max_value=date(2027, 1, 31)))
    while not cal.is_working_day(day):
        day += timedelta(days=1)
    minute = draw(st.integers(cal.opening_minute, cal.closing_minute - 1))
    second = draw(st.sampled_from([0, 0, 1, 59]))
    return cal, datetime.combine(day, time(minute // 60, minute % 60, second), tzinfo=IST)


@given(calendar_and_instant_inside_a_window(), hours)
def test_inside_a_window_the_clock_starts_at_once(cal_and_submitted, h):
    cal, submitted = cal_and_submitted
    deadline = sla_deadline(submitted, h, cal)
    assert working_minutes_between(submitted, deadline, cal) == h * 60
    if h == 0 and submitted.second == 0:
        assert deadline == submitted


@given(calendars(), instants, instants)
def test_working_minutes_between_is_antisymmetric_and_bounded(cal, first, second):
    forward = working_minutes_between(first, second, cal)
    assert forward == -working_minutes_between(second, first, cal)
    span_minutes = abs((second - first).total_seconds()) / 60
    assert abs(forward) <= span_minutes + 1
