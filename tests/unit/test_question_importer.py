"""The importer's reading and row parsing (pure: bytes and rows in, questions and problems out)."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from mathvidya.questions import importer
from mathvidya.questions.template_defaults import SYLLABUS_ORDER

UNITS = {klass: list(units) for klass, units in SYLLABUS_ORDER.items()}
HEADER = ["Class", "Chapter/Unit", "Question Type", "Topic", "Difficulty", "Marks", "Question Text in LaTeX",
          "Option A text", "Option B text", "Option C text", "Option D text", "Correct option and answer",
          "Explanation or solution text in LaTeX", "image"]  # fmt: skip


def row(**cells):
    values = {
        "Class": "XII",
        "Chapter/Unit": "Probability",
        "Question Type": "MCQ",
        "Topic": "Bayes",
        "Difficulty": "medium",
        "Marks": "1",
        "Question Text in LaTeX": "If $P(A) = \\frac{1}{2}$, then $P(A') =$",
        "Option A text": "$\\frac{1}{2}$",
        "Option B text": "$1$",
        "Option C text": "$0$",
        "Option D text": "$\\frac{1}{4}$",
        "Correct option and answer": "A, $\\frac{1}{2}$",
        "Explanation or solution text in LaTeX": "$P(A') = 1 - P(A)$",
        "image": "",
    }
    values.update(cells)
    return [values[h] for h in HEADER]


def parse(*rows, header=HEADER):
    return importer.parse_sheet(header, list(rows), UNITS)


def only_error(parsed):
    assert len(parsed.errors) == 1, parsed.errors
    return parsed.errors[0]


def test_a_good_mcq_row_becomes_a_question():
    parsed = parse(row())
    assert parsed.errors == [] and parsed.warnings == []
    (question,) = parsed.questions
    assert question["row_number"] == 2
    assert question["class"] == "XII" and question["unit"] == "Probability"
    assert question["mcq_choices"][0] == {"label": "A", "text": "$\\frac{1}{2}$"}
    assert len(question["mcq_choices"]) == 4
    assert question["mcq_correct_choices"] == ["A"]
    assert question["correct_answer_text"] == "$\\frac{1}{2}$"
    assert question["question_text"] == "If $P(A) = \\frac{1}{2}$, then $P(A') =$"
    assert question["marks"] == 1 and question["difficulty"] == "medium"


def test_rows_are_numbered_as_a_spreadsheet_shows_them_and_blank_rows_are_skipped():
    blank = [""] * len(HEADER)
    parsed = parse(row(), blank, row(**{"Chapter/Unit": "Astrology"}), row())
    assert [q["row_number"] for q in parsed.questions] == [2, 5]
    assert only_error(parsed).row == 4
    assert parsed.total_rows == 3


@pytest.mark.parametrize(
    ("cells", "column", "reason"),
    [
        ({"Class": "XI"}, "Class", "'XI' is not a class (X or XII)"),
        ({"Class": ""}, "Class", "is required"),
        ({"Chapter/Unit": "Astrology"}, "Chapter/Unit", "'Astrology' is not a Class XII unit"),
        ({"Chapter/Unit": "Real Numbers"}, "Chapter/Unit", "is not a Class XII unit"),
        ({"Chapter/Unit": ""}, "Chapter/Unit", "is required"),
        ({"Question Type": "Essay"}, "Question Type", "must be one of MCQ, VSA, SA, LA, CASE, not 'Essay'"),
        ({"Marks": "2"}, "Marks", "a MCQ question carries 1 mark"),
        ({"Marks": "one"}, "Marks", "must be a number, not 'one'"),
        ({"Marks": "NaN"}, "Marks", "must be a number"),
        ({"Difficulty": "tough"}, "Difficulty", "must be one of easy, medium, hard, not 'tough'"),
        ({"Question Text in LaTeX": ""}, "Question Text in LaTeX", "a question needs text or an image"),
        ({"Correct option and answer": ""}, "Correct option and answer", "needs its correct option letter"),
        ({"Correct option and answer": "the first one"}, "Correct option and answer", "must start with the correct"),
        ({"Correct option and answer": "E, 5"}, "Correct option and answer", "option E is not among the options"),
        ({"Option B text": ""}, "Option B text", "options must be consecutive from A"),
        ({"Option B text": "", "Option C text": "", "Option D text": ""}, "options", "at least 2 options"),
        ({"image": "https://example.com/x.png"}, "image", "must be a key under question-images/"),
    ],
)
def test_each_bad_cell_is_reported_with_its_column(cells, column, reason):
    problem = only_error(parse(row(**cells)))
    assert (problem.row, problem.column) == (2, column)
    assert reason in problem.reason, problem.reason


def test_a_row_with_several_problems_reports_each():
    parsed = parse(row(Class="XI", **{"Question Type": "Essay", "Difficulty": "tough"}))
    assert {p.column for p in parsed.errors} == {"Class", "Question Type", "Difficulty"}
    assert parsed.questions == []


@pytest.mark.parametrize(
    ("cell", "labels", "answer"),
    [
        ("B", ["B"], None),
        ("b, $1$", ["B"], "$1$"),
        ("A, C, both are fine", ["A", "C"], "both are fine"),
        ("A;C", ["A", "C"], None),
        ("A/D, $x, y$", ["A", "D"], "$x, y$"),
        ("C and D", ["C", "D"], None),
    ],
)
def test_correct_option_cell_forms(cell, labels, answer):
    parsed = parse(row(**{"Correct option and answer": cell}))
    assert parsed.errors == []
    assert parsed.questions[0]["mcq_correct_choices"] == labels
    assert parsed.questions[0]["correct_answer_text"] == answer


def test_answer_text_that_differs_from_the_option_is_a_warning_not_an_error():
    parsed = parse(row(**{"Correct option and answer": "B, $\\frac{1}{2}$"}))
    assert parsed.errors == []
    assert [(w.row, w.column) for w in parsed.warnings] == [(2, "Correct option and answer")]
    assert "differs from option B" in parsed.warnings[0].reason


def test_written_questions_take_the_whole_answer_cell_and_refuse_options():
    no_options = {"Option A text": "", "Option B text": "", "Option C text": "", "Option D text": ""}
    good = parse(row(**{"Question Type": "SA", "Marks": "3", **no_options, "Correct option and answer": "A, then B"}))
    assert good.errors == []
    question = good.questions[0]
    assert question["correct_answer_text"] == "A, then B"
    assert question["mcq_choices"] is None and question["mcq_correct_choices"] is None
    bad = only_error(parse(row(**{"Question Type": "VSA", "Marks": "2"})))
    assert (bad.column, bad.reason) == ("Option A text", "only MCQ questions have options (this is VSA)")


def test_friendly_forms_are_accepted():
    parsed = parse(row(Class="12", **{"Chapter/Unit": "  probability ", "Question Type": "mcq", "Difficulty": "",
                                      "Marks": ""}))  # fmt: skip
    question = parsed.questions[0]
    assert (question["class"], question["unit"], question["question_type"]) == ("XII", "Probability", "MCQ")
    assert (question["difficulty"], question["marks"]) == ("medium", 1)
    la = parse(row(**{"Question Type": "LA", "Marks": "6.0", "Option A text": "", "Option B text": "",
                      "Option C text": "", "Option D text": ""})).questions[0]  # fmt: skip
    assert la["marks"] == 6


def test_short_rows_read_missing_trailing_cells_as_empty():
    parsed = parse(row()[:-1])
    assert parsed.errors == [] and parsed.questions[0]["question_image_key"] is None


def test_repeated_text_within_the_file_is_a_warning():
    parsed = parse(row(), row(**{"Question Text in LaTeX": "IF  $P(A) = \\frac{1}{2}$, then $P(A') =$ "}))
    assert len(parsed.questions) == 2
    assert [(w.row, w.reason[:13]) for w in parsed.warnings] == [(3, "repeats row 2")]


def test_optional_columns_tags_and_year():
    header = [*HEADER, "Tags", "CBSE Year"]
    parsed = parse([*row(), "PYQ; Board 2023", "2023"], [*row(), "", "20x3"], header=header)
    assert parsed.questions[0]["tags"] == ["pyq", "board 2023"] and parsed.questions[0]["cbse_year"] == 2023
    assert only_error(parsed).column == "CBSE Year"


def test_headers_are_matched_loosely_and_required_ones_are_named():
    columns = importer.map_columns(["CLASS", " chapter/unit ", "Question  Type", "Question", "Option A", "Option B"])
    assert columns.index["question_text"] == 3
    assert [label for label, _pos, _h in columns.options] == ["A", "B"]
    with pytest.raises(importer.FileRefused, match="missing columns: chapter/unit, question type"):
        importer.map_columns(["Class", "Question Text"])
    with pytest.raises(importer.FileRefused, match="question text in latex"):
        importer.map_columns(["Class", "Unit", "Type"])


def test_csv_reading_handles_bom_quotes_and_newlines():
    data = '\ufeffClass,Chapter/Unit,Question Type,Question Text\nXII,Matrices,SA,"two\nlines, one cell"\n\n'
    header, rows = importer.read_table("bank.CSV", data.encode("utf-8"))
    assert header == ["Class", "Chapter/Unit", "Question Type", "Question Text"]
    assert rows == [["XII", "Matrices", "SA", "two\nlines, one cell"]]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("bank.pdf", b"%PDF-1.4", "must be a .csv or .xlsx file"),
        ("bank", b"Class", "must be a .csv or .xlsx file"),
        ("bank.xls", b"\xd0\xcf\x11\xe0", "save the spreadsheet as .xlsx or .csv"),
        ("bank.csv", b"PK\x03\x04....", "is not a CSV text file"),
        ("bank.csv", "Class\ncaf\xe9\n".encode("latin-1"), "must be UTF-8 text (byte 9 is not)"),
        ("bank.csv", b"\n\n", "the first row must be the header"),
        ("bank.xlsx", b"Class,Unit\n", "is not an XLSX workbook"),
        ("bank.xlsx", b"PK\x03\x04garbage", "is not an XLSX workbook"),
    ],
)
def test_unreadable_files_are_refused(name, data, message):
    with pytest.raises(importer.FileRefused, match=message.replace("(", r"\(").replace(")", r"\)")):
        importer.read_table(name, data)


def test_too_many_rows_are_refused():
    data = ("Class\n" + "XII\n" * (importer.MAX_ROWS + 1)).encode()
    with pytest.raises(importer.FileRefused, match="at most 20000 question rows"):
        importer.read_table("big.csv", data)


def test_xlsx_reading_turns_numbers_into_text():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(["XII", "Probability", "MCQ", None, "easy", 1, "$x$?", "1", "2", None, None, "A", None, None])
    sheet.append([None] * len(HEADER))
    out = io.BytesIO()
    workbook.save(out)
    header, rows = importer.read_table("bank.xlsx", out.getvalue())
    assert header == HEADER
    assert rows[0][5] == "1" and rows[0][3] == ""
    parsed = importer.parse_sheet(header, rows, UNITS)
    assert parsed.errors == [] and parsed.questions[0]["mcq_choices"] == [
        {"label": "A", "text": "1"},
        {"label": "B", "text": "2"},
    ]


def test_nul_characters_are_refused_not_stored():
    problem = only_error(parse(row(Topic="a\x00b")))
    assert (problem.row, problem.column) == (2, "row")
    with pytest.raises(importer.FileRefused, match="is not a CSV text file"):
        importer.read_table("x.csv", b"Class,Unit\n" + b"x" * 5000 + b"\x00")


def test_a_whole_number_stored_as_a_float_in_a_workbook_reads_as_that_number():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Class", "Marks", "Question Text in LaTeX"])
    sheet.append(["XII", 1.0, "What is $2 + 2$?"])
    sheet.append(["XII", 2.5, "Half marks stay as written"])
    out = io.BytesIO()
    workbook.save(out)
    header, rows = importer.read_xlsx(out.getvalue())
    assert header == ["Class", "Marks", "Question Text in LaTeX"]
    assert [r[1] for r in rows] == ["1", "2.5"]
