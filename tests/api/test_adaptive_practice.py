"""Adaptive practice papers: drawn from the student's three weakest units (no history: the
units with the most board weight), questions near the student's target facility first,
deterministic for a seed, counted against the quota, allowed where unit practice is, and
within the statement budget of an exam start."""

from __future__ import annotations

import uuid
from collections import Counter

import pytest
from psycopg.types.json import Jsonb

from mathvidya.exams import adaptive
from mathvidya.exams import service as exam_service
from mathvidya.questions.template_defaults import adaptive_practice_template, chapter_weights, seeded_template_id
from tests.api.test_statement_budgets import assert_within, counter, measured  # noqa: F401
from tests.exam_fixtures import connect, exams_used, give_subscription, make_questions, private_unit

START = "/api/v1/exams/start"
ADAPTIVE_XII = adaptive_practice_template("XII")["template_id"]
ADAPTIVE_X = adaptive_practice_template("X")["template_id"]


def record_history(app, student: dict, marks: dict[str, tuple[float, float]], *, exam_type: str = "unit_practice"):
    """An evaluated exam of the student's class with these (obtained, possible) marks per unit."""
    school_class = student.get("student_class") or "XII"
    template_id = seeded_template_id(school_class, "board_exam") if exam_type == "board_exam" else None
    questions = [
        {"question_number": n, "question_id": str(uuid.uuid4()), "question_type": "MCQ", "unit": unit, "marks": p}
        for n, (unit, (_, p)) in enumerate(marks.items(), start=1)
    ]
    total = sum(p for _, p in marks.values())
    obtained = sum(o for o, _ in marks.values())
    with connect(app) as conn:
        template_id = (
            template_id
            or conn.execute(
                "SELECT template_id FROM exam_templates WHERE class = %s AND exam_type = %s LIMIT 1",
                (school_class, exam_type),
            ).fetchone()["template_id"]
        )
        exam_id = conn.execute(
            "INSERT INTO exam_instances (student_user_id, template_id, exam_type, class, status, seed, exam_snapshot, "
            "total_marks, duration_minutes, total_score, percentage) VALUES "
            "(%s, %s, %s, %s, 'evaluated', 1, %s, %s, 30, %s, %s) RETURNING exam_instance_id",
            (
                student["user_id"],
                template_id,
                exam_type,
                school_class,
                Jsonb({"questions": questions}),
                total,
                obtained,
                round(obtained * 100 / total, 2),
            ),
        ).fetchone()["exam_instance_id"]
        for unit, (got, _) in marks.items():  # the trigger wrote each unit's row with 0 obtained
            conn.execute(
                "UPDATE exam_unit_scores SET mcq_obtained = %s WHERE exam_instance_id = %s AND unit = %s",
                (got, exam_id, unit),
            )
    return exam_id


def set_class_average(app, school_class: str, unit: str, percentage: float) -> None:
    with connect(app) as conn:
        conn.execute(
            "INSERT INTO unit_class_averages (class, unit, average_percentage, students, computed_at) "
            "VALUES (%s, %s, %s, 3, now()) ON CONFLICT (class, unit) DO UPDATE "
            "SET average_percentage = EXCLUDED.average_percentage",
            (school_class, unit, percentage),
        )


def measure(app, facilities: dict[uuid.UUID, float | None]) -> None:
    """question_analysis rows for these questions' current versions (None: too few attempts)."""
    with connect(app) as conn:
        run_id = uuid.uuid4()
        conn.execute(
            "INSERT INTO item_analysis_runs (run_id, started_at, computed_at, exams_considered, questions_measured, "
            "min_attempts) VALUES (%s, now(), now(), 0, %s, 30)",
            (run_id, len(facilities)),
        )
        for question_id, facility in facilities.items():
            conn.execute(
                "INSERT INTO question_analysis (question_id, question_version, run_id, attempts, facility) "
                "SELECT question_id, version, %s, 40, %s FROM questions WHERE question_id = %s",
                (run_id, facility, question_id),
            )


def bank(app, units: list[str], *, school_class: str = "XII", mcq: int = 8, vsa: int = 3, sa: int = 2) -> dict:
    return {
        unit: {
            "MCQ": make_questions(app, unit, "MCQ", mcq, school_class=school_class),
            "VSA": make_questions(app, unit, "VSA", vsa, school_class=school_class),
            "SA": make_questions(app, unit, "SA", sa, school_class=school_class),
        }
        for unit in units
    }


def start(client, student, template_id=ADAPTIVE_XII):
    return client.post(START, json={"template_id": str(template_id)}, headers=student["headers"])


def paper_units(exam: dict) -> Counter:
    return Counter((q["unit"], q["question_type"]) for q in exam["questions"])


def snapshot_of(app, exam_id) -> dict:
    with connect(app) as conn:
        return conn.execute(
            "SELECT exam_snapshot FROM exam_instances WHERE exam_instance_id = %s", (exam_id,)
        ).fetchone()["exam_snapshot"]


