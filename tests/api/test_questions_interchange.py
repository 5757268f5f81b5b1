"""GIFT, Aiken and Moodle XML over HTTP: imports report entries by line or index and create
drafts; exports stream an attachment that re-imports as nothing but duplicates; XML bombs and
oversized files are refused; students get neither."""

from __future__ import annotations

import io
from pathlib import Path

import psycopg
import pytest

from tests.factories import make_user as factory_make_user

IMPORT_URL = "/api/v1/questions/import"
EXPORT_URL = "/api/v1/questions/export"
DATA = Path(__file__).resolve().parents[1] / "data" / "interchange"


def post_file(client, user, data: bytes, name: str, dry_run: bool = True, **fields):
    form = {"file": (io.BytesIO(data), name), "dry_run": "true" if dry_run else "false", **fields}
    return client.post(IMPORT_URL, data=form, headers=user["headers"], content_type="multipart/form-data")


@pytest.fixture
def teacher(make_user):
    return make_user("teacher")


def test_malformed_gift_is_reported_by_line_never_a_500(client, teacher):
    response = post_file(client, teacher, (DATA / "malformed.gift").read_bytes(), "malformed.gift")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["format"], body["numbered_by"], body["total_rows"], body["valid_rows"]) == ("gift", "line", 7, 1)
    assert sorted({e["line"] for e in body["errors"]}) == [3, 5, 7, 9, 11, 16]
    assert all("row" not in e and "index" not in e for e in body["errors"])


def test_malformed_aiken_is_reported_by_line(client, teacher):
    data = (DATA / "malformed-aiken.txt").read_bytes()
    body = post_file(client, teacher, data, "m.txt", format="aiken", **{"class": "XII", "unit": "Integrals"}).get_json()
    assert sorted({e["line"] for e in body["errors"]}) == [1, 6, 10, 21]
    assert body["valid_rows"] == 1


def test_malformed_moodle_xml_is_reported_by_index(client, teacher):
    body = post_file(client, teacher, (DATA / "malformed.xml").read_bytes(), "malformed.xml").get_json()
    assert (body["numbered_by"], sorted({e["index"] for e in body["errors"]})) == ("index", [1, 2, 3])


@pytest.mark.parametrize("name", ["billion-laughs.xml", "external-entity.xml"])
def test_xml_with_entities_is_refused_with_422(client, teacher, name):
    response = post_file(client, teacher, (DATA / name).read_bytes(), name)
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "VALIDATION_ERROR"
    assert "DTD" in body["details"]["fields"]["file"][0]


