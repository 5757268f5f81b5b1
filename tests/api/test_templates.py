"""Exam templates over HTTP: admin CRUD with validation and audit, the default templates,
and the list students read with their plan's verdict."""

from __future__ import annotations

import copy
import uuid
from datetime import date, timedelta

import psycopg
import pytest
from psycopg.rows import dict_row

from mathvidya.questions.template_defaults import default_templates
from mathvidya.questions.template_rules import template_problems

ADMIN_URL = "/api/v1/admin/exam-templates"
LIST_URL = "/api/v1/exams/templates"


def template_body(**overrides):
    body = {
        "template_name": f"Quick algebra {uuid.uuid4().hex[:6]}",
        "class": "X",
        "exam_type": "board_exam",
        "config": {
            "total_marks": 16,
            "duration_minutes": 40,
            "sections": [
                {
                    "section_name": "A",
                    "question_type": "MCQ",
                    "question_count": 10,
                    "marks_per_question": 1,
                    "unit_weightage": {"Polynomials": 0.5, "Quadratic Equations": 0.5},
                },
                {
                    "section_name": "B",
                    "question_type": "SA",
                    "question_count": 2,
                    "marks_per_question": 3,
                    "unit_weightage": {"Quadratic Equations": 1},
                },
            ],
        },
    }
    body.update(overrides)
    return body


@pytest.fixture
def admin(make_user):
    return make_user("admin")


def _events(database_url, resource_id):
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        return conn.execute(
            "SELECT event_type, details FROM audit_logs WHERE resource_id = %s ORDER BY created_at",
            (str(resource_id),),
        ).fetchall()


def test_admin_creates_and_reads_a_template(client, admin, database_url):
    response = client.post(ADMIN_URL, json=template_body(), headers=admin["headers"])
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["class"] == "X"
    assert body["total_marks"] == 16 and body["duration_minutes"] == 40
    assert body["config"]["sections"][1]["unit_weightage"] == {"Quadratic Equations": 1.0}
    assert body["is_active"] is True
    fetched = client.get(f"{ADMIN_URL}/{body['template_id']}", headers=admin["headers"]).get_json()
    assert fetched["template_name"] == body["template_name"]
    assert [e["event_type"] for e in _events(database_url, body["template_id"])] == ["template.created"]


def _with_section(**changes):
    body = template_body()
    body["config"]["sections"][0].update(changes)
    return body


def _with_config(**changes):
    body = template_body()
    body["config"].update(changes)
    return body


@pytest.mark.parametrize(
    ("body", "field", "fragment"),
    [
        (_with_config(total_marks=20), "config.total_marks", "sections add up to 16 marks"),
        (_with_section(marks_per_question=2), "config.sections.0.marks_per_question", "a MCQ question carries 1 mark"),
        (
            _with_section(unit_weightage={"Polynomials": 0.5, "Quadratic Equations": 0.4}),
            "config.sections.0.unit_weightage",
            "weights must add up to 1",
        ),
        (
            _with_section(unit_weightage={"Polynomials": 0.5, "Matrices": 0.5}),
            "config.sections.0.unit_weightage",
            "not Class X units: Matrices",
        ),
        (_with_section(unit_weightage={}), "config.sections.0.unit_weightage", "at least one unit"),
        (_with_section(question_count=0), "config.sections.0.question_count", "from 1 to 100"),
        (_with_config(duration_minutes=301), "config.duration_minutes", "from 1 to 300"),
        (_with_config(duration_minutes=0), "config.duration_minutes", "from 1 to 300"),
        (_with_config(sections=[]), "config.sections", "at least one section"),
        (template_body(exam_type="unit_practice"), "specific_unit", "names its unit"),
        (template_body(exam_type="unit_practice", specific_unit="Matrices"), "specific_unit", "is not a Class X unit"),
        (template_body(specific_unit="Polynomials"), "specific_unit", "only unit_practice"),
        (template_body(exam_type="section_mcq"), "config.sections.1.question_type", "only MCQ sections"),
        (template_body(template_name="  "), "template_name", "is required"),
        (template_body(template_name="a\x00b"), "template_name", "must not contain NUL"),
    ],
)
def test_each_template_rule_is_refused_with_its_message(client, admin, body, field, fragment):
    response = client.post(ADMIN_URL, json=body, headers=admin["headers"])
    assert response.status_code == 422, response.get_json()
    fields = response.get_json()["details"]["fields"]
    assert field in fields, fields
    assert any(fragment in message for message in fields[field]), fields[field]


