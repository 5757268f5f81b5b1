"""The board paper over HTTP: internal choice from the template to the results, and marking
by step against a question's marking scheme."""

from __future__ import annotations

import pytest

from tests.exam_fixtures import (
    JPEG_PAGE,
    assign_to,
    confirmed_exam,
    connect,
    give_subscription,
    make_questions,
    make_template,
    private_unit,
    section,
    upload_page,
)

VSA_SCHEME = [
    {"step": "Sets up the equation", "marks": 0.5},
    {"step": "Solves it", "marks": 1},
    {"step": "Answer", "marks": 0.5},
]


@pytest.fixture
def paper(app, client, make_user, link_parent):
    """A paper of 2 MCQ, 2 VSA (the last a choice) and 1 SA (a choice): 2 + 4 + 3 = 9 marks.
    Question numbers: 1–2 MCQ, 3 VSA, 4 VSA (a)/(b), 5 SA (a)/(b)."""
    student, parent, teacher = make_user("student"), make_user("parent"), make_user("teacher")
    link_parent(parent, student)
    give_subscription(app, student, "centum")
    unit = private_unit("board")
    make_questions(app, unit, "MCQ", 2)
    make_questions(app, unit, "VSA", 3, scheme=VSA_SCHEME)
    make_questions(app, unit, "SA", 2)
    template = make_template(
        app,
        [
            section("A", "MCQ", 2, {unit: 1.0}),
            section("B", "VSA", 2, {unit: 1.0}, choices=1),
            section("C", "SA", 1, {unit: 1.0}, choices=1),
        ],
    )
    return {"student": student, "parent": parent, "teacher": teacher, "template": template, "unit": unit}


