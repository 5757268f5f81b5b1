"""Work per request with internal choice and step marks present: SQL statements sent by
starting a board-pattern paper with choices and by submitting its evaluation (one row per
alternative marked, step marks on every schemed answer). Counting statements does not move
with machine noise; docs/benchmarks.md keeps the figures."""

from __future__ import annotations

import threading

import psycopg
import pytest

from tests.exam_fixtures import (
    assign_to,
    give_subscription,
    make_questions,
    make_template,
    private_unit,
    section,
    upload_page,
)

# Per statement budgets (docs/benchmarks.md): the evaluation submit of a board paper.
EVALUATION_SUBMIT_BUDGET = 12
SCHEMES = {
    "VSA": [{"step": "Method", "marks": 1}, {"step": "Answer", "marks": 1}],
    "SA": [{"step": "Set up", "marks": 1}, {"step": "Work", "marks": 1.5}, {"step": "Answer", "marks": 0.5}],
    "LA": [{"step": "Figure", "marks": 1}, {"step": "Proof", "marks": 3}, {"step": "Answer", "marks": 1}],
    "CASE": [{"step": "(i)", "marks": 1}, {"step": "(ii)", "marks": 1}, {"step": "(iii)", "marks": 2}],
}

_recording = threading.local()


@pytest.fixture
def count_statements():
    """Counts the statements this thread sends through psycopg while the block runs."""
    original = psycopg.Cursor.execute

    def execute(self, query, params=None, *args, **kwargs):
        if getattr(_recording, "count", None) is not None:
            _recording.count += 1
            text = query if isinstance(query, str) else str(query)
            _recording.texts.append(" ".join(text.split())[:90])
        return original(self, query, params, *args, **kwargs)

    class Counter:
        def __enter__(self):
            _recording.count, _recording.texts = 0, []
            return self

        def __exit__(self, *exc):
            self.statements, _recording.count = _recording.count, None
            self.texts = _recording.texts

    psycopg.Cursor.execute = execute
    try:
        yield Counter
    finally:
        psycopg.Cursor.execute = original
        _recording.count = None


def test_board_paper_with_choices_start_and_submit_statements(app, client, make_user, link_parent, count_statements):
    student, parent, teacher = make_user("student"), make_user("parent"), make_user("teacher")
    link_parent(parent, student)
    give_subscription(app, student, "centum")
    unit = private_unit("budget")
    make_questions(app, unit, "MCQ", 24)
    for qtype, needed in (("VSA", 7), ("SA", 9), ("LA", 6), ("CASE", 6)):
        make_questions(app, unit, qtype, needed + 2, scheme=SCHEMES[qtype])
    template = make_template(
        app,
        [
            section("Section A", "MCQ", 20, {unit: 1.0}),
            section("Section B", "VSA", 5, {unit: 1.0}, choices=2),
            section("Section C", "SA", 6, {unit: 1.0}, choices=3),
            section("Section D", "LA", 4, {unit: 1.0}, choices=2),
            section("Section E", "CASE", 3, {unit: 1.0}, choices=3),
        ],
    )  # the board pattern: 38 questions, 80 marks, 10 of them with two alternatives
    with count_statements() as start:
        response = client.post("/api/v1/exams/start", json={"template_id": str(template)}, headers=student["headers"])
    assert response.status_code == 201, response.get_json()
    exam = response.get_json()
    exam_id = exam["exam_instance_id"]
    assert exam["total_marks"] == 80 and sum(1 for q in exam["questions"] if q.get("alternatives")) == 10

    headers = student["headers"]
    assert client.post(f"/api/v1/exams/{exam_id}/submit-mcq", json={"answers": []}, headers=headers).status_code == 200
    written = [q for q in exam["questions"] if q["question_type"] != "MCQ"]
    upload_page(client, student, exam_id, 1)
    confirmed = client.post(
        f"/api/v1/exams/{exam_id}/confirm-upload",
        headers=headers,
        json={
            "pages_uploaded": [1],
            "page_question_mapping": {"1": [q["question_number"] for q in written]},
            "attempted_choices": {str(q["question_number"]): "both" for q in written if q.get("alternatives")},
        },
    )
    assert confirmed.status_code == 200, confirmed.get_json()
    evaluation_id = assign_to(app, exam_id, teacher)

    rows = []
    for q in written:
        steps = SCHEMES[q["question_type"]]
        marks = [s["marks"] for s in steps[:-1]] + [0]  # all but the last step
        for choice in ("a", "b") if q.get("alternatives") else (None,):
            rows.append(
                {"question_number": q["question_number"], "step_marks": marks, **({"choice": choice} if choice else {})}
            )
    with count_statements() as submit:
        done = client.post(
            f"/api/v1/evaluations/{evaluation_id}/submit", json={"question_marks": rows}, headers=teacher["headers"]
        )
    assert done.status_code == 200, done.get_json()
    # every question loses its last step: VSA 5×1, SA 6×2.5, LA 4×4, CASE 3×2 = 42, each question once
    assert done.get_json()["total_manual_marks"] == 42
    print(f"\nstatements: start exam {start.statements}, evaluation submit {submit.statements}")
    print("\n".join(submit.texts))
    # Every mark (38 rows of counted marks, alternatives and steps here) is one statement.
    assert sum(1 for text in submit.texts if "question_step_marks" in text or "question_marks" in text) == 1
    # The rest is the fixed cost of a submit; notifying the student and each parent (an
    # in-app row, the recipient, an outbox row) comes on top and is the notifications' own.
    notifying = ("INSERT INTO notifications", "INSERT INTO email_outbox", "SELECT user_id, email, first_name, role")
    assert sum(1 for text in submit.texts if not text.startswith(notifying)) <= EVALUATION_SUBMIT_BUDGET
