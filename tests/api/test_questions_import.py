"""Bulk import over HTTP: dry runs report exactly the bad rows; real runs import good rows as
drafts once and skip duplicates; bad files are refused cleanly."""

from __future__ import annotations

import csv
import io
import uuid
from pathlib import Path

import psycopg
import pytest
from openpyxl import Workbook

from tests.factories import make_user as factory_make_user

URL = "/api/v1/questions/import"
# 26 Class XII MCQs, two per unit, then the first question's text again with other options
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "xii-mcq-sample.csv"
SAMPLE_ROWS = 27
HEADER = [
    "Class",
    "Chapter/Unit",
    "Question Type",
    "Topic",
    "Difficulty",
    "Marks",
    "Question Text in LaTeX",
    "Option A text",
    "Option B text",
    "Option C text",
    "Option D text",
    "Correct option and answer",
    "Explanation or solution text in LaTeX",
    "image",
]


def sheet_rows(marker: str) -> tuple[list[list[str]], dict[int, str]]:
    """Question rows (spreadsheet row 2 onwards) and the bad ones: row number → column."""
    q = f"[{marker}]"
    rows = [
        # 2 good MCQ
        ["XII", "Matrices", "MCQ", "Order", "easy", "1", f"{q} The order of $[1\\ 2\\ 3]$ is", "$1 \\times 3$",
         "$3 \\times 1$", "$3 \\times 3$", "$1 \\times 1$", "A, $1 \\times 3$", "One row, three columns.", ""],
        # 3 unit not in the class's list
        ["XII", "Trigonometric Tables", "MCQ", "", "easy", "1", f"{q} bad unit", "1", "2", "", "", "A", "", ""],
        # 4 marks do not match the type
        ["XII", "Matrices", "MCQ", "", "easy", "2", f"{q} bad marks", "1", "2", "", "", "A", "", ""],
        # 5 correct option is not among the options
        ["XII", "Matrices", "MCQ", "", "easy", "1", f"{q} bad correct option", "1", "2", "3", "4", "E, 5", "", ""],
        # 6 no text and no image
        ["XII", "Matrices", "MCQ", "", "easy", "1", "", "1", "2", "", "", "A", "", ""],
        # 7 good SA (multi-line LaTeX: still one spreadsheet row)
        ["X", "quadratic equations", "SA", "Roots", "medium", "3", f"{q} Solve\n$x^2 - 5x + 6 = 0$.", "", "", "",
         "", "$x = 2, 3$", "Factorise: $(x-2)(x-3)$.", ""],
        # 8 unknown class
        ["XI", "Matrices", "MCQ", "", "easy", "1", f"{q} bad class", "1", "2", "", "", "A", "", ""],
        # 9 options with a gap
        ["XII", "Matrices", "MCQ", "", "easy", "1", f"{q} option gap", "1", "2", "", "4", "A", "", ""],
        # 10 good LA with 6 marks
        ["X", "Triangles", "LA", "", "hard", "6", f"{q} Prove the basic proportionality theorem.", "", "", "", "",
         "", "", ""],
        # 11 unknown type
        ["X", "Triangles", "ESSAY", "", "hard", "6", f"{q} bad type", "", "", "", "", "", "", ""],
        # 12 blank: skipped, not an error
        ["", "", "", "", "", "", "", "", "", "", "", "", "", ""],
        # 13 the same text as row 2, spacing and case changed: kept, with a warning
        ["XII", "Matrices", "MCQ", "Order", "easy", "1", f"{q}  THE order of   $[1\\ 2\\ 3]$ is", "$1 \\times 3$",
         "$3 \\times 1$", "$3 \\times 3$", "$1 \\times 1$", "A", "", ""],
        # 14 unknown difficulty
        ["XII", "Matrices", "MCQ", "", "tough", "1", f"{q} bad difficulty", "1", "2", "", "", "A", "", ""],
    ]  # fmt: skip
    bad = {
        3: "Chapter/Unit",
        4: "Marks",
        5: "Correct option and answer",
        6: "Question Text in LaTeX",
        8: "Class",
        9: "Option C text",
        11: "Question Type",
        14: "Difficulty",
    }
    return rows, bad