def test_weights_within_the_tolerance_are_accepted(client, admin):
    weights = {"Polynomials": 0.3334, "Quadratic Equations": 0.3333, "Triangles": 0.3333}
    response = client.post(ADMIN_URL, json=_with_section(unit_weightage=weights), headers=admin["headers"])
    assert response.status_code == 201, response.get_json()
    fetched = client.get(f"{ADMIN_URL}/{response.get_json()['template_id']}", headers=admin["headers"]).get_json()
    assert fetched["config"]["sections"][0]["unit_weightage"] == weights


def test_schema_errors_and_unknown_fields_are_422(client, admin, database_url):
    body = template_body(colour="blue")
    response = client.post(ADMIN_URL, json=body, headers=admin["headers"])
    assert response.status_code == 422 and response.get_json()["error"] == "VALIDATION_ERROR"
    assert "colour" in response.get_json()["details"]["fields"]
    with psycopg.connect(database_url) as conn:
        created = conn.execute(
            "SELECT count(*) FROM exam_templates WHERE template_name = %s", (body["template_name"],)
        ).fetchone()[0]
    assert created == 0
    missing = template_body()
    del missing["config"]
    assert "config" in client.post(ADMIN_URL, json=missing, headers=admin["headers"]).get_json()["details"]["fields"]


def test_admin_updates_and_deactivates_a_template(client, admin, make_user, database_url):
    created = client.post(ADMIN_URL, json=template_body(), headers=admin["headers"]).get_json()
    tid = created["template_id"]
    config = copy.deepcopy(created["config"])
    config["duration_minutes"] = 50
    updated = client.patch(f"{ADMIN_URL}/{tid}", json={"config": config}, headers=admin["headers"])
    assert updated.status_code == 200, updated.get_json()
    assert updated.get_json()["duration_minutes"] == 50

    bad = client.patch(f"{ADMIN_URL}/{tid}", json={"class": "XII"}, headers=admin["headers"])
    assert bad.status_code == 422  # its units are Class X units
    assert "config.sections.0.unit_weightage" in bad.get_json()["details"]["fields"]
    unchanged = client.get(f"{ADMIN_URL}/{tid}", headers=admin["headers"]).get_json()
    assert unchanged["class"] == "X" and unchanged["duration_minutes"] == 50

    teacher = make_user("teacher")
    assert tid in _student_templates(client, teacher, **{"class": "X"})
    off = client.patch(f"{ADMIN_URL}/{tid}", json={"is_active": False}, headers=admin["headers"])
    assert off.status_code == 200 and off.get_json()["is_active"] is False
    assert tid not in _student_templates(client, teacher, **{"class": "X"})
    assert client.get(f"{ADMIN_URL}/{tid}", headers=admin["headers"]).get_json()["is_active"] is False
    inactive = client.get(ADMIN_URL, query_string={"is_active": "false", "limit": 5}, headers=admin["headers"])
    assert inactive.get_json()["total"] >= 1
    assert {t["is_active"] for t in inactive.get_json()["items"]} == {False}

    events = _events(database_url, tid)
    assert [e["event_type"] for e in events] == ["template.created", "template.updated", "template.updated"]
    assert events[1]["details"]["changed"] == ["config"]
    assert events[2]["details"]["changed"] == ["is_active"]


