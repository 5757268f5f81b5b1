"""GIFT, Aiken and Moodle XML: the sample files read as expected, malformed entries are
reported by line or index, XML bombs are refused, and any question the bank can hold comes
back unchanged from each format's writer through its reader."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mathvidya.questions import aiken, gift, importer, interchange, moodle_xml, rules

DATA = Path(__file__).resolve().parents[1] / "data" / "interchange"
UNITS = {"XII": ["Integrals", "Matrices", "Vector Algebra"], "X": ["Triangles", "Real Numbers"]}


def read(file_format: str, data: bytes, defaults: dict | None = None) -> importer.ParsedSheet:
    defaults = defaults or {}
    if file_format == "gift":
        drafts = gift.read_gift(interchange.decode_text(data, "GIFT"))
    elif file_format == "aiken":
        drafts = aiken.read_aiken(interchange.decode_text(data, "Aiken"))
    else:
        drafts = moodle_xml.read_moodle_xml(data, defaults)
    return interchange.check_drafts(drafts, defaults, UNITS, interchange.NUMBERED_BY[file_format])


def errors_by_position(parsed: importer.ParsedSheet) -> dict[int, str]:
    return {problem.row: problem.column for problem in parsed.errors}


# ---------------------------------------------------------------------------------------
# Sample files
# ---------------------------------------------------------------------------------------
def test_the_gift_sample_reads_mcqs_multi_correct_and_written_questions():
    parsed = read("gift", (DATA / "xii-sample.gift").read_bytes())
    assert parsed.errors == []
    first, multi, written, long = parsed.questions
    assert (first["row_number"], first["class"], first["unit"]) == (4, "XII", "Integrals")
    assert first["topic"] == "Definite integrals"
    assert first["question_text"] == "What is $\\int_0^1 2x\\,dx$?"
    assert [c["text"] for c in first["mcq_choices"]] == ["1", "0", "2", "$\\frac{1}{2}$"]
    assert first["mcq_correct_choices"] == ["A"]
    assert first["explanation"] == "Since $\\int_0^1 2x\\,dx = [x^2]_0^1 = 1$."
    assert (first["difficulty"], first["tags"], first["cbse_year"]) == ("easy", ["pyq", "integration"], 2023)
    assert multi["mcq_correct_choices"] == ["A", "B"] and multi["row_number"] == 13
    assert (written["question_type"], written["marks"], written["difficulty"]) == ("SA", 3, "hard")
    assert written["question_text"] == "Evaluate $\\int \\frac{dx}{x^2 + 1}$ and justify each step."
    assert (long["unit"], long["question_type"], long["marks"], long["topic"]) == ("Matrices", "LA", 5, "Inverse")
    assert "\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}" in long["question_text"]


def test_malformed_gift_entries_are_reported_by_the_line_they_start_on():
    parsed = read("gift", (DATA / "malformed.gift").read_bytes())
    assert errors_by_position(parsed) == {
        3: "answer",  # no answer block
        5: "answer",  # block not closed
        7: "answer",  # numerical
        9: "answer",  # true/false
        11: "question_type",  # mv: type=ESSAY
        16: "unit",  # category names an unknown unit
    }
    assert [q["row_number"] for q in parsed.questions] == [20]
    assert all(problem.as_dict().keys() == {"line", "column", "reason"} for problem in parsed.errors)


def test_a_written_gift_question_takes_type_and_marks_from_the_defaults():
    text = b"$CATEGORY: X/Triangles\n\nProve the basic proportionality theorem.{}\n"
    parsed = read("gift", text, {"question_type": "LA", "marks": "6"})
    assert parsed.errors == []
    assert (parsed.questions[0]["question_type"], parsed.questions[0]["marks"]) == ("LA", 6)
    without = read("gift", text)
    assert errors_by_position(without) == {3: "question_type"}


def test_gift_without_a_category_takes_class_and_unit_from_the_defaults_or_reports_them():
    text = b"What is $1+1$?{=2 ~3}\n"
    assert read("gift", text, {"class": "XII", "unit": "integrals"}).questions[0]["unit"] == "Integrals"
    assert {p.column for p in read("gift", text).errors} == {"class", "unit"}


def test_the_aiken_sample_reads_single_answer_mcqs_with_the_default_class_and_unit():
    parsed = read("aiken", (DATA / "xii-sample-aiken.txt").read_bytes(), {"class": "XII", "unit": "Integrals"})
    assert parsed.errors == []
    assert [(q["row_number"], q["mcq_correct_choices"]) for q in parsed.questions] == [(1, ["A"]), (8, ["B"])]
    assert parsed.questions[0]["mcq_choices"][2] == {"label": "C", "text": "$\\tan x$"}


def test_malformed_aiken_entries_are_reported_by_line():
    parsed = read("aiken", (DATA / "malformed-aiken.txt").read_bytes(), {"class": "XII", "unit": "Integrals"})
    assert errors_by_position(parsed) == {1: "mcq_correct_choices", 6: "correct", 10: "options", 21: "correct"}
    assert [q["row_number"] for q in parsed.questions] == [16]


def test_the_moodle_xml_sample_reads_categories_mcqs_and_essays_with_schemes():
    parsed = read("moodle_xml", (DATA / "xii-sample.xml").read_bytes())
    assert parsed.errors == []
    single, multi, essay = parsed.questions
    assert single["question_text"] == "What is $\\int_0^1 3x^2\\,dx$ & why?"
    assert (single["topic"], single["difficulty"], single["tags"]) == ("Definite integrals", "easy", ["pyq"])
    assert multi["mcq_correct_choices"] == ["A", "B"]
    assert (essay["question_type"], essay["marks"], essay["correct_answer_text"]) == ("SA", 3, "$\\pi/4$")
    assert [step["marks"] for step in essay["marking_scheme"]] == [1, 1, 1]


def test_malformed_moodle_xml_entries_are_reported_by_index():
    parsed = read("moodle_xml", (DATA / "malformed.xml").read_bytes())
    assert errors_by_position(parsed) == {1: "type", 2: "mcq_correct_choices", 3: "question_type"}
    assert [q["row_number"] for q in parsed.questions] == [4]
    assert all("index" in problem.as_dict() for problem in parsed.errors)


@pytest.mark.parametrize("name", ["billion-laughs.xml", "external-entity.xml"])
def test_xml_with_entities_or_a_dtd_is_refused_whole(name):
    with pytest.raises(interchange.FileRefused, match="DTD, entity"):
        read("moodle_xml", (DATA / name).read_bytes())


@pytest.mark.parametrize(
    ("data", "fragment"),
    [(b"<quiz><question>", "not well-formed XML"), (b"<html></html>", "root element is <quiz>")],
)
def test_broken_xml_is_refused_with_a_reason(data, fragment):
    with pytest.raises(interchange.FileRefused, match=fragment):
        read("moodle_xml", data)


def test_text_files_must_be_utf8():
    with pytest.raises(interchange.FileRefused, match="UTF-8"):
        read("gift", "caf\xe9 {}".encode("latin-1"))


@pytest.mark.parametrize(
    ("name", "declared", "expected"),
    [("a.gift", None, "gift"), ("a.XML", None, "moodle_xml"), ("a.txt", "aiken", "aiken"), ("b.csv", None, "csv")],
)
def test_the_format_is_the_declared_one_or_the_file_suffix(name, declared, expected):
    assert interchange.format_of(name, declared) == expected


def test_a_file_of_unknown_format_is_refused():
    with pytest.raises(interchange.FileRefused, match="format"):
        interchange.format_of("questions.txt", None)


# ---------------------------------------------------------------------------------------
# Escaping and export rules
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("$\\frac{1}{2}$", "$\\frac\\{1\\}\\{2\\}$"),
        ("a ~ b = c # d : e", "a \\~ b \\= c \\# d \\: e"),
        ("$\\neq$", "$\\\\neq$"),
        ("line\nbreak", "line\\nbreak"),
        ("//not a comment", "\\//not a comment"),
    ],
)
def test_gift_escapes_specials_and_keeps_latex(text, written):
    assert gift.escape(text) == written
    assert gift.unescape(written) == text


@pytest.mark.parametrize(
    ("question", "export_format", "reason"),
    [
        ({"question_type": "MCQ", "question_text": "", "mcq_correct_choices": ["A"]}, "gift", "no text"),
        ({"question_type": "SA", "question_text": "x"}, "aiken", "only MCQs"),
        ({"question_type": "MCQ", "question_text": "x", "mcq_correct_choices": ["A", "B"]}, "aiken", "one correct"),
        ({"question_type": "SA", "question_text": "a\x01b"}, "moodle_xml", "control characters"),
    ],
)
def test_questions_a_format_cannot_carry_are_named(question, export_format, reason):
    assert reason in interchange.export_problem(question, export_format)


# ---------------------------------------------------------------------------------------
# Round trips
# ---------------------------------------------------------------------------------------
ALPHABET = st.characters(
    codec="utf-8",
    exclude_categories=("Cc", "Cs", "Zl", "Zp"),
    include_characters="\\~=#{}:$^_%/[]<>&\"' \n",
)
LATEXISH = st.sampled_from(["$\\frac{1}{2}$", "\\neq", "\\{", "a\\\\b", "~%50%", "::", "####", "//", "[html]", "%"])


def _text(max_size: int = 60) -> st.SearchStrategy[str]:
    pieces = st.lists(st.one_of(st.text(ALPHABET, max_size=12), LATEXISH), min_size=1, max_size=6)
    return pieces.map(lambda parts: "".join(parts)[:max_size].strip()).filter(bool)


def _one_line(max_size: int = 40) -> st.SearchStrategy[str]:
    return _text(max_size).map(lambda t: " ".join(t.split())).filter(bool)


@st.composite
def questions(draw, mcq_only: bool = False) -> dict:
    klass = draw(st.sampled_from(sorted(UNITS)))
    question_type = "MCQ" if mcq_only else draw(st.sampled_from(rules.QUESTION_TYPES))
    marks = draw(st.sampled_from(rules.MARKS_BY_TYPE[question_type]))
    question = {
        "class": klass,
        "unit": draw(st.sampled_from(UNITS[klass])),
        "topic": draw(st.none() | _one_line()),
        "question_type": question_type,
        "marks": marks,
        "difficulty": draw(st.sampled_from(rules.DIFFICULTIES)),
        "question_text": draw(_text()),
        "mcq_choices": None,
        "mcq_correct_choices": None,
        "correct_answer_text": None,
        "explanation": draw(st.none() | _text()),
        "tags": draw(st.lists(st.from_regex(r"[a-z][a-z0-9 ]{0,10}[a-z0-9]", fullmatch=True), max_size=3, unique=True)),
        "cbse_year": draw(st.none() | st.integers(1990, 2030)),
        "marking_scheme": None,
    }
    if question_type == "MCQ":
        count = draw(st.integers(2, 6))
        labels = rules.expected_labels(count)
        question["mcq_choices"] = [{"label": label, "text": draw(_text(30))} for label in labels]
        correct = draw(st.lists(st.sampled_from(labels), min_size=1, max_size=count, unique=True))
        question["mcq_correct_choices"] = sorted(correct)
    else:
        question["correct_answer_text"] = draw(st.none() | _text())
        if draw(st.booleans()):
            steps = int(marks)
            question["marking_scheme"] = [{"step": draw(_one_line(30)), "marks": 1} for _ in range(steps)]
    return question


def _content(question: dict, fields: tuple[str, ...]) -> dict:
    return {name: question.get(name) for name in fields}


GIFT_FIELDS = (
    "class", "unit", "topic", "question_type", "marks", "difficulty", "question_text",
    "mcq_choices", "mcq_correct_choices", "explanation", "tags", "cbse_year",
)  # fmt: skip
XML_FIELDS = (*GIFT_FIELDS, "correct_answer_text", "marking_scheme")


@settings(max_examples=60)
@given(st.lists(questions(), min_size=1, max_size=4))
def test_gift_round_trips_what_it_carries(bank):
    bank = sorted(bank, key=lambda q: (q["class"], q["unit"]))
    parsed = read("gift", "".join(gift.write_gift(bank)).encode())
    assert parsed.errors == []
    assert [_content(q, GIFT_FIELDS) for q in parsed.questions] == [_content(q, GIFT_FIELDS) for q in bank]


@settings(max_examples=60)
@given(st.lists(questions(), min_size=1, max_size=4))
def test_moodle_xml_round_trips_what_it_carries(bank):
    bank = sorted(bank, key=lambda q: (q["class"], q["unit"]))
    text = "".join(moodle_xml.write_moodle_xml(bank)) + moodle_xml.write_trailer([])
    parsed = read("moodle_xml", text.encode())
    assert parsed.errors == []
    assert [_content(q, XML_FIELDS) for q in parsed.questions] == [_content(q, XML_FIELDS) for q in bank]


@settings(max_examples=60)
@given(st.lists(questions(mcq_only=True), min_size=1, max_size=4))
def test_aiken_round_trips_single_answer_mcqs_up_to_whitespace(bank):
    where = {"class": "XII", "unit": "Integrals"}
    bank = [{**q, **where, "mcq_correct_choices": q["mcq_correct_choices"][:1]} for q in bank]
    parsed = read("aiken", "".join(aiken.write_aiken(bank)).encode(), {"class": "XII", "unit": "Integrals"})
    assert parsed.errors == []
    for back, sent in zip(parsed.questions, bank, strict=True):
        assert rules.normalised_text(back["question_text"]) == rules.normalised_text(sent["question_text"])
        assert [" ".join(c["text"].split()) for c in back["mcq_choices"]] == [
            " ".join(c["text"].split()) for c in sent["mcq_choices"]
        ]
        assert back["mcq_correct_choices"] == sent["mcq_correct_choices"]


@settings(max_examples=60)
@given(st.lists(questions(), min_size=1, max_size=4))
def test_csv_export_round_trips_through_the_spreadsheet_importer(bank):
    header, rows = importer.read_csv("".join(importer.export_rows(bank)).encode())
    parsed = importer.parse_sheet(header, rows, UNITS)
    fields = tuple(name for name in XML_FIELDS if name != "correct_answer_text")
    assert parsed.errors == []
    assert [_content(q, fields) for q in parsed.questions] == [_content(q, fields) for q in bank]


def test_a_moodle_default_category_leaves_class_and_unit_to_the_defaults():
    text = b"$CATEGORY: $course$/top/Default for Maths\n\nWhat is $1+1$?{=2 ~3}\n"
    parsed = read("gift", text, {"class": "X", "unit": "Real Numbers"})
    assert parsed.errors == []
    assert (parsed.questions[0]["class"], parsed.questions[0]["unit"]) == ("X", "Real Numbers")


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("XII/Integrals", ("XII", "Integrals")),
        ("$course$/top/XII/Integrals", ("XII", "Integrals")),
        ("$course$/X/Surface Areas and Volumes", ("X", "Surface Areas and Volumes")),
        ("$course$/X/Either//Or", ("X", "Either/Or")),
        ("$course$/top", None),
    ],
)
def test_category_paths(path, expected):
    assert interchange.read_category(path) == expected
    if expected:
        assert interchange.read_category(interchange.category_path(*expected)) == expected


def test_gift_writes_windows_line_ends_as_line_breaks_on_one_line():
    assert gift.escape("a\r\nb\rc") == "a\\nb\\nc"
