"""Item analysis: the figures of the job checked against hand-computed values on a designed
data set, the minimum-attempts rule, flags, the once-only notification, and the endpoints.

The data set: ten evaluated exams of one student, with percentages 10, 20, ..., 100. With
n = 10 attempts each group holds round(0.27 x 10) = 3 exams: top = the 100, 90 and 80 exams,
bottom = the 10, 20 and 30 exams.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from types import SimpleNamespace

import psycopg
import pytest
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from mathvidya import business_time
from mathvidya.insights import item_analysis
from tests.exam_fixtures import make_questions, private_unit
from tests.factories import make_user

PERCENTAGES = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
# MCQ M (key A): picks by exam percentage. A = right.
M_PICKS = ["B", "B", "A", "B", "A", "A", "C", "A", "A", "A"]
# MCQ K (key A) whose strongest students prefer B.
K_PICKS = ["A", "A", "A", "A", "B", "A", "B", "B", "B", "A"]
# MCQ E: everyone right.
E_PICKS = ["A"] * 10
# MCQ H: answered only in the first five exams, all wrong (too few attempts to judge).
H_PICKS = ["B", "B", "B", "B", "B", None, None, None, None, None]
# VSA W (2 marks, scheme 1 + 1): marks by exam percentage; step 1 takes up to 1 mark first.
W_MARKS = [0, 0.5, 1, 1, 1, 1.5, 2, 2, 2, 2]
SCHEME = [{"step": "Set up the equation", "marks": 1}, {"step": "Solve it", "marks": 1}]


@pytest.fixture
def world(fresh_app, fresh_database_url, monkeypatch):
    # The designed set has 10 attempts per question: judge from 10 (the default is 30).
    real_get_setting = item_analysis.get_setting
    monkeypatch.setattr(
        item_analysis,
        "get_setting",
        lambda conn, key: 10 if key == item_analysis.MIN_ATTEMPTS_KEY else real_get_setting(conn, key),
    )
    app = fresh_app
    unit = private_unit("items")
    world = SimpleNamespace(app=app, client=app.test_client(), url=fresh_database_url, unit=unit)
    world.admin = make_user(app, "admin")
    world.teacher = make_user(app, "teacher")
    world.student = make_user(app, "student")
    world.m, world.k, world.e, world.h = make_questions(app, unit, "MCQ", 4)
    (world.w,) = make_questions(app, unit, "VSA", 1, scheme=SCHEME)
    with connect(world) as conn:
        template_id = conn.execute("SELECT template_id FROM exam_templates WHERE class = 'XII' LIMIT 1").fetchone()[
            "template_id"
        ]
        for i, percentage in enumerate(PERCENTAGES):
            add_exam(conn, world, template_id, i, percentage)
    return world


def connect(world):
    return psycopg.connect(world.url, row_factory=dict_row, autocommit=True)


def snapshot_item(number: int, question_id, question_type: str, marks: int, unit: str) -> dict:
    return {
        "question_number": number,
        "question_id": str(question_id),
        "question_type": question_type,
        "marks": marks,
        "unit": unit,
        "version": 1,
    }


def add_exam(conn, world, template_id, i: int, percentage: int) -> None:
    mcqs = [(1, world.m, M_PICKS[i]), (2, world.k, K_PICKS[i]), (3, world.e, E_PICKS[i]), (4, world.h, H_PICKS[i])]
    snapshot = {
        "questions": [snapshot_item(n, q, "MCQ", 1, world.unit) for n, q, _ in mcqs]
        + [snapshot_item(5, world.w, "VSA", 2, world.unit)]
    }
    exam_id = conn.execute(
        "INSERT INTO exam_instances (student_user_id, template_id, exam_type, class, status, seed, exam_snapshot, "
        "total_marks, duration_minutes, percentage) "
        "VALUES (%s, %s, 'board_exam', 'XII', 'evaluated', 1, %s, 6, 60, %s) RETURNING exam_instance_id",
        (world.student["user_id"], template_id, Jsonb(snapshot), percentage),
    ).fetchone()["exam_instance_id"]
    for number, question_id, pick in mcqs:
        conn.execute(
            "INSERT INTO student_mcq_answers (exam_instance_id, question_number, question_id, selected_choices, "
            "is_correct, marks_awarded) VALUES (%s, %s, %s, %s, %s, %s)",
            (exam_id, number, question_id, [pick] if pick else [], pick == "A", 1 if pick == "A" else 0),
        )
    evaluation_id = conn.execute(
        "INSERT INTO evaluations (exam_instance_id, teacher_user_id, status, completed_at, sla_deadline) "
        "VALUES (%s, %s, 'completed', now(), now()) RETURNING evaluation_id",
        (exam_id, world.teacher["user_id"]),
    ).fetchone()["evaluation_id"]
    marks = W_MARKS[i]
    conn.execute(
        "INSERT INTO question_marks (evaluation_id, question_number, question_id, marks_awarded, marks_possible) "
        "VALUES (%s, 5, %s, %s, 2)",
        (evaluation_id, world.w, marks),
    )
    for step, awarded in ((1, min(marks, 1)), (2, marks - min(marks, 1))):
        conn.execute(
            "INSERT INTO question_step_marks (evaluation_id, question_number, step_number, question_id, step, "
            "marks_awarded, marks_possible) VALUES (%s, 5, %s, %s, 'step', %s, 1)",
            (evaluation_id, step, world.w, awarded),
        )


def run(world) -> int:
    settings = world.app.config["SETTINGS"]
    with psycopg.connect(world.url, row_factory=dict_row) as conn:
        touched = item_analysis.refresh_item_analysis(conn, settings, business_time.now() + timedelta(minutes=1))
        conn.commit()
    return touched


def analysis(world, question_id, user=None, **params):
    user = user or world.teacher
    return world.client.get(f"/api/v1/questions/{question_id}/analysis", headers=user["headers"], query_string=params)


def test_figures_match_the_hand_computed_values(world):
    assert run(world) == 5

    m = analysis(world, world.m).get_json()
    # 6 of 10 right; top 3 all right (1.0), bottom 3: one right (1/3).
    assert m["attempts"] == 10
    assert m["facility"] == 0.6
    assert m["discrimination"] == pytest.approx(0.6667)  # 1.0000 - 0.3333
    assert m["choice_shares"] == {"A": 0.6, "B": 0.3, "C": 0.1, "D": 0.0}
    assert m["step_award_rates"] is None
    assert m["measured_difficulty"] == "medium"
    assert m["flags"] == []
    assert m["declared_difficulty"] == "medium"
    assert m["question_version"] == 1
    assert m["computed_at"] is not None

    w = analysis(world, world.w).get_json()
    # 13 of 20 marks; top 2+2+2 of 6; bottom 0+0.5+1 of 6; steps 8.5/10 and 4.5/10.
    assert (w["attempts"], w["facility"], w["discrimination"]) == (10, 0.65, 0.75)
    assert w["step_award_rates"] == [0.85, 0.45]
    assert w["choice_shares"] is None
    assert w["measured_difficulty"] == "medium"
    assert w["flags"] == []


def test_flags_key_suspect_too_easy_and_poor_discrimination(world):
    run(world)
    k = analysis(world, world.k).get_json()
    # Top group (100, 90, 80): A, B, B = 1/3; bottom (10, 20, 30): all A = 1.
    assert k["facility"] == 0.6
    assert k["discrimination"] == pytest.approx(-0.6667)
    assert k["flags"] == ["poor_discrimination", "key_suspect"]
    e = analysis(world, world.e).get_json()
    assert (e["facility"], e["discrimination"], e["measured_difficulty"]) == (1.0, 0.0, "easy")
    assert e["flags"] == ["too_easy", "poor_discrimination"]


def test_below_the_minimum_only_the_descriptive_figures_are_given(world):
    run(world)
    h = analysis(world, world.h).get_json()
    assert h["attempts"] == 5  # blank answers are no attempt
    assert h["facility"] == 0.0
    assert h["choice_shares"] == {"A": 0.0, "B": 1.0, "C": 0.0, "D": 0.0}
    assert h["discrimination"] is None
    assert h["measured_difficulty"] is None
    assert h["flags"] == []  # not too_hard: too few attempts to judge


def test_a_newly_key_suspect_question_tells_admins_once(world):
    run(world)
    run(world)
    with connect(world) as conn:
        notes = conn.execute(
            "SELECT user_id FROM notifications WHERE event_type = 'question.flagged' AND resource_id = %s",
            (str(world.k),),
        ).fetchall()
        audits = conn.execute(
            "SELECT details FROM audit_logs WHERE event_type = 'question.flagged' AND resource_id = %s",
            (str(world.k),),
        ).fetchall()
        runs = conn.execute(
            "SELECT exams_considered, questions_measured, min_attempts FROM item_analysis_runs"
        ).fetchall()
    assert [n["user_id"] for n in notes] == [world.admin["user_id"]]
    assert len(audits) == 1 and "key_suspect" in audits[0]["details"]["flags"]
    assert runs == [{"exams_considered": 10, "questions_measured": 5, "min_attempts": 10}] * 2


def test_before_any_run_the_question_answers_no_figures(world):
    body = analysis(world, world.m, user=world.admin).get_json()
    assert body["attempts"] == 0
    assert body["facility"] is None and body["computed_at"] is None and body["flags"] == []


def test_access_and_bad_input(world):
    run(world)
    student = make_user(world.app, "student")
    assert analysis(world, world.m, user=student).status_code == 403
    assert analysis(world, uuid.uuid4()).status_code == 404
    assert analysis(world, world.m, version=2).status_code == 404
    bad = analysis(world, world.m, version=0)
    assert bad.status_code == 422 and bad.get_json()["error"] == "VALIDATION_ERROR"
    listing = "/api/v1/admin/item-analysis"
    assert world.client.get(listing, headers=world.teacher["headers"]).status_code == 403
    for params in ({"flag": "wrong"}, {"class": "XI"}, {"limit": 0}, {"unit": ""}):
        response = world.client.get(listing, headers=world.admin["headers"], query_string=params)
        assert response.status_code == 422, params
        assert response.get_json()["details"]["fields"]


def test_admin_list_filters_and_pages(world):
    run(world)
    listing = "/api/v1/admin/item-analysis"
    headers = world.admin["headers"]
    everything = world.client.get(listing, headers=headers, query_string={"unit": world.unit}).get_json()
    assert everything["total"] == 5
    assert {i["question_id"] for i in everything["items"]} == {
        str(q) for q in (world.m, world.k, world.e, world.h, world.w)
    }
    suspect = world.client.get(
        listing, headers=headers, query_string={"flag": "key_suspect", "class": "XII"}
    ).get_json()
    assert [i["question_id"] for i in suspect["items"]] == [str(world.k)]
    assert suspect["items"][0]["class"] == "XII" and suspect["items"][0]["question_type"] == "MCQ"
    page = world.client.get(listing, headers=headers, query_string={"unit": world.unit, "limit": 2, "offset": 4})
    assert page.get_json()["total"] == 5 and len(page.get_json()["items"]) == 1
    none = world.client.get(listing, headers=headers, query_string={"class": "X"}).get_json()
    assert none == {"items": [], "total": 0, "limit": 20, "offset": 0}


def test_versions_are_measured_apart_and_a_marked_alternative_is_an_attempt(world):
    """Two more exams carry version 2 of M and an internal-choice question whose
    alternative (a) the teacher marked; alternative (b), never marked, has no attempt."""
    a_id, b_id = make_questions(world.app, world.unit, "VSA", 2)
    with connect(world) as conn:
        conn.execute("UPDATE questions SET version = 2 WHERE question_id = %s", (world.m,))
        template_id = conn.execute("SELECT template_id FROM exam_templates WHERE class = 'XII' LIMIT 1").fetchone()[
            "template_id"
        ]
        for pick, marks in (("A", 2), ("B", 1)):
            choice_item = {
                "question_number": 2,
                "question_type": "VSA",
                "marks": 2,
                "unit": world.unit,
                "alternatives": [
                    {**snapshot_item(2, a_id, "VSA", 2, world.unit), "choice": "a"},
                    {**snapshot_item(2, b_id, "VSA", 2, world.unit), "choice": "b"},
                ],
            }
            snapshot = {"questions": [{**snapshot_item(1, world.m, "MCQ", 1, world.unit), "version": 2}, choice_item]}
            exam_id = conn.execute(
                "INSERT INTO exam_instances (student_user_id, template_id, exam_type, class, status, seed, "
                "exam_snapshot, total_marks, duration_minutes, percentage) "
                "VALUES (%s, %s, 'board_exam', 'XII', 'evaluated', 1, %s, 3, 60, 50) RETURNING exam_instance_id",
                (world.student["user_id"], template_id, Jsonb(snapshot)),
            ).fetchone()["exam_instance_id"]
            conn.execute(
                "INSERT INTO student_mcq_answers (exam_instance_id, question_number, question_id, selected_choices, "
                "is_correct, marks_awarded) VALUES (%s, 1, %s, %s, %s, %s)",
                (exam_id, world.m, [pick], pick == "A", 1 if pick == "A" else 0),
            )
            evaluation_id = conn.execute(
                "INSERT INTO evaluations (exam_instance_id, teacher_user_id, status, completed_at, sla_deadline) "
                "VALUES (%s, %s, 'completed', now(), now()) RETURNING evaluation_id",
                (exam_id, world.teacher["user_id"]),
            ).fetchone()["evaluation_id"]
            conn.execute(
                "INSERT INTO question_marks (evaluation_id, question_number, question_id, marks_awarded, "
                "marks_possible, counted_choice) VALUES (%s, 2, %s, %s, 2, 'a')",
                (evaluation_id, a_id, marks),
            )
            conn.execute(
                "INSERT INTO question_alternative_marks (evaluation_id, question_number, choice, question_id, "
                "marks_awarded, marks_possible) VALUES (%s, 2, 'a', %s, %s, 2)",
                (evaluation_id, a_id, marks),
            )
    run(world)
    current = analysis(world, world.m).get_json()
    assert (current["question_version"], current["attempts"], current["facility"]) == (2, 2, 0.5)
    assert current["discrimination"] is None  # 2 attempts: below the minimum
    first = analysis(world, world.m, version=1).get_json()
    assert (first["question_version"], first["attempts"], first["facility"]) == (1, 10, 0.6)
    alternative = analysis(world, a_id).get_json()
    assert (alternative["attempts"], alternative["facility"]) == (2, 0.75)
    assert analysis(world, b_id).get_json()["attempts"] == 0