def test_unknown_template_is_404(client, admin):
    missing = client.patch(f"{ADMIN_URL}/{uuid.uuid4()}", json={"is_active": False}, headers=admin["headers"])
    assert missing.status_code == 404 and missing.get_json()["error"] == "NOT_FOUND"
    fetched = client.get(f"{ADMIN_URL}/{uuid.uuid4()}", headers=admin["headers"])
    assert fetched.status_code == 404 and fetched.get_json()["error"] == "NOT_FOUND"


@pytest.mark.parametrize("role", ["teacher", "student", "parent"])
def test_only_admins_use_the_admin_template_endpoints(client, make_user, admin, role):
    user = make_user(role)
    created = client.post(ADMIN_URL, json=template_body(), headers=admin["headers"]).get_json()
    for method, url, body in [
        ("get", ADMIN_URL, None),
        ("post", ADMIN_URL, template_body()),
        ("get", f"{ADMIN_URL}/{created['template_id']}", None),
        ("patch", f"{ADMIN_URL}/{created['template_id']}", {"is_active": False}),
    ]:
        response = getattr(client, method)(url, json=body, headers=user["headers"])
        assert response.status_code == 403, (method, url)
        assert response.get_json()["error"] == "FORBIDDEN"


# ---------------------------------------------------------------------------------------
# Default templates
# ---------------------------------------------------------------------------------------
def test_default_templates_are_seeded_and_valid(db):
    units = {
        "X": db.execute("SELECT config_value FROM system_config WHERE config_key = 'cbse_units_class_x'").fetchone()[
            "config_value"
        ],
        "XII": db.execute(
            "SELECT config_value FROM system_config WHERE config_key = 'cbse_units_class_xii'"
        ).fetchone()["config_value"],
    }
    expected = {t["template_id"]: t for t in default_templates()}
    rows = db.execute(
        "SELECT template_id::text AS template_id, template_name, class::text AS class, exam_type::text AS exam_type, "
        "specific_unit, config, total_marks, duration_minutes, is_active FROM exam_templates "
        "WHERE template_id = ANY(%s::uuid[])",
        (list(expected),),
    ).fetchall()
    assert len(rows) == 37
    counts = {}
    for row in rows:
        want = expected[row["template_id"]]
        assert {k: row[k] for k in ("template_name", "class", "exam_type", "specific_unit", "config")} == {
            k: want[k] for k in ("template_name", "class", "exam_type", "specific_unit", "config")
        }
        assert row["total_marks"] == row["config"]["total_marks"]
        assert row["duration_minutes"] == row["config"]["duration_minutes"]
        assert template_problems(row, units[row["class"]]) == {}
        counts[(row["class"], row["exam_type"])] = counts.get((row["class"], row["exam_type"]), 0) + 1
    assert counts[("XII", "unit_practice")] == 13 and counts[("X", "unit_practice")] == 14
    for klass in ("X", "XII"):
        for exam_type in ("board_exam", "section_mcq", "section_vsa", "section_sa", "adaptive_practice"):
            assert counts[(klass, exam_type)] == 1
    board = next(r for r in rows if r["exam_type"] == "board_exam" and r["class"] == "XII")
    assert [s["question_count"] for s in board["config"]["sections"]] == [20, 5, 6, 4, 3]
    assert board["total_marks"] == 80 and board["duration_minutes"] == 180
    weights = board["config"]["sections"][0]["unit_weightage"]
    assert weights["Integrals"] == 0.0875 and weights["Probability"] == 0.1
    assert abs(sum(weights.values()) - 1) <= 0.001


# ---------------------------------------------------------------------------------------
# GET /exams/templates
# ---------------------------------------------------------------------------------------
def _default_ids(klass, exam_type, unit=None):
    return next(
        t["template_id"]
        for t in default_templates()
        if t["class"] == klass and t["exam_type"] == exam_type and t["specific_unit"] == unit
    )


