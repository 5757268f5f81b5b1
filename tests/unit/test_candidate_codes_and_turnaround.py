"""Candidate codes (shape, alphabet, randomness source) and the turnaround figures over the
business calendar (weekends, holidays, on time or late, open or marked)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mathvidya.exams import turnaround
from mathvidya.exams.candidate_codes import ALPHABET, is_candidate_code, new_candidate_code
from mathvidya.sla_clock import WorkingCalendar

IST = "Asia/Kolkata"
CALENDAR = WorkingCalendar(
    window_start=time(9),
    window_end=time(18),
    timezone=IST,
    working_weekdays=frozenset(range(5)),  # Mon–Fri
    holidays=frozenset({date(2026, 12, 8)}),  # a Tuesday off
)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=CALENDAR.zone)


def test_a_code_has_the_documented_shape_and_no_ambiguous_symbols():
    code = new_candidate_code()
    assert is_candidate_code(code) and len(code) == 12 and code.startswith("MV-") and code[7] == "-"
    assert not set("01IO") & set(ALPHABET) and len(set(ALPHABET)) == 32


def test_each_symbol_comes_from_the_chooser():
    picks = iter("7K3Q92FD")
    assert new_candidate_code(lambda alphabet: next(picks)) == "MV-7K3Q-92FD"


def test_codes_differ_between_draws():
    assert len({new_candidate_code() for _ in range(200)}) == 200


@pytest.mark.parametrize("text", ["MV-7K3Q-92F", "MV-7K3Q-92FO", "mv-7k3q-92fd", "XX-7K3Q-92FD", None, 42])
def test_malformed_codes_are_refused(text):
    assert not is_candidate_code(text)


@given(st.integers(min_value=0, max_value=10_000))
def test_working_hours_have_at_most_two_decimals(minutes):
    hours = turnaround.working_hours(minutes)
    assert round(hours, 2) == hours and abs(hours * 60 - minutes) <= 0.3


def test_nothing_before_the_pages_are_confirmed():
    marking = turnaround.Marking(submitted_at=None, sla_deadline=None)
    assert turnaround.evaluation_summary(marking, at(7, 10), CALENDAR) is None
    assert turnaround.turnaround_working_hours(marking, CALENDAR) is None


def test_an_open_evaluation_counts_hours_left_across_the_weekend_and_a_holiday():
    # Submitted Fri 4 Dec 16:00, due Wed 9 Dec 11:00: now Sat 5 Dec → Fri 2 h + Mon 9 h + Wed 2 h
    # (Sat, Sun and the Tuesday holiday do not count).
    marking = turnaround.Marking(submitted_at=at(4, 16), sla_deadline=at(9, 11), evaluation_status="assigned")
    summary = turnaround.evaluation_summary(marking, at(5, 12), CALENDAR)
    assert summary == {
        "status": "assigned",
        "sla_deadline": at(9, 11),
        "working_hours_left": 11.0,
        "teacher_assigned": True,
        "on_time": None,
    }
    assert turnaround.turnaround_working_hours(marking, CALENDAR) is None


def test_waiting_for_a_teacher_and_overdue_hours_are_negative():
    marking = turnaround.Marking(submitted_at=at(4, 10), sla_deadline=at(4, 12))
    summary = turnaround.evaluation_summary(marking, at(4, 13, 30), CALENDAR)
    assert summary["status"] == "awaiting_teacher" and summary["teacher_assigned"] is False
    assert summary["working_hours_left"] == -1.5


def test_marked_on_time_gives_the_turnaround_in_working_hours():
    # Fri 16:00 → Mon 10:20: 2 h Friday + 1 h 20 min Monday = 3.33 h.
    marking = turnaround.Marking(at(4, 16), at(9, 11), "completed", at(7, 10, 20))
    summary = turnaround.evaluation_summary(marking, at(10, 9), CALENDAR)
    assert summary["on_time"] is True and summary["working_hours_left"] is None
    assert turnaround.turnaround_working_hours(marking, CALENDAR) == 3.33


def test_marked_late_is_not_on_time():
    marking = turnaround.Marking(at(4, 16), at(9, 11), "completed", at(9, 11) + timedelta(minutes=1))
    assert turnaround.on_time(marking) is False
    assert turnaround.turnaround_working_hours(marking, CALENDAR) == 13.02


def test_a_state_without_a_deadline_stays_calm():
    """A state added later may clear the deadline while a teacher keeps the evaluation."""
    marking = turnaround.Marking(submitted_at=at(4, 10), sla_deadline=None, evaluation_status="assigned")
    summary = turnaround.evaluation_summary(marking, at(4, 11), CALENDAR)
    assert summary["working_hours_left"] is None and summary["on_time"] is None and summary["sla_deadline"] is None
