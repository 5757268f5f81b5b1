"""Step-mark schemes on questions: created, patched and imported (CSV, XLSX); validated with
422 on marking_scheme; versioned with the question; read by teachers and admins."""

from __future__ import annotations

import csv
import io
import uuid

import psycopg
import pytest
from openpyxl import Workbook
from psycopg.rows import dict_row

BASE = "/api/v1/questions"
SCHEME = [
    {"step": "Correct substitution", "marks": 0.5},
    {"step": "Integration", "marks": 2},
    {"step": "Final answer", "marks": 0.5},
]


def sa(**overrides):
    body = {
        "class": "XII",
        "unit": "Integrals",
        "question_type": "SA",
        "marks": 3,
        "question_text": f"Find $\\int_0^1 x\\,dx$. ({uuid.uuid4().hex[:8]})",
        "correct_answer_text": "$\\tfrac12$",
        "marking_scheme": SCHEME,
    }
    body.update(overrides)
    return body


@pytest.fixture
def admin(make_user):
    return make_user("admin")


def test_a_scheme_is_stored_returned_and_versioned(client, admin):
    created = client.post(BASE, json=sa(), headers=admin["headers"])
    assert created.status_code == 201, created.get_json()
    question = created.get_json()
    assert question["marking_scheme"] == SCHEME
    url = f"{BASE}/{question['question_id']}"
    assert client.get(url, headers=admin["headers"]).get_json()["marking_scheme"] == SCHEME

    new_scheme = [{"step": "Antiderivative", "marks": 1.5}, {"step": "Limits", "marks": 1.5}]
    patched = client.patch(url, json={"marking_scheme": new_scheme}, headers=admin["headers"])
    assert patched.status_code == 200, patched.get_json()
    assert patched.get_json()["marking_scheme"] == new_scheme and patched.get_json()["version"] == 2
    versions = client.get(f"{url}/versions", headers=admin["headers"]).get_json()["items"]
    assert [v["content"]["marking_scheme"] for v in versions] == [SCHEME, new_scheme]

    cleared = client.patch(url, json={"marking_scheme": None}, headers=admin["headers"]).get_json()
    assert cleared["marking_scheme"] is None and cleared["version"] == 3


def test_teachers_read_the_scheme_students_cannot_read_questions(client, admin, make_user):
    question = client.post(BASE, json=sa(), headers=admin["headers"]).get_json()
    teacher, student = make_user("teacher"), make_user("student")
    seen = client.get(f"{BASE}/{question['question_id']}", headers=teacher["headers"])
    assert seen.status_code == 200 and seen.get_json()["marking_scheme"] == SCHEME
    assert client.get(f"{BASE}/{question['question_id']}", headers=student["headers"]).status_code == 403


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"marking_scheme": []}, "at least one step"),
        (
            {"marking_scheme": [{"step": "All", "marks": 2}]},
            "add up to 2 marks, not the question's 3",
        ),
        ({"marking_scheme": [{"step": "a", "marks": 2.75}, {"step": "b", "marks": 0.25}]}, "multiple of 0.5"),
        ({"marking_scheme": [{"step": "a", "marks": 0}, {"step": "b", "marks": 3}]}, "multiple of 0.5"),
        ({"marking_scheme": [{"step": "a", "marks": 1e300}]}, "less than or equal to"),
        ({"marking_scheme": [{"step": "x", "marks": 0.5}] * 6}, "at most 10 steps"),
        ({"marking_scheme": [{"step": "   ", "marks": 3}]}, "1 to 300 characters"),
        ({"marking_scheme": [{"step": "y" * 301, "marks": 3}]}, "1 to 300 characters"),
        (
            {
                "question_type": "MCQ",
                "marks": 1,
                "mcq_choices": [{"label": "A", "text": "1"}, {"label": "B", "text": "2"}],
                "mcq_correct_choices": ["A"],
                "marking_scheme": [{"step": "Pick", "marks": 1}],
            },
            "MCQs",
        ),
    ],
)
def test_a_bad_scheme_is_422_on_marking_scheme(client, admin, overrides, fragment):
    body = sa(**overrides)
    if fragment == "at most 10 steps":
        body["marking_scheme"] = [{"step": f"s{i}", "marks": 0.5} for i in range(11)]
        body["question_type"], body["marks"] = "LA", 5
    response = client.post(BASE, json=body, headers=admin["headers"])
    assert response.status_code == 422, response.get_json()
    messages = response.get_json()["details"]["fields"]["marking_scheme"]  # a list, or nested per step
    assert fragment in str(messages), messages