@pytest.fixture
def four_units(app, make_user, link_parent):
    """A Class XII student on Premium with history in four private units: A 20 %, B 50 %,
    C 60 %, D 90 % (10 marks each), and a bank in all four."""
    student, parent = make_user("student"), make_user("parent")
    link_parent(parent, student)
    give_subscription(app, student, "premium")
    units = {label: private_unit(label) for label in "ABCD"}
    record_history(app, student, {units["A"]: (2, 10), units["B"]: (5, 10)})
    record_history(app, student, {units["C"]: (6, 10), units["D"]: (9, 10)})
    questions = bank(app, list(units.values()))
    return student, units, questions


# --- the units -----------------------------------------------------------------------------------


def test_an_adaptive_paper_draws_only_from_the_three_weakest_units(client, app, four_units):
    student, units, _ = four_units
    response = start(client, student)
    assert response.status_code == 201, response.get_json()
    exam = response.get_json()
    assert exam["total_marks"] == 24 and len(exam["questions"]) == 16
    # Weights 3 : 2 : 1, weakest first, split by largest remainder in each section.
    assert paper_units(exam) == {
        (units["A"], "MCQ"): 5,
        (units["A"], "VSA"): 2,
        (units["A"], "SA"): 1,
        (units["B"], "MCQ"): 3,
        (units["B"], "VSA"): 1,
        (units["B"], "SA"): 1,
        (units["C"], "MCQ"): 2,
        (units["C"], "VSA"): 1,
    }
    recorded = snapshot_of(app, exam["exam_instance_id"])["adaptive"]
    assert recorded["rule_version"] == adaptive.RULE_VERSION
    assert [(u["unit"], u["weight"], u["source"], u["level"]) for u in recorded["units"]] == [
        (units["A"], 3, "weakest", 0.2),
        (units["B"], 2, "weakest", 0.5),
        (units["C"], 1, "weakest", 0.6),
    ]


def test_the_paper_prefers_questions_near_the_students_target_facility(client, app, make_user, link_parent):
    student, parent = make_user("student"), make_user("parent")
    link_parent(parent, student)
    give_subscription(app, student, "centum")
    weak, second, third = private_unit("weak"), private_unit("second"), private_unit("third")
    record_history(app, student, {weak: (2, 10), second: (5, 10), third: (6, 10)})
    # 20 % against a class average of 60 %: logit(0.6) − logit(0.2) + logit(0.6) = logit(0.9),
    # so the target facility is 0.9 — easy questions for a student who is struggling.
    set_class_average(app, "XII", weak, 60.0)
    near = make_questions(app, weak, "MCQ", 5)
    far = make_questions(app, weak, "MCQ", 10)
    declared_hard = make_questions(app, weak, "MCQ", 5)  # unmeasured: its band's centre, 0.2
    with connect(app) as conn:
        conn.execute("UPDATE questions SET difficulty = 'hard' WHERE question_id = ANY(%s)", (declared_hard,))
    measure(app, {**dict.fromkeys(near[:3], 0.9), **dict.fromkeys(near[3:], 0.86), **dict.fromkeys(far, 0.3)})
    make_questions(app, weak, "VSA", 2)
    make_questions(app, weak, "SA", 1)
    bank(app, [second, third])

    exam = start(client, student).get_json()
    weak_mcqs = {q["question_id"] for q in exam["questions"] if q["unit"] == weak and q["question_type"] == "MCQ"}
    assert weak_mcqs == {str(q) for q in near}
    target = snapshot_of(app, exam["exam_instance_id"])["adaptive"]["units"][0]["target_facility"]
    assert target == pytest.approx(0.9, abs=0.0001)


def test_without_history_the_paper_uses_the_units_with_most_board_weight(fresh_app):
    from tests.factories import link_parent, make_user

    app, client = fresh_app, fresh_app.test_client()
    student, parent = make_user(app, "student", student_class="X"), make_user(app, "parent")
    link_parent(app, parent, student)
    give_subscription(app, student, "premium")
    weights = chapter_weights("X")
    heaviest = sorted(weights, key=lambda unit: -weights[unit])[:3]
    # Class X: Triangles and Circles (7.5 marks of 80 each), then four chapters of 6 marks
    # (Real Numbers, Coordinate Geometry and the two trigonometry chapters): syllabus order
    # breaks the tie.
    assert heaviest == ["Triangles", "Circles", "Real Numbers"]
    bank(app, list(weights), school_class="X")

    response = start(client, student, ADAPTIVE_X)
    assert response.status_code == 201, response.get_json()
    exam = response.get_json()
    assert {q["unit"] for q in exam["questions"]} == set(heaviest)
    assert Counter(q["unit"] for q in exam["questions"])["Triangles"] == 8  # weight 3: 5 MCQ, 2 VSA, 1 SA
    units = snapshot_of(app, exam["exam_instance_id"])["adaptive"]["units"]
    assert [(u["unit"], u["source"], u["level"], u["target_facility"]) for u in units] == [
        (unit, "board_weight", None, adaptive.TARGET_SUCCESS) for unit in heaviest
    ]