def test_oversized_gift_is_refused_with_413(client, teacher):
    big = b"// padding\n" * (5 * 1024 * 1024 // 11 + 1)
    response = post_file(client, teacher, big, "big.gift")
    assert response.status_code == 413
    assert response.get_json()["error"] == "PAYLOAD_TOO_LARGE"


def test_an_unknown_format_value_is_422(client, teacher):
    response = post_file(client, teacher, b"x {}", "a.txt", format="qti")
    assert response.status_code == 422
    assert "format" in response.get_json()["details"]["fields"]


def test_students_can_neither_import_nor_export(client, make_user):
    student = make_user("student")
    assert post_file(client, student, b"x {}", "a.gift").status_code == 403
    assert client.get(f"{EXPORT_URL}?format=gift", headers=student["headers"]).status_code == 403


@pytest.mark.parametrize(
    ("query", "field"),
    [("format=pdf", "format"), ("", "format"), ("format=aiken&class=XII", "unit"), ("format=gift&status=x", "status")],
)
def test_bad_export_arguments_answer_422_in_the_error_shape(client, teacher, query, field):
    response = client.get(f"{EXPORT_URL}?{query}", headers=teacher["headers"])
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "VALIDATION_ERROR" and field in body["details"]["fields"]


def test_export_then_reimport_reports_every_question_as_a_duplicate(fresh_app, fresh_database_url):
    client = fresh_app.test_client()
    teacher = factory_make_user(fresh_app, "teacher")
    admin = factory_make_user(fresh_app, "admin")
    aiken_defaults = {"class": "XII", "unit": "Integrals"}
    imports = [
        ("xii-sample.gift", {}, 4),
        ("xii-sample.xml", {}, 3),
        ("xii-sample-aiken.txt", {"format": "aiken", **aiken_defaults}, 2),
    ]
    for name, fields, expected in imports:
        body = post_file(client, teacher, (DATA / name).read_bytes(), name, dry_run=False, **fields).get_json()
        assert (body["imported"], body["errors"]) == (expected, []), body
    with psycopg.connect(fresh_database_url) as conn:
        statuses = conn.execute("SELECT status, count(*) FROM questions GROUP BY status").fetchall()
        scheme = conn.execute(
            "SELECT marking_scheme FROM questions WHERE question_type = 'SA' AND marking_scheme IS NOT NULL"
        ).fetchone()[0]
    assert statuses == [("draft", 9)]  # every import creates drafts
    assert [step["marks"] for step in scheme] == [1, 1, 1]

    for export_format, query, exported in [
        ("gift", "", 9),
        ("moodle_xml", "", 9),
        ("csv", "", 9),
        ("aiken", "&class=XII&unit=Integrals", 4),  # the single-answer MCQs (of 6 MCQs in Integrals)
    ]:
        response = client.get(f"{EXPORT_URL}?format={export_format}{query}", headers=admin["headers"])
        assert response.status_code == 200
        assert response.is_streamed
        assert response.headers["Content-Disposition"].startswith('attachment; filename="mathvidya-questions')
        data = response.get_data()
        fields = {"format": export_format, **(aiken_defaults if export_format == "aiken" else {})}
        body = post_file(client, admin, data, f"export.{export_format}", **fields).get_json()
        assert body["errors"] == [], (export_format, body["errors"], data.decode())
        assert (body["total_rows"], body["duplicates"], body["importable"]) == (exported, exported, 0), body


def test_teachers_export_active_questions_and_their_own_only(fresh_app):
    client = fresh_app.test_client()
    author, other = factory_make_user(fresh_app, "teacher"), factory_make_user(fresh_app, "teacher")
    body = post_file(client, author, (DATA / "xii-sample.gift").read_bytes(), "s.gift", dry_run=False).get_json()
    assert body["imported"] == 4
    own = client.get(f"{EXPORT_URL}?format=gift", headers=author["headers"]).get_data(as_text=True)
    theirs = client.get(f"{EXPORT_URL}?format=gift", headers=other["headers"]).get_data(as_text=True)
    assert own.count("\n// mv: type=") == 4
    assert theirs.count("\n// mv: type=") == 0


def test_gift_export_names_the_questions_it_leaves_out(fresh_app, fresh_database_url):
    client = fresh_app.test_client()
    admin = factory_make_user(fresh_app, "admin")
    with psycopg.connect(fresh_database_url) as conn:  # an image-only question (the API checks the upload)
        conn.execute(
            "INSERT INTO questions (class, unit, question_type, marks, question_image_key, status, created_by)"
            " VALUES ('XII', 'Integrals', 'SA', 3, 'question-images/new/x/y.png', 'active', %s)",
            (admin["user_id"],),
        )
    text = client.get(f"{EXPORT_URL}?format=gift", headers=admin["headers"]).get_data(as_text=True)
    assert "1 question(s) left out" in text and "image-only" in text


def test_a_large_export_streams_every_question_once_across_keyset_pages(fresh_app, fresh_database_url):
    client = fresh_app.test_client()
    admin = factory_make_user(fresh_app, "admin")
    with psycopg.connect(fresh_database_url) as conn:  # 1,203 questions over 3 units: several pages
        conn.execute(
            "INSERT INTO questions (class, unit, question_type, marks, question_text, mcq_choices,"
            " mcq_correct_choices, status, created_by)"
            " SELECT 'XII', (ARRAY['Integrals', 'Matrices', 'Probability'])[1 + n %% 3], 'MCQ', 1,"
            "        'Bulk question ' || n || ': $x^' || n || '$ ?',"
            '        \'[{"label": "A", "text": "yes"}, {"label": "B", "text": "no"}]\', \'{A}\','
            "        'active', %s"
            " FROM generate_series(1, 1203) AS n",
            (admin["user_id"],),
        )
    response = client.get(f"{EXPORT_URL}?format=csv&class=XII", headers=admin["headers"])
    assert response.status_code == 200 and response.is_streamed
    lines = response.get_data(as_text=True).splitlines()
    texts = [line for line in lines if "Bulk question" in line]
    assert len(texts) == 1203 and len(set(texts)) == 1203
    units = [line.split(",")[1] for line in texts]
    assert units == sorted(units)  # class, unit order
