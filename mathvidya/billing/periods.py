"""Billing-period arithmetic (pure, no I/O).

A billing period runs from the subscription's billing day of one month up to (not
including) the billing day of the next month. The billing day is 1..28, so it exists in
every month, February included. A subscription's own dates are half-open as well:
it covers ``start_date <= day < end_date``.

The SQL function ``billing_period_start`` (migration 0004) computes the same period start
inside the quota statement; tests check that the two agree.
"""

from __future__ import annotations

import calendar
from datetime import date

MAX_BILLING_DAY = 28
BILLING_CYCLE_MONTHS = {"monthly": 1, "annual": 12}


def billing_day_for(start_date: date) -> int:
    """The billing day of a subscription starting on ``start_date``: its day, at most 28."""
    return min(start_date.day, MAX_BILLING_DAY)


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months; a day past the target month's end lands on its last day."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _check_billing_day(billing_day: int) -> None:
    if not 1 <= billing_day <= MAX_BILLING_DAY:
        raise ValueError(f"billing day must be 1..{MAX_BILLING_DAY}, not {billing_day}")


def period_start(billing_day: int, on: date) -> date:
    """First day of the billing period holding ``on``."""
    _check_billing_day(billing_day)
    this_month = on.replace(day=billing_day)
    return this_month if on.day >= billing_day else add_months(this_month, -1)


def period_end(billing_day: int, on: date) -> date:
    """First day after the billing period holding ``on`` — the day the counters reset."""
    return add_months(period_start(billing_day, on), 1)


def next_reset_date(billing_day: int, on: date) -> date:
    """The date the exam counter next starts again from zero."""
    return period_end(billing_day, on)


def period_has_passed(billing_day: int, last_reset: date | None, on: date) -> bool:
    """Whether a counter last reset on ``last_reset`` belongs to an earlier period than ``on``'s."""
    return last_reset is None or last_reset < period_start(billing_day, on)


def subscription_end_date(start_date: date, billing_cycle: str) -> date:
    """The first day a subscription of this cycle no longer covers (one month or twelve)."""
    try:
        months = BILLING_CYCLE_MONTHS[billing_cycle]
    except KeyError:
        raise ValueError(f"unknown billing cycle {billing_cycle!r}") from None
    return add_months(start_date, months)