def test_a_patch_that_breaks_the_sum_is_refused_and_changes_nothing(client, admin):
    question = client.post(
        BASE,
        json=sa(question_type="LA", marks=5, marking_scheme=[{"step": "All", "marks": 5}]),
        headers=admin["headers"],
    ).get_json()
    url = f"{BASE}/{question['question_id']}"
    response = client.patch(url, json={"marks": 6}, headers=admin["headers"])
    assert response.status_code == 422 and "marking_scheme" in response.get_json()["details"]["fields"]
    after = client.get(url, headers=admin["headers"]).get_json()
    assert after["version"] == 1 and after["marks"] == 5


def test_the_database_refuses_a_scheme_that_does_not_add_up(db):
    with pytest.raises(psycopg.errors.CheckViolation), db.transaction():
        db.execute(
            "INSERT INTO questions (class, unit, question_type, marks, question_text, marking_scheme) "
            "VALUES ('XII', 'Integrals', 'SA', 3, 'x', '[{\"step\": \"all\", \"marks\": 2}]')"
        )
    with pytest.raises(psycopg.errors.CheckViolation), db.transaction():
        db.execute(
            "INSERT INTO questions (class, unit, question_type, marks, question_text, mcq_choices, "
            "mcq_correct_choices, marking_scheme) VALUES ('XII', 'Integrals', 'MCQ', 1, 'x', "
            '\'[{"label": "A"}, {"label": "B"}]\', \'{A}\', \'[{"step": "all", "marks": 1}]\')'
        )


# --- import ----------------------------------------------------------------------------------------

HEADER = ["Class", "Chapter/Unit", "Question Type", "Marks", "Question Text in LaTeX", "Correct answer"]
HEADER += ["Step 1", "Step 1 marks", "Step 2", "Step 2 marks"]


def _rows(marker):
    return [
        ["XII", "Integrals", "SA", "3", f"[{marker}] Integrate $x^2$.", "$x^3/3$", "Rule", "1", "Answer", "2"],
        ["XII", "Integrals", "SA", "3", f"[{marker}] Integrate $x^3$.", "$x^4/4$", "Rule", "1", "Answer", "1"],
        ["XII", "Integrals", "SA", "3", f"[{marker}] Integrate $x^4$.", "$x^5/5$", "Rule", "", "", ""],
        ["XII", "Integrals", "SA", "3", f"[{marker}] Integrate $x^5$.", "$x^6/6$", "", "", "", ""],
    ]


def _csv(rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode()


def _xlsx(rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.mark.parametrize(("name", "encode"), [("bank.csv", _csv), ("bank.xlsx", _xlsx)])
def test_import_reads_step_columns_and_reports_bad_schemes_by_row(client, admin, database_url, name, encode):
    marker = uuid.uuid4().hex[:8]
    response = client.post(
        f"{BASE}/import",
        data={"file": (io.BytesIO(encode(_rows(marker))), name), "dry_run": "false"},
        headers=admin["headers"],
        content_type="multipart/form-data",
    )
    assert response.status_code == 200, response.get_json()
    report = response.get_json()
    assert report["imported"] == 2
    errors = {(e["row"], e["column"]) for e in report["errors"]}
    assert errors == {(3, "Step 1"), (4, "Step 1 marks")}, report["errors"]
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        stored = conn.execute(
            "SELECT question_text, marking_scheme FROM questions WHERE position(%s in question_text) > 0 "
            "ORDER BY question_text",
            (f"[{marker}]",),
        ).fetchall()
    assert [s["marking_scheme"] for s in stored] == [
        [{"step": "Rule", "marks": 1}, {"step": "Answer", "marks": 2}],
        None,
    ]