def _start(client, paper):
    response = client.post(
        "/api/v1/exams/start", json={"template_id": str(paper["template"])}, headers=paper["student"]["headers"]
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _marked(app, client, paper, attempted=None):
    exam = confirmed_exam(
        client,
        paper["student"],
        paper["template"],
        mcq_answers={1: ["A"], 2: ["B"]},
        attempted_choices=attempted or {"4": "a", "5": "both"},
    )
    evaluation_id = assign_to(app, exam["exam_instance_id"], paper["teacher"])
    return exam, f"/api/v1/evaluations/{evaluation_id}", evaluation_id


def _submit(client, paper, url, rows):
    return client.post(f"{url}/submit", json={"question_marks": rows}, headers=paper["teacher"]["headers"])


def _fields(response):
    """details.fields with nested schema errors flattened to dotted paths."""
    assert response.status_code == 422, response.get_json()
    body = response.get_json()
    assert body["error"] == "VALIDATION_ERROR"

    def flat(prefix, value):
        if isinstance(value, dict):
            for key, inner in value.items():
                yield from flat(f"{prefix}.{key}" if prefix else str(key), inner)
        else:
            yield prefix, value

    return dict(flat("", body["details"]["fields"]))


# --- the paper --------------------------------------------------------------------------------------


def test_choice_questions_come_last_with_two_distinct_alternatives_and_count_once(client, paper):
    exam = _start(client, paper)
    assert exam["total_marks"] == 9
    questions = {q["question_number"]: q for q in exam["questions"]}
    assert sorted(questions) == [1, 2, 3, 4, 5]
    assert "alternatives" not in questions[3] and questions[3]["question_text"]
    ids = [questions[n]["question_id"] for n in (1, 2, 3)]
    for number, qtype, marks in ((4, "VSA", 2), (5, "SA", 3)):
        item = questions[number]
        assert item["question_type"] == qtype and item["marks"] == marks and "question_text" not in item
        assert [alt["choice"] for alt in item["alternatives"]] == ["a", "b"]
        for alt in item["alternatives"]:
            assert alt["question_type"] == qtype and alt["marks"] == marks and alt["unit"] == paper["unit"]
            assert alt["question_text"] and "correct_answer_text" not in alt and "marking_scheme" not in alt
            ids.append(alt["question_id"])
    assert len(ids) == len(set(ids)) == 7  # no question twice, alternatives included


def test_a_section_short_of_alternatives_is_insufficient(app, client, paper):
    unit = private_unit("short")
    make_questions(app, unit, "SA", 2)
    template = make_template(app, [section("C", "SA", 2, {unit: 1.0}, choices=1)])
    response = client.post(
        "/api/v1/exams/start", json={"template_id": str(template)}, headers=paper["student"]["headers"]
    )
    assert response.status_code == 409
    body = response.get_json()
    assert body["error"] == "INSUFFICIENT_QUESTIONS"
    assert body["details"]["sections"] == [{"section_name": "C", "question_type": "SA", "needed": 3, "available": 2}]


def test_confirm_upload_takes_the_students_declaration_per_choice_question(app, client, paper):
    exam = confirmed_exam(client, paper["student"], paper["template"], attempted_choices={"4": "b", "5": "both"})
    with connect(app) as conn:
        row = conn.execute(
            "SELECT attempted_choices, status FROM exam_instances WHERE exam_instance_id = %s",
            (exam["exam_instance_id"],),
        ).fetchone()
    assert row["attempted_choices"] == {"4": "b", "5": "both"} and row["status"] == "pending_evaluation"


@pytest.mark.parametrize(
    ("attempted", "unanswered", "field"),
    [
        ({"3": "a"}, [], "attempted_choices.3"),  # no choice in question 3
        ({"9": "a"}, [], "attempted_choices.9"),  # no question 9
        ({"x": "a"}, [], "attempted_choices.x"),
        ({"4": "c"}, [], "attempted_choices"),  # not a, b or both
        ({"4": "a"}, [4], "attempted_choices.4"),  # also declared unanswered
    ],
)
def test_confirm_upload_refuses_a_bad_declaration(client, paper, attempted, unanswered, field):
    exam = _start(client, paper)
    exam_id = exam["exam_instance_id"]
    headers = paper["student"]["headers"]
    assert client.post(f"/api/v1/exams/{exam_id}/submit-mcq", json={"answers": []}, headers=headers).status_code == 200
    upload_page(client, paper["student"], exam_id, 1, JPEG_PAGE)
    on_page = [n for n in (3, 4, 5) if n not in unanswered]
    response = client.post(
        f"/api/v1/exams/{exam_id}/confirm-upload",
        headers=headers,
        json={
            "pages_uploaded": [1],
            "unanswered_questions": unanswered,
            "page_question_mapping": {"1": on_page},
            "attempted_choices": attempted,
        },
    )
    assert any(key.startswith(field) for key in _fields(response)), response.get_json()
    status = client.get(f"/api/v1/exams/{exam_id}", headers=headers).get_json()["status"]
    assert status == "submitted_mcq"  # nothing changed


def test_pages_map_choice_questions_by_their_number(app, client, paper):
    exam = confirmed_exam(client, paper["student"], paper["template"], attempted_choices={"5": "a"})
    evaluation_id = assign_to(app, exam["exam_instance_id"], paper["teacher"])
    view = client.get(f"/api/v1/evaluations/{evaluation_id}", headers=paper["teacher"]["headers"]).get_json()
    assert view["pages"][0]["question_numbers"] == [3, 4, 5]


# --- marking -----------------------------------------------------------------------------------------


def test_the_teacher_sees_both_alternatives_the_declaration_and_the_schemes(app, client, paper):
    _, url, _ = _marked(app, client, paper)
    view = client.get(url, headers=paper["teacher"]["headers"]).get_json()
    questions = {q["question_number"]: q for q in view["questions"]}
    assert questions[3]["marking_scheme"] == VSA_SCHEME and "alternatives" not in questions[3]
    assert questions[4]["attempted_choice"] == "a" and questions[5]["attempted_choice"] == "both"
    assert [alt["choice"] for alt in questions[4]["alternatives"]] == ["a", "b"]
    assert all(alt["marking_scheme"] == VSA_SCHEME for alt in questions[4]["alternatives"])
    assert all(alt["marking_scheme"] is None for alt in questions[5]["alternatives"])
    assert all(alt["correct_answer_text"] == "the answer" for alt in questions[5]["alternatives"])


GOOD_ROWS = [
    {"question_number": 3, "step_marks": [0.5, 1, 0]},
    {"question_number": 4, "step_marks": [0.5, 0.5, 0.5], "marks_awarded": 1.5, "teacher_comment": "Careless."},
    {"question_number": 5, "choice": "a", "marks_awarded": 1},
    {"question_number": 5, "choice": "b", "marks_awarded": 2.5, "teacher_comment": "Good."},
]


def test_the_higher_alternative_counts_and_step_marks_add_up(app, client, paper):
    exam, url, evaluation_id = _marked(app, client, paper)
    done = _submit(client, paper, url, GOOD_ROWS)
    assert done.status_code == 200, done.get_json()
    body = done.get_json()
    # MCQ 1 of 2; written 1.5 + 1.5 + max(1, 2.5) = 5.5; 6.5 of 9 = 72.22 %.
    assert body["total_manual_marks"] == 5.5 and body["total_exam_score"] == 6.5 and body["percentage"] == 72.22

    with connect(app) as conn:
        marks = {
            r["question_number"]: r
            for r in conn.execute(
                "SELECT question_number, marks_awarded, counted_choice, teacher_comment FROM question_marks "
                "WHERE evaluation_id = %s",
                (evaluation_id,),
            ).fetchall()
        }
        steps = conn.execute(
            "SELECT question_number, choice, step_number, marks_awarded, step FROM question_step_marks "
            "WHERE evaluation_id = %s ORDER BY question_number, choice, step_number",
            (evaluation_id,),
        ).fetchall()
        alternatives = conn.execute(
            "SELECT question_number, choice, marks_awarded FROM question_alternative_marks WHERE evaluation_id = %s "
            "ORDER BY question_number, choice",
            (evaluation_id,),
        ).fetchall()
        unit_total = conn.execute(
            "SELECT sum(written_obtained) AS s, sum(written_possible) AS p FROM exam_unit_scores "
            "WHERE exam_instance_id = %s",
            (exam["exam_instance_id"],),
        ).fetchone()
        audit = conn.execute(
            "SELECT details FROM audit_logs WHERE event_type = 'evaluation.completed' AND resource_id = %s",
            (str(evaluation_id),),
        ).fetchone()
    assert marks[5]["marks_awarded"] == 2.5 and marks[5]["counted_choice"] == "b"
    assert marks[5]["teacher_comment"] == "Good."
    assert marks[4]["counted_choice"] == "a" and marks[3]["counted_choice"] is None
    assert [(s["question_number"], s["choice"], s["step_number"], float(s["marks_awarded"])) for s in steps] == [
        (3, "", 1, 0.5),
        (3, "", 2, 1.0),
        (3, "", 3, 0.0),
        (4, "a", 1, 0.5),
        (4, "a", 2, 0.5),
        (4, "a", 3, 0.5),
    ]
    assert steps[1]["step"] == "Solves it"
    assert [(a["question_number"], a["choice"], float(a["marks_awarded"])) for a in alternatives] == [
        (4, "a", 1.5),
        (5, "a", 1.0),
        (5, "b", 2.5),
    ]
    # Unit scores count each choice question once, by the counted alternative.
    assert float(unit_total["s"]) == 5.5 and float(unit_total["p"]) == 7
    assert audit["details"]["counted_choices"] == {"4": "a", "5": "b"}
    assert audit["details"]["step_marked_questions"] == [3, 4]


def test_results_show_the_counted_choice_each_alternative_and_the_steps(app, client, paper):
    exam, url, _ = _marked(app, client, paper)
    exam_id = exam["exam_instance_id"]
    before = client.get(f"/api/v1/exams/{exam_id}/results", headers=paper["student"]["headers"]).get_json()
    before_q = {q["question_number"]: q for q in before["questions"]}
    assert "marking_scheme" not in before_q[3] and before_q[3].get("step_marks") is None
    assert all("marking_scheme" not in alt for alt in before_q[4]["alternatives"])
    assert len(before_q[5]["alternatives"]) == 2 and before_q[5]["counted_choice"] is None
    viewed = client.get(f"/api/v1/exams/{exam_id}", headers=paper["parent"]["headers"]).get_json()
    assert all("marking_scheme" not in alt for q in viewed["questions"] for alt in q.get("alternatives", [q]))
    teacher_view = client.get(f"/api/v1/exams/{exam_id}", headers=paper["teacher"]["headers"]).get_json()
    assert {q["question_number"]: q for q in teacher_view["questions"]}[3]["marking_scheme"] == VSA_SCHEME

    assert _submit(client, paper, url, GOOD_ROWS).status_code == 200
    for who in ("student", "parent"):
        results = client.get(f"/api/v1/exams/{exam_id}/results", headers=paper[who]["headers"]).get_json()
        questions = {q["question_number"]: q for q in results["questions"]}
        assert results["total_score"] == 6.5 and results["percentage"] == 72.22
        assert questions[3]["marking_scheme"] == VSA_SCHEME and questions[3]["step_marks"] == [0.5, 1, 0]
        assert questions[3]["marks_awarded"] == 1.5
        assert questions[4]["counted_choice"] == "a" and questions[4]["attempted_choice"] == "a"
        assert [(a["choice"], a["marks_awarded"]) for a in questions[4]["alternatives"]] == [("a", 1.5)]
        assert questions[4]["alternatives"][0]["step_marks"] == [0.5, 0.5, 0.5]
        assert questions[4]["alternatives"][0]["marking_scheme"] == VSA_SCHEME
        assert questions[5]["counted_choice"] == "b" and questions[5]["marks_awarded"] == 2.5
        assert [(a["choice"], a["marks_awarded"]) for a in questions[5]["alternatives"]] == [("a", 1), ("b", 2.5)]
        assert questions[5]["alternatives"][1]["teacher_comment"] == "Good."
    # the exam view keeps them for teachers and admins: students and parents read them in results
    evaluated = client.get(f"/api/v1/exams/{exam_id}", headers=paper["student"]["headers"]).get_json()
    assert "marking_scheme" not in {q["question_number"]: q for q in evaluated["questions"]}[3]


def _replace(rows, index, **changes):
    rows = [dict(r) for r in rows]
    rows[index] = {k: v for k, v in {**rows[index], **changes}.items() if v is not None}
    return rows


@pytest.mark.parametrize(
    ("rows", "field"),
    [
        # a choice row for a question without choice
        (_replace(GOOD_ROWS, 0, choice="a"), "question_marks.0.choice"),
        # no choice on a question whose student declared both
        (_replace(GOOD_ROWS, 2, choice=None), "question_marks.2.choice"),
        # a choice not offered
        (_replace(GOOD_ROWS, 2, choice="c"), "question_marks.2.choice"),
        # the same alternative twice
        (_replace(GOOD_ROWS, 3, choice="a"), "question_marks.3.question_number"),
        # step marks over a step's maximum
        (_replace(GOOD_ROWS, 0, step_marks=[1, 1, 0]), "question_marks.0.step_marks.0"),
        # step marks not in steps of 0.5
        (_replace(GOOD_ROWS, 0, step_marks=[0.25, 1, 0]), "question_marks.0.step_marks.0"),
        # one entry per step
        (_replace(GOOD_ROWS, 0, step_marks=[0.5, 1]), "question_marks.0.step_marks"),
        # marks_awarded differs from the steps' sum
        (_replace(GOOD_ROWS, 1, marks_awarded=2), "question_marks.1.marks_awarded"),
        # step marks for a question without a scheme
        (_replace(GOOD_ROWS, 2, step_marks=[1]), "question_marks.2.step_marks"),
        # neither marks nor steps
        (_replace(GOOD_ROWS, 3, marks_awarded=None), "question_marks.3.marks_awarded"),
        # over the maximum
        (_replace(GOOD_ROWS, 3, marks_awarded=3.5), "question_marks.3.marks_awarded"),
    ],
)
def test_bad_marks_are_refused_naming_the_field_and_nothing_is_saved(app, client, paper, rows, field):
    _, url, evaluation_id = _marked(app, client, paper)
    fields = _fields(_submit(client, paper, url, rows))
    assert field in fields, fields
    with connect(app) as conn:
        saved = conn.execute(
            "SELECT (SELECT count(*) FROM question_marks WHERE evaluation_id = %(e)s) AS marks, "
            "(SELECT count(*) FROM question_step_marks WHERE evaluation_id = %(e)s) AS steps, "
            "(SELECT status FROM evaluations WHERE evaluation_id = %(e)s) AS status",
            {"e": evaluation_id},
        ).fetchone()
    assert saved == {"marks": 0, "steps": 0, "status": "assigned"}


def test_a_row_without_choice_marks_the_one_alternative_declared(app, client, paper):
    _, url, evaluation_id = _marked(app, client, paper, attempted={"4": "b", "5": "a"})
    rows = [
        {"question_number": 3, "marks_awarded": 2},
        {"question_number": 4, "marks_awarded": 2},
        {"question_number": 5, "marks_awarded": 3},
    ]
    assert _submit(client, paper, url, rows).status_code == 200
    with connect(app) as conn:
        counted = {
            r["question_number"]: r["counted_choice"]
            for r in conn.execute(
                "SELECT question_number, counted_choice FROM question_marks WHERE evaluation_id = %s "
                "AND counted_choice IS NOT NULL",
                (evaluation_id,),
            ).fetchall()
        }
    assert counted == {4: "b", 5: "a"}


def test_a_choice_question_declared_unanswered_scores_zero_without_rows(app, client, paper):
    exam = confirmed_exam(client, paper["student"], paper["template"], unanswered=(5,), attempted_choices={"4": "a"})
    evaluation_id = assign_to(app, exam["exam_instance_id"], paper["teacher"])
    url = f"/api/v1/evaluations/{evaluation_id}"
    done = _submit(
        client, paper, url, [{"question_number": 3, "marks_awarded": 2}, {"question_number": 4, "marks_awarded": 1}]
    )
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["total_manual_marks"] == 3
    results = client.get(
        f"/api/v1/exams/{exam['exam_instance_id']}/results", headers=paper["student"]["headers"]
    ).get_json()
    q5 = {q["question_number"]: q for q in results["questions"]}[5]
    assert q5["declared_unanswered"] and q5["marks_awarded"] == 0 and q5["counted_choice"] is None
    assert len(q5["alternatives"]) == 2


def test_missing_marks_for_a_choice_question_are_incomplete(app, client, paper):
    _, url, _ = _marked(app, client, paper)
    response = _submit(client, paper, url, GOOD_ROWS[:2])
    assert response.status_code == 422
    assert response.get_json()["error"] == "EVALUATION_INCOMPLETE"
    assert response.get_json()["details"]["missing_question_numbers"] == [5]