def csv_bytes(rows: list[list[str]], header: list[str] = HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def xlsx_bytes(rows: list[list[str]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append([int(cell) if cell.isdigit() and len(cell) < 3 else (cell or None) for cell in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def post_file(client, user, data: bytes, name: str, dry_run: bool | None):
    form = {"file": (io.BytesIO(data), name)}
    if dry_run is not None:
        form["dry_run"] = "true" if dry_run else "false"
    return client.post(URL, data=form, headers=user["headers"], content_type="multipart/form-data")


def count_marked(database_url: str, marker: str) -> list[tuple]:
    with psycopg.connect(database_url) as conn:
        return conn.execute(
            "SELECT status, created_by FROM questions WHERE position(%s in question_text) > 0", (f"[{marker}]",)
        ).fetchall()


@pytest.fixture
def teacher(make_user):
    return make_user("teacher")


def test_dry_run_reports_exactly_the_bad_rows_and_imports_nothing(client, teacher, database_url):
    marker = uuid.uuid4().hex
    rows, bad = sheet_rows(marker)
    response = post_file(client, teacher, csv_bytes(rows), "bank.csv", dry_run=True)
    assert response.status_code == 200, response.get_json()
    report = response.get_json()
    assert {(e["row"], e["column"]) for e in report["errors"]} == set(bad.items())
    assert all(e["reason"] for e in report["errors"])
    assert report["dry_run"] is True
    assert report["total_rows"] == 12
    assert report["valid_rows"] == 4
    assert report["imported"] == 0
    assert report["duplicate_rows"] == []
    assert report["importable"] == 4
    assert [(w["row"], w["column"]) for w in report["warnings"]] == [(13, "Question Text in LaTeX")]
    assert "repeats row 2" in report["warnings"][0]["reason"]
    assert count_marked(database_url, marker) == []

    reasons = {e["row"]: e["reason"] for e in report["errors"]}
    assert "not a Class XII unit" in reasons[3]
    assert "carries 1 mark" in reasons[4]
    assert "E is not among the options" in reasons[5] or "option E" in reasons[5]
    assert "text or an image" in reasons[6]


def test_real_run_imports_good_rows_as_drafts_once(client, teacher, database_url):
    marker = uuid.uuid4().hex
    rows, bad = sheet_rows(marker)
    first = post_file(client, teacher, csv_bytes(rows), "bank.csv", dry_run=False).get_json()
    assert first["imported"] == 4
    assert first["duplicates"] == 0
    assert {e["row"] for e in first["errors"]} == set(bad)
    stored = count_marked(database_url, marker)
    assert len(stored) == 4
    assert {status for status, _ in stored} == {"draft"}
    assert {str(created_by) for _, created_by in stored} == {str(teacher["user_id"])}

    dry = post_file(client, teacher, csv_bytes(rows), "bank.csv", dry_run=True).get_json()
    assert (dry["importable"], dry["duplicate_rows"]) == (0, [2, 7, 10, 13])

    second = post_file(client, teacher, csv_bytes(rows), "bank.csv", dry_run=False).get_json()
    assert second["imported"] == 0
    assert second["duplicates"] == 4 and second["duplicate_rows"] == [2, 7, 10, 13]
    assert len(count_marked(database_url, marker)) == 4

    with psycopg.connect(database_url) as conn:
        events = conn.execute(
            "SELECT details FROM audit_logs WHERE event_type = 'question.imported' AND actor_user_id = %s",
            (teacher["user_id"],),
        ).fetchall()
    assert sorted(e[0]["imported"] for e in events) == [0, 4]


def test_imported_latex_is_stored_as_given(client, make_user, database_url):
    admin = make_user("admin")
    marker = uuid.uuid4().hex
    rows, _bad = sheet_rows(marker)
    post_file(client, admin, csv_bytes(rows[:1]), "one.csv", dry_run=False)
    with psycopg.connect(database_url) as conn:
        text, choices, correct, status = conn.execute(
            "SELECT question_text, mcq_choices, mcq_correct_choices, status FROM questions "
            "WHERE position(%s in question_text) > 0",
            (f"[{marker}]",),
        ).fetchone()
    assert text == f"[{marker}] The order of $[1\\ 2\\ 3]$ is"
    assert choices[0] == {"label": "A", "text": "$1 \\times 3$"}
    assert correct == ["A"]
    assert status == "draft"  # imports are drafts, even an admin's


def test_xlsx_files_are_read_like_csv(client, teacher, database_url):
    marker = uuid.uuid4().hex
    rows, bad = sheet_rows(marker)
    dry = post_file(client, teacher, xlsx_bytes(rows), "bank.xlsx", dry_run=True).get_json()
    assert {(e["row"], e["column"]) for e in dry["errors"]} == set(bad.items())
    real = post_file(client, teacher, xlsx_bytes(rows), "bank.xlsx", dry_run=False).get_json()
    assert real["imported"] == 4
    assert len(count_marked(database_url, marker)) == 4


@pytest.mark.parametrize(
    ("data", "name", "fragment"),
    [
        (b"Class,Unit\nXII,Matrices\n", "notes.txt", "must be a .csv, .xlsx"),
        (b"Class,Chapter/Unit,Question Type\n", "old.xls", "save the spreadsheet as .xlsx"),
        (b"Class,Chapter/Unit,Question Type\nXII,Matrices,MCQ\n", "fake.xlsx", "is not an XLSX workbook"),
        (b"PK\x03\x04 not really a zip", "fake.xlsx", "is not an XLSX workbook"),
        (b"\xff\xfe\x00C\x00l\x00a\x00s\x00s", "utf16.csv", "is not a CSV text file"),
        (
            "Class,Chapter/Unit,Question Type,Question Text\nXII,Matrices,MCQ,caf\xe9\n".encode("latin-1"),
            "x.csv",
            "UTF-8",
        ),
        (b"Class,Topic\nXII,Matrices\n", "columns.csv", "missing columns: chapter/unit, question type"),
        (b"", "empty.csv", "the first row must be the header"),
    ],
)
def test_wrong_files_are_refused_with_422(client, teacher, data, name, fragment):
    response = post_file(client, teacher, data, name, dry_run=True)
    assert response.status_code == 422, response.get_json()
    body = response.get_json()
    assert body["error"] == "VALIDATION_ERROR"
    assert any(fragment in message for message in body["details"]["fields"]["file"]), body


def test_files_over_5_mb_are_refused_with_413(client, teacher):
    big = csv_bytes([]) + b"#" * (5 * 1024 * 1024)
    response = post_file(client, teacher, big, "big.csv", dry_run=True)
    assert response.status_code == 413
    assert response.get_json()["error"] == "PAYLOAD_TOO_LARGE"


def test_a_missing_file_is_422(client, teacher):
    response = client.post(
        URL, data={"dry_run": "true"}, headers=teacher["headers"], content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert "file" in response.get_json()["details"]["fields"]


def test_students_cannot_import(client, make_user):
    student = make_user("student")
    assert post_file(client, student, csv_bytes([]), "x.csv", dry_run=True).status_code == 403


def test_the_sample_sheet_imports_every_row_as_a_draft_then_only_duplicates(fresh_app, fresh_database_url):
    client = fresh_app.test_client()
    teacher = factory_make_user(fresh_app, "teacher")
    data = SAMPLE.read_bytes()

    dry = post_file(client, teacher, data, SAMPLE.name, dry_run=True).get_json()
    assert (dry["total_rows"], dry["valid_rows"], dry["errors"], dry["importable"]) == (27, 27, [], 27)
    # the last question repeats the first one's text (with other options): kept, but flagged
    assert [w["row"] for w in dry["warnings"]] == [SAMPLE_ROWS + 1]

    first = post_file(client, teacher, data, SAMPLE.name, dry_run=False).get_json()
    assert (first["imported"], first["duplicates"], first["errors"]) == (27, 0, [])
    with psycopg.connect(fresh_database_url) as conn:
        counts = conn.execute("SELECT status, count(*) FROM questions GROUP BY status").fetchall()
        units = conn.execute("SELECT count(DISTINCT unit) FROM questions").fetchone()[0]
    assert counts == [("draft", 27)]
    assert units == 13

    second = post_file(client, teacher, data, SAMPLE.name, dry_run=False).get_json()
    assert (second["imported"], second["duplicates"]) == (0, 27)
    with psycopg.connect(fresh_database_url) as conn:
        assert conn.execute("SELECT count(*) FROM questions").fetchone()[0] == 27
