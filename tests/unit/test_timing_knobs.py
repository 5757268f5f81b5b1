"""The timing knobs of the long-running processes (docs/operations.md, "Timing knobs"):
production keeps its defaults, tests and operators may shorten them, nonsense refuses to start."""

from __future__ import annotations

import pytest

from mathvidya.config import ConfigurationError, Settings, load_settings
from mathvidya.outages import Backoff

KNOBS = {
    "CLOCK_PASS_SECONDS": "clock_pass_seconds",
    "OUTAGE_RETRY_CAP_SECONDS": "outage_retry_cap_seconds",
    "WORKER_POSTGRESQL_CHECK_SECONDS": "worker_postgresql_check_seconds",
    "PLANS_CACHE_SECONDS": "plans_cache_seconds",
}


def test_the_defaults_are_the_production_timings():
    settings = load_settings({})
    assert (settings.clock_pass_seconds, settings.outage_retry_cap_seconds) == (10.0, 5.0)
    assert settings.worker_postgresql_check_seconds == 5.0
    assert settings.plans_cache_seconds == 60.0


@pytest.mark.parametrize(("variable", "field"), sorted(KNOBS.items()))
def test_each_knob_is_read_from_the_environment(variable, field):
    assert getattr(load_settings({variable: "0.25"}), field) == 0.25
    assert getattr(load_settings({variable: " "}), field) == getattr(Settings(), field)


@pytest.mark.parametrize("variable", sorted(KNOBS))
@pytest.mark.parametrize("raw", ["0", "-1", "soon", "nan", "inf"])
def test_a_knob_that_is_not_a_positive_number_refuses_to_start(variable, raw):
    with pytest.raises(ConfigurationError, match=f"{variable} must be a positive number of seconds"):
        load_settings({variable: raw})


def test_backoff_doubles_up_to_its_cap_and_starts_over_after_reset():
    backoff = Backoff(cap=1.5)
    assert [backoff.next_delay() for _ in range(4)] == [0.5, 1.0, 1.5, 1.5]
    backoff.reset()
    assert backoff.next_delay() == 0.5