def test_the_same_seed_and_evidence_give_the_same_paper(client, app, make_user, link_parent, monkeypatch):
    """Two students with the same marks in the same units, starting with the same seed, get
    the same questions in the same order (each unit's whole bank is inside the sample)."""
    units = [private_unit("same") for _ in range(3)]
    bank(app, units)
    students = []
    for _ in range(2):
        student, parent = make_user("student"), make_user("parent")
        link_parent(parent, student)
        give_subscription(app, student, "premium")
        record_history(app, student, {units[0]: (3, 10), units[1]: (4, 10), units[2]: (5, 10)})
        students.append(student)
    monkeypatch.setattr(exam_service.secrets, "randbits", lambda bits: 424242)
    papers = [start(client, student).get_json() for student in students]
    ids = [[q["question_id"] for q in paper["questions"]] for paper in papers]
    assert ids[0] == ids[1]
    monkeypatch.setattr(exam_service.secrets, "randbits", lambda bits: 7)
    other = start(client, students[0]).get_json()
    assert {q["unit"] for q in other["questions"]} == set(units)


# --- quota, plans, budget -------------------------------------------------------------------------


def test_an_adaptive_exam_uses_one_exam_of_the_quota(client, app, four_units):
    student, _, _ = four_units
    before = exams_used(app, student)
    assert start(client, student).status_code == 201
    assert exams_used(app, student) == before + 1


def test_the_last_exam_of_the_quota_then_a_refusal(client, app, make_user, link_parent):
    student, parent = make_user("student"), make_user("parent")
    link_parent(parent, student)
    give_subscription(app, student, "premium", used=49)
    units = [private_unit("quota") for _ in range(3)]
    bank(app, units)
    record_history(app, student, dict.fromkeys(units, (4, 10)))
    assert start(client, student).status_code == 201
    refused = start(client, student)
    assert refused.status_code == 403 and refused.get_json()["error"] == "SUBSCRIPTION_LIMIT_EXCEEDED"
    assert exams_used(app, student) == 50


@pytest.mark.parametrize(("plan", "allowed"), [("basic", False), ("premium_mcq", False), ("premium", True)])
def test_adaptive_practice_follows_the_plans_unit_practice_flag(client, app, make_user, link_parent, plan, allowed):
    student, parent = make_user("student"), make_user("parent")
    link_parent(parent, student)
    give_subscription(app, student, plan)
    units = [private_unit("plan") for _ in range(3)]
    bank(app, units)
    record_history(app, student, dict.fromkeys(units, (4, 10)))
    response = start(client, student)
    if allowed:
        assert response.status_code == 201, response.get_json()
    else:
        assert response.status_code == 403 and response.get_json()["error"] == "EXAM_TYPE_NOT_IN_PLAN"
        assert exams_used(app, student) == 0
    listed = client.get(
        "/api/v1/exams/templates", query_string={"exam_type": "adaptive_practice"}, headers=student["headers"]
    ).get_json()["items"]
    mine = next(t for t in listed if t["template_id"] == ADAPTIVE_XII)
    assert mine["allowed_by_plan"] is allowed


def test_a_shortfall_in_the_weakest_units_is_insufficient_questions(client, app, make_user, link_parent):
    student, parent = make_user("student"), make_user("parent")
    link_parent(parent, student)
    give_subscription(app, student, "premium")
    units = [private_unit("short") for _ in range(3)]
    bank(app, units, mcq=1)
    record_history(app, student, dict.fromkeys(units, (4, 10)))
    refused = start(client, student)
    assert refused.status_code == 409 and refused.get_json()["error"] == "INSUFFICIENT_QUESTIONS"
    assert exams_used(app, student) == 0


def test_starting_an_adaptive_exam_stays_within_the_start_budget(client, four_units, counter):  # noqa: F811
    student, _, _ = four_units
    start(client, student)  # a first exam: the student now has history to avoid
    response, statements = measured(counter, lambda: start(client, student))
    assert response.status_code == 201, response.get_json()
    assert_within(statements, 12, "POST /exams/start (adaptive practice)")


def test_the_evidence_is_the_students_own_class_only(app, make_user):
    """Marks from exams of another class (a student who moved up) do not count."""
    student = make_user("student")
    unit = private_unit("moved")
    record_history(app, {**student, "student_class": "X"}, {unit: (1, 10)})
    record_history(app, student, {unit: (9, 10)})
    with connect(app) as conn:
        evidence = exam_service.adaptive_evidence(conn, student["user_id"], "XII")
    assert [(u.unit, u.obtained, u.possible, u.exams) for u in evidence.units] == [(unit, 9.0, 10.0, 1)]
    assert evidence.board_weights == pytest.approx(chapter_weights("XII"))
