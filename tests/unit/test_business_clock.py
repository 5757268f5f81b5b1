"""The business clock: India's date for an instant, and a clock tests can hold still."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from mathvidya import business_time


def test_the_india_date_turns_at_midnight_in_india_not_in_utc():
    assert business_time.business_date(datetime(2026, 3, 10, 18, 29, 59, tzinfo=UTC)) == date(2026, 3, 10)
    assert business_time.business_date(datetime(2026, 3, 10, 18, 30, 0, tzinfo=UTC)) == date(2026, 3, 11)


def test_a_naive_instant_is_refused():
    with pytest.raises(ValueError):
        business_time.business_date(datetime(2026, 3, 10, 12, 0))
    with pytest.raises(ValueError), business_time.frozen_at(datetime(2026, 3, 10, 12, 0)):
        pass


def test_frozen_at_holds_now_and_today_then_lets_go_even_when_nested():
    outer = datetime(2026, 3, 10, 23, 59, 59, tzinfo=business_time.BUSINESS_TZ)
    inner = datetime(2027, 1, 1, 0, 0, tzinfo=UTC)
    with business_time.frozen_at(outer) as held:
        assert held == outer and held.tzinfo == UTC
        assert business_time.now() == outer and business_time.business_date() == date(2026, 3, 10)
        with business_time.frozen_at(inner):
            assert business_time.now() == inner
        assert business_time.now() == outer
    assert abs(business_time.now() - datetime.now(UTC)) < timedelta(seconds=5)
    assert business_time.now().tzinfo is not None


def test_the_frozen_business_clock_fixture_holds_the_current_instant(frozen_business_clock):
    assert business_time.now() == frozen_business_clock
    assert abs(frozen_business_clock - datetime.now(UTC)) < timedelta(seconds=5)
