"""The exam state machine is declared once (mathvidya/exams/states.py) and the SQL obeys
it: every guarded UPDATE of exam_instances.status moves exactly the declared states."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mathvidya.exams import states

SQL_DIR = Path(__file__).resolve().parent.parent.parent / "sql" / "queries"
QUOTED = re.compile(r"'([a-z_]+)'")


def _named_queries() -> dict[str, str]:
    found = {}
    for path in SQL_DIR.glob("*.sql"):
        for block in re.split(r"^-- name: ", path.read_text(), flags=re.M)[1:]:
            name, _, body = block.partition("\n")
            found[re.match(r"[a-z_0-9]+", name).group(0)] = re.sub(r"--[^\n]*", "", body)
    return found


def _status_updates() -> dict[str, str]:
    return {
        name: body
        for name, body in _named_queries().items()
        if re.search(r"UPDATE\s+exam_instances", body) and re.search(r"SET\s+status\s*=", body)
    }


def _from_states(body: str) -> frozenset[str]:
    guard = re.search(r"WHERE.*?\bstatus\s*(=\s*'[a-z_]+'|IN\s*\([^)]*\))", body, flags=re.S)
    assert guard, "a status UPDATE must be guarded by the status it expects"
    return frozenset(QUOTED.findall(guard.group(1)))


def _set_state(body: str) -> str | None:
    """The literal status the UPDATE sets, or None when it comes from a parameter."""
    match = re.search(r"SET\s+status\s*=\s*'([a-z_]+)'", body)
    return match.group(1) if match else None


def test_every_status_update_is_declared_with_the_states_it_guards():
    updates = _status_updates()
    assert set(updates) == set(states.GUARDED_UPDATES)
    for name, body in updates.items():
        accepted, targets = states.GUARDED_UPDATES[name]
        assert _from_states(body) == accepted, name
        literal = _set_state(body)
        if literal is not None:
            assert targets == {literal}, name


def test_every_declared_move_is_a_transition_and_every_transition_has_its_query():
    applied = {
        (old, new) for accepted, targets in states.GUARDED_UPDATES.values() for old in accepted for new in targets
    }
    machine = {(old, new) for old, targets in states.TRANSITIONS.items() for new in targets}
    assert applied <= machine
    assert machine - applied == {("created", states.START_STATUS)}  # done by the INSERT


def test_a_new_exam_is_inserted_in_the_start_state():
    insert = _named_queries()["insert_exam"]
    assert f"'{states.START_STATUS}'" in insert


@given(st.booleans(), st.booleans())
def test_the_mcq_submission_goes_where_the_machine_allows(has_written, timed_out):
    assert states.can_move(states.IN_PROGRESS, states.status_after_mcq(has_written, timed_out))


@pytest.mark.parametrize("current", sorted(set(states.TRANSITIONS) - states.AWAITING_UPLOAD))
def test_only_an_exam_awaiting_upload_takes_answer_sheets(current):
    with pytest.raises(Exception) as refused:
        states.ensure_can_move(current, "uploaded", "take answer sheets")
    assert refused.value.code == "INVALID_EXAM_STATE" and refused.value.status == 409