def _student_templates(client, student, **params):
    """Every template the student is shown (all pages: other tests add templates too)."""
    templates, offset = {}, 0
    while True:
        response = client.get(
            LIST_URL, query_string={"limit": 100, "offset": offset, **params}, headers=student["headers"]
        )
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        templates.update({t["template_id"]: t for t in body["items"]})
        offset += 100
        if offset >= body["total"]:
            return templates


def _subscribe(database_url, student, plan_type):
    today = date.today()
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO subscriptions (student_user_id, plan_id, status, start_date, end_date, billing_day_of_month) "
            "SELECT %s, plan_id, 'active', %s, %s, 1 FROM subscription_plans WHERE plan_type = %s",
            (student["user_id"], today - timedelta(days=2), today + timedelta(days=28), plan_type),
        )


def test_students_see_only_their_class_and_need_a_plan(client, make_user):
    student = make_user("student", student_class="X")
    templates = _student_templates(client, student)
    assert {t["class"] for t in templates.values()} == {"X"}
    board = templates[_default_ids("X", "board_exam")]
    assert board["allowed_by_plan"] is False
    assert board["plan_refusal"] == "SUBSCRIPTION_REQUIRED"
    assert board["config"]["sections"][0]["question_count"] == 20
    assert _student_templates(client, student, **{"class": "XII"}) == {}
    only_units = _student_templates(client, student, exam_type="unit_practice")
    assert len(only_units) >= 14 and {t["exam_type"] for t in only_units.values()} == {"unit_practice"}


@pytest.mark.parametrize(
    ("plan_type", "allowed"),
    [
        ("basic", {"board_exam": True, "section_mcq": True, "section_sa": True, "unit_practice": False}),
        ("premium_mcq", {"board_exam": False, "section_mcq": True, "section_sa": False, "unit_practice": False}),
        ("premium", {"board_exam": True, "section_mcq": True, "section_sa": True, "unit_practice": True}),
        ("centum", {"board_exam": True, "section_mcq": True, "section_sa": True, "unit_practice": True}),
    ],
)
def test_allowed_by_plan_follows_the_plan_row(client, make_user, database_url, plan_type, allowed):
    student = make_user("student", student_class="XII")
    _subscribe(database_url, student, plan_type)
    templates = _student_templates(client, student)
    for exam_type, expected in allowed.items():
        unit = "Matrices" if exam_type == "unit_practice" else None
        template = templates[_default_ids("XII", exam_type, unit)]
        assert template["allowed_by_plan"] is expected, (plan_type, exam_type)
        assert template["plan_refusal"] == (None if expected else "EXAM_TYPE_NOT_IN_PLAN")


def test_an_expired_subscription_allows_nothing(client, make_user, database_url):
    student = make_user("student", student_class="XII")
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO subscriptions (student_user_id, plan_id, status, start_date, end_date, billing_day_of_month) "
            "SELECT %s, plan_id, 'active', %s, %s, 1 FROM subscription_plans WHERE plan_type = 'centum'",
            (student["user_id"], date.today() - timedelta(days=40), date.today() - timedelta(days=5)),
        )
    templates = _student_templates(client, student)
    assert {t["allowed_by_plan"] for t in templates.values()} == {False}


def test_teachers_and_admins_see_every_active_template_without_a_flag(client, make_user):
    teacher = make_user("teacher")
    items = list(_student_templates(client, teacher).values())
    assert len(items) >= 35
    assert {t["class"] for t in items} == {"X", "XII"}
    assert {t["allowed_by_plan"] for t in items} == {None}
    assert client.get(LIST_URL, headers=make_user("parent")["headers"]).status_code == 403


def test_template_list_validates_its_filters(client, make_user):
    student = make_user("student")
    response = client.get(LIST_URL, query_string={"exam_type": "marathon"}, headers=student["headers"])
    assert response.status_code == 422
    assert "exam_type" in response.get_json()["details"]["fields"]
