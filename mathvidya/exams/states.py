"""The exam state machine, declared once.

TRANSITIONS is the whole machine. Each move is applied by a single guarded UPDATE
(`… WHERE status = <expected>`), so concurrent requests cannot both apply it; a request
finding the exam in another state answers 409 INVALID_EXAM_STATE. GUARDED_UPDATES names
the query that applies each move, and tests/unit/test_exam_states.py reads the SQL files
to check that every guarded UPDATE moves exactly the declared states.
"""

from __future__ import annotations

from mathvidya.errors import InvalidExamState

IN_PROGRESS = "in_progress"
REUPLOAD_REQUESTED = "reupload_requested"

TRANSITIONS: dict[str, frozenset[str]] = {
    "created": frozenset({IN_PROGRESS}),
    IN_PROGRESS: frozenset({"evaluated", "submitted_mcq", "pending_upload"}),
    "submitted_mcq": frozenset({"uploaded"}),
    "pending_upload": frozenset({"uploaded"}),
    "uploaded": frozenset({"pending_evaluation"}),
    "pending_evaluation": frozenset({"evaluated", REUPLOAD_REQUESTED}),
    # The assigned teacher asked for new pages; confirming them restarts the SLA clock.
    REUPLOAD_REQUESTED: frozenset({"pending_evaluation"}),
    "evaluated": frozenset(),
}

# start_exam inserts the exam already started: created → in_progress happens in the INSERT.
START_STATUS = IN_PROGRESS
AWAITING_UPLOAD = frozenset(state for state, targets in TRANSITIONS.items() if "uploaded" in targets)
UPLOAD_CONFIRMED = frozenset({"pending_evaluation", "evaluated"})
# Where the student may ask for upload forms and confirm pages.
TAKING_PAGES = AWAITING_UPLOAD | {REUPLOAD_REQUESTED}
MCQ_PART_DONE = frozenset({"submitted_mcq", "pending_upload", "uploaded", REUPLOAD_REQUESTED, *UPLOAD_CONFIRMED})

# The named query applying each move: (states it accepts, states it may set).
GUARDED_UPDATES: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "finish_mcq_part": (frozenset({IN_PROGRESS}), TRANSITIONS[IN_PROGRESS]),
    "mark_uploaded": (AWAITING_UPLOAD, frozenset({"uploaded"})),
    "mark_pending_evaluation": (frozenset({"uploaded"}), frozenset({"pending_evaluation"})),
    "record_exam_evaluated": (frozenset({"pending_evaluation"}), frozenset({"evaluated"})),
    "mark_reupload_requested": (frozenset({"pending_evaluation"}), frozenset({REUPLOAD_REQUESTED})),
    "mark_reupload_confirmed": (frozenset({REUPLOAD_REQUESTED}), frozenset({"pending_evaluation"})),
}


def can_move(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def ensure_can_move(current: str, target: str, action: str) -> None:
    """409 INVALID_EXAM_STATE unless the machine allows ``current`` → ``target``."""
    if not can_move(current, target):
        raise invalid_state(current, action)


def ensure_taking_pages(current: str) -> None:
    """409 INVALID_EXAM_STATE unless the student may upload and confirm pages now."""
    if current not in TAKING_PAGES:
        raise invalid_state(current, "take answer sheets")


def invalid_state(current: str, action: str) -> InvalidExamState:
    return InvalidExamState(
        f"The exam is {current.replace('_', ' ')}; it cannot {action} now.",
        details={"status": current},
    )


def status_after_mcq(has_written_questions: bool, timed_out: bool) -> str:
    """Where an exam goes when its MCQ part is submitted (by the student or the clock)."""
    if not has_written_questions:
        return "evaluated"
    return "pending_upload" if timed_out else "submitted_mcq"
