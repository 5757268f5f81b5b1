"""The exam state machine in one place (PRODUCT.md §6). Each transition is applied by a
single guarded UPDATE (`… WHERE status = <expected>`), so concurrent requests cannot both
apply it; a request finding the exam in another state answers 409 INVALID_EXAM_STATE."""

from __future__ import annotations

from mathvidya.errors import Conflict

TRANSITIONS: dict[str, frozenset[str]] = {
    "created": frozenset({"in_progress"}),
    "in_progress": frozenset({"evaluated", "submitted_mcq", "pending_upload"}),
    "submitted_mcq": frozenset({"uploaded"}),
    "pending_upload": frozenset({"uploaded"}),
    "uploaded": frozenset({"pending_evaluation"}),
    "pending_evaluation": frozenset({"evaluated"}),
    "evaluated": frozenset(),
}
AWAITING_UPLOAD = frozenset({"submitted_mcq", "pending_upload"})
MCQ_PART_DONE = frozenset({"submitted_mcq", "pending_upload", "uploaded", "pending_evaluation", "evaluated"})


def can_move(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def invalid_state(current: str, action: str) -> Conflict:
    return Conflict(
        f"The exam is {current.replace('_', ' ')}; it cannot {action} now.",
        code="INVALID_EXAM_STATE",
        details={"status": current},
    )


def status_after_mcq(has_written_questions: bool, timed_out: bool) -> str:
    """Where an exam goes when its MCQ part is submitted (by the student or the clock)."""
    if not has_written_questions:
        return "evaluated"
    return "pending_upload" if timed_out else "submitted_mcq"
