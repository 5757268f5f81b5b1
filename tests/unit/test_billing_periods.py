"""Billing-period arithmetic: table tests at month ends, billing days 1 and 28 and
February, and hypothesis properties over any day and billing day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mathvidya import business_time
from mathvidya.billing import periods

D = date.fromisoformat


@pytest.mark.parametrize(
    ("billing_day", "on", "start", "end"),
    [
        # billing day 1: calendar months
        (1, "2026-01-01", "2026-01-01", "2026-02-01"),
        (1, "2026-01-31", "2026-01-01", "2026-02-01"),
        (1, "2026-02-28", "2026-02-01", "2026-03-01"),
        (1, "2026-12-31", "2026-12-01", "2027-01-01"),
        (1, "2028-02-29", "2028-02-01", "2028-03-01"),
        # billing day 28: every month has one, so February needs nothing special
        (28, "2026-01-27", "2025-12-28", "2026-01-28"),
        (28, "2026-01-28", "2026-01-28", "2026-02-28"),
        (28, "2026-01-31", "2026-01-28", "2026-02-28"),
        (28, "2026-02-27", "2026-01-28", "2026-02-28"),
        (28, "2026-02-28", "2026-02-28", "2026-03-28"),
        (28, "2026-03-01", "2026-02-28", "2026-03-28"),
        (28, "2028-02-29", "2028-02-28", "2028-03-28"),
        (28, "2028-03-27", "2028-02-28", "2028-03-28"),
        # mid-month and the year boundary
        (15, "2026-01-14", "2025-12-15", "2026-01-15"),
        (15, "2026-01-15", "2026-01-15", "2026-02-15"),
        (15, "2025-12-31", "2025-12-15", "2026-01-15"),
    ],
)
def test_period_around_a_day(billing_day, on, start, end):
    assert periods.period_start(billing_day, D(on)) == D(start)
    assert periods.period_end(billing_day, D(on)) == D(end)
    assert periods.next_reset_date(billing_day, D(on)) == D(end)


@pytest.mark.parametrize(
    ("start_date", "billing_day"),
    [("2026-01-01", 1), ("2026-01-15", 15), ("2026-01-28", 28), ("2026-01-29", 28), ("2026-01-31", 28)],
)
def test_billing_day_of_a_new_subscription_is_its_day_at_most_28(start_date, billing_day):
    assert periods.billing_day_for(D(start_date)) == billing_day


@pytest.mark.parametrize(
    ("start", "cycle", "end"),
    [
        ("2026-01-15", "monthly", "2026-02-15"),
        ("2026-01-31", "monthly", "2026-02-28"),
        ("2028-01-31", "monthly", "2028-02-29"),
        ("2026-03-31", "monthly", "2026-04-30"),
        ("2026-12-10", "monthly", "2027-01-10"),
        ("2026-01-15", "annual", "2027-01-15"),
        ("2028-02-29", "annual", "2029-02-28"),
    ],
)
def test_subscription_end_date(start, cycle, end):
    assert periods.subscription_end_date(D(start), cycle) == D(end)


@pytest.mark.parametrize(
    ("billing_day", "last_reset", "on", "passed"),
    [
        (28, None, "2026-02-01", True),
        (28, "2026-01-28", "2026-02-27", False),
        (28, "2026-01-28", "2026-02-28", True),
        (1, "2026-01-01", "2026-01-31", False),
        (1, "2026-01-01", "2026-02-01", True),
        (1, "2026-03-01", "2026-02-15", False),  # a later reset never counts as passed
    ],
)
def test_period_has_passed(billing_day, last_reset, on, passed):
    last = D(last_reset) if last_reset else None
    assert periods.period_has_passed(billing_day, last, D(on)) is passed


@pytest.mark.parametrize("billing_day", [0, 29, 31, -1])
def test_billing_day_outside_1_to_28_is_refused(billing_day):
    with pytest.raises(ValueError):
        periods.period_start(billing_day, D("2026-01-01"))


def test_unknown_billing_cycle_is_refused():
    with pytest.raises(ValueError):
        periods.subscription_end_date(D("2026-01-01"), "weekly")


def test_business_date_is_the_date_in_india():
    # 20:00 UTC on 31 January is already 1 February in India (UTC+05:30)
    assert business_time.business_date(datetime(2026, 1, 31, 20, 0, tzinfo=UTC)) == D("2026-02-01")
    assert business_time.business_date(datetime(2026, 1, 31, 18, 29, tzinfo=UTC)) == D("2026-01-31")
    assert business_time.business_date(
        datetime(2026, 2, 1, 0, 10, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    ) == D("2026-02-01")
    with pytest.raises(ValueError):
        business_time.business_date(datetime(2026, 1, 1))


days = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
billing_days = st.integers(min_value=1, max_value=28)


@given(billing_days, days)
def test_a_day_lies_in_its_period_which_starts_on_the_billing_day(billing_day, on):
    start = periods.period_start(billing_day, on)
    end = periods.period_end(billing_day, on)
    assert start <= on < end
    assert start.day == billing_day and end.day == billing_day
    assert 28 <= (end - start).days <= 31
    assert periods.add_months(start, 1) == end


@given(billing_days, days)
def test_periods_tile_the_calendar(billing_day, on):
    start = periods.period_start(billing_day, on)
    end = periods.period_end(billing_day, on)
    # the period is the same seen from any of its days, and the next one begins at its end
    assert periods.period_start(billing_day, start) == start
    assert periods.period_start(billing_day, end - timedelta(days=1)) == start
    assert periods.period_start(billing_day, end) == end
    assert periods.period_start(billing_day, start - timedelta(days=1)) == periods.add_months(start, -1)


@given(days, st.sampled_from(["monthly", "annual"]))
def test_a_subscription_ends_after_it_starts_with_a_valid_billing_day(start, cycle):
    end = periods.subscription_end_date(start, cycle)
    assert end > start
    assert 1 <= periods.billing_day_for(start) <= 28
    assert (end - start).days in (range(28, 32) if cycle == "monthly" else range(365, 367))
    # its first period starts no later than its first day
    assert periods.period_start(periods.billing_day_for(start), start) <= start


@given(days, st.integers(min_value=-240, max_value=240))
def test_add_months_keeps_the_day_or_clamps_to_the_month_end(day, months):
    moved = periods.add_months(day, months)
    assert (moved.year * 12 + moved.month) - (day.year * 12 + day.month) == months
    assert moved.day == day.day or (moved.day < day.day and (moved + timedelta(days=1)).day == 1)
