"""Reading a question spreadsheet (CSV or XLSX) into questions and per-row problems.

Pure: bytes in, rows out; no database, no storage. The column layout is the one of the
shared sample (Class, Chapter/Unit, Question Type, Topic, Difficulty, Marks, Question Text
in LaTeX, Option A text … Option D text, Correct option and answer, Explanation or
solution text in LaTeX, image); headers are matched case- and spacing-insensitively and a
few plainer synonyms are accepted. Rows are numbered as a spreadsheet shows them: the
header is row 1, the first question row 2.
"""

from __future__ import annotations

import csv
import io
import re
import string
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from mathvidya.questions import rules

MAX_ROWS = 20_000
MAX_COLUMNS = 60
OPTION_LETTERS = string.ascii_uppercase[: rules.MAX_CHOICES]
FIRST_DATA_ROW = 2

# canonical column → accepted headers (lower-cased, spaces collapsed)
COLUMN_SYNONYMS: dict[str, tuple[str, ...]] = {
    "class": ("class",),
    "unit": ("chapter/unit", "unit", "chapter", "chapter / unit"),
    "question_type": ("question type", "type"),
    "topic": ("topic",),
    "difficulty": ("difficulty",),
    "marks": ("marks",),
    "question_text": ("question text in latex", "question text", "question"),
    "correct": ("correct option and answer", "correct answer", "answer", "correct option"),
    "explanation": ("explanation or solution text in latex", "explanation", "solution"),
    "question_image_key": ("image", "question image", "image key"),
    "tags": ("tags",),
    "cbse_year": ("cbse year", "year"),
}
REQUIRED_COLUMNS = ("class", "unit", "question_type")
CLASS_ALIASES = {
    "xii": "XII",
    "12": "XII",
    "class xii": "XII",
    "class 12": "XII",
    "x": "X",
    "10": "X",
    "class x": "X",
    "class 10": "X",
}
OPTION_HEADER_RE = re.compile(r"^option ([a-j])(?: text)?$")
STEP_HEADER_RE = re.compile(r"^(?:scheme )?step (\d{1,2})(?: (text|marks))?$")
LABEL_SPLIT_RE = re.compile(r"\s*(?:[;/&+]|\band\b)\s*", re.IGNORECASE)
XLSX_MAGIC = b"PK\x03\x04"


class FileRefused(ValueError):
    """The file as a whole cannot be read (wrong type, no header, missing columns)."""


@dataclass(frozen=True)
class RowProblem:
    """One problem of one entry: ``row`` is its number as the file counts entries — a
    spreadsheet row, a text file's line, or a position in an XML file (``numbered_by``)."""

    row: int
    column: str
    reason: str
    numbered_by: str = "row"

    def as_dict(self) -> dict[str, Any]:
        return {self.numbered_by: self.row, "column": self.column, "reason": self.reason}


@dataclass
class ParsedSheet:
    """Good questions (each with its `row_number`), and the problems of the other rows."""

    questions: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)
    total_rows: int = 0

    @property
    def bad_rows(self) -> list[int]:
        return sorted({problem.row for problem in self.errors})


# ---------------------------------------------------------------------------------------
# Files → header and rows of strings
# ---------------------------------------------------------------------------------------
def read_table(filename: str, data: bytes) -> tuple[list[str], list[list[str]]]:
    """The header and data rows of a .csv or .xlsx file (by name, checked against the bytes)."""
    name = (filename or "").lower().strip()
    if name.endswith(".csv"):
        return read_csv(data)
    if name.endswith(".xlsx"):
        return read_xlsx(data)
    if name.endswith((".xls", ".ods", ".numbers")):
        raise FileRefused("save the spreadsheet as .xlsx or .csv (UTF-8) first")
    raise FileRefused("must be a .csv or .xlsx file")


def read_csv(data: bytes) -> tuple[list[str], list[list[str]]]:
    if data.startswith(XLSX_MAGIC) or b"\x00" in data:
        raise FileRefused("is not a CSV text file (is it a workbook? name it .xlsx)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileRefused(f"a CSV file must be UTF-8 text (byte {exc.start} is not)") from None
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise FileRefused(f"is not a readable CSV file: {exc}") from None
    return _split_header(records)


def read_xlsx(data: bytes) -> tuple[list[str], list[list[str]]]:
    """The first worksheet of a workbook (openpyxl, read-only, cached values of formulas)."""
    if not data.startswith(XLSX_MAGIC) or not zipfile.is_zipfile(io.BytesIO(data)):
        raise FileRefused("is not an XLSX workbook")
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise FileRefused(f"could not be read as an XLSX workbook ({type(exc).__name__})") from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise FileRefused("the workbook has no worksheet")
        records: list[list[str]] = []
        for values in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
            cells = [_cell_text(value) for value in values]
            while cells and not cells[-1]:
                cells.pop()
            records.append(cells)
            if len(records) > MAX_ROWS + 1:
                break
    finally:
        workbook.close()
    return _split_header(records)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _split_header(records: list[list[str]]) -> tuple[list[str], list[list[str]]]:
    while records and not any(cell.strip() for cell in records[-1]):
        records.pop()
    if not records or not any(cell.strip() for cell in records[0]):
        raise FileRefused("the first row must be the header (Class, Chapter/Unit, Question Type, …)")
    if len(records) - 1 > MAX_ROWS:
        raise FileRefused(f"at most {MAX_ROWS} question rows per file")
    return records[0], records[1:]


# ---------------------------------------------------------------------------------------
# Header → column positions
# ---------------------------------------------------------------------------------------
def _header_key(header: str) -> str:
    return " ".join(header.split()).lower()


@dataclass(frozen=True)
class Columns:
    """Where each known column sits, and the header text a report names it by."""

    index: dict[str, int]
    title: dict[str, str]
    options: list[tuple[str, int, str]]  # (label, position, header)
    steps: dict[int, dict[str, tuple[int, str]]] = field(default_factory=dict)  # n → {"text"|"marks": (pos, header)}

    def name(self, column: str) -> str:
        return self.title.get(column, column)


def map_columns(header: Sequence[str]) -> Columns:
    index: dict[str, int] = {}
    title: dict[str, str] = {}
    options: dict[str, tuple[int, str]] = {}
    steps: dict[int, dict[str, tuple[int, str]]] = {}
    for position, raw in enumerate(header):
        key = _header_key(raw)
        option = OPTION_HEADER_RE.match(key)
        if option:
            options.setdefault(option.group(1).upper(), (position, raw.strip()))
            continue
        step = STEP_HEADER_RE.match(key)
        if step and 1 <= int(step.group(1)) <= rules.MAX_SCHEME_STEPS:
            steps.setdefault(int(step.group(1)), {}).setdefault(step.group(2) or "text", (position, raw.strip()))
            continue
        for column, synonyms in COLUMN_SYNONYMS.items():
            if key in synonyms and column not in index:
                index[column] = position
                title[column] = raw.strip()
                break
    missing = [COLUMN_SYNONYMS[c][0] for c in REQUIRED_COLUMNS if c not in index]
    if "question_text" not in index and "question_image_key" not in index:
        missing.append("question text in latex")
    if missing:
        raise FileRefused(f"missing columns: {', '.join(missing)}")
    ordered = [(label, *options[label]) for label in OPTION_LETTERS if label in options]
    return Columns(index=index, title=title, options=ordered, steps=dict(sorted(steps.items())))


# ---------------------------------------------------------------------------------------
# Rows → questions
# ---------------------------------------------------------------------------------------
def parse_sheet(header: Sequence[str], rows: Iterable[Sequence[str]], units_by_class: Mapping[str, list[str]]):
    """Every row checked; good ones become questions, bad ones problems naming their column."""
    columns = map_columns(header)
    parsed = ParsedSheet()
    for offset, cells in enumerate(rows):
        row_number = FIRST_DATA_ROW + offset
        if not any(str(cell).strip() for cell in cells):
            continue
        parsed.total_rows += 1
        question, errors, warnings = parse_row(row_number, cells, columns, units_by_class)
        parsed.warnings.extend(warnings)
        if errors:
            parsed.errors.extend(errors)
        else:
            parsed.questions.append(question)
    parsed.warnings.extend(repeats_within_file(parsed.questions, columns.name("question_text")))
    parsed.warnings.sort(key=lambda problem: problem.row)
    return parsed


def repeats_within_file(
    questions: list[dict[str, Any]], text_column: str, numbered_by: str = "row"
) -> list[RowProblem]:
    """Entries repeating an earlier entry's class, unit, type and text: both are imported
    (they may differ in their options), but a person should look."""
    first_row: dict[tuple, int] = {}
    warnings = []
    for question in questions:
        text = rules.normalised_text(question.get("question_text"))
        if not text:
            continue
        key = (question["class"], question["unit"], question["question_type"], text)
        if key in first_row:
            reason = f"repeats {numbered_by} {first_row[key]} (same class, unit, type and text); both are kept"
            warnings.append(RowProblem(question["row_number"], text_column, reason, numbered_by))
        else:
            first_row[key] = question["row_number"]
    return warnings


def _cell(cells: Sequence[str], position: int | None) -> str:
    if position is None or position >= len(cells):
        return ""
    return str(cells[position]).strip()


def parse_row(
    row_number: int, cells: Sequence[str], columns: Columns, units_by_class: Mapping[str, list[str]]
) -> tuple[dict[str, Any], list[RowProblem], list[RowProblem]]:
    """One row: the question it describes, its errors, and its warnings (kept, not refused)."""
    errors: list[RowProblem] = []
    warnings: list[RowProblem] = []

    def value(column: str) -> str:
        return _cell(cells, columns.index.get(column))

    if any("\x00" in str(cell) for cell in cells):
        return {}, [RowProblem(row_number, "row", "contains a NUL (U+0000) character")], []

    def refuse(column: str, reason: str) -> None:
        errors.append(RowProblem(row_number, columns.name(column), reason))

    described = read_description(
        {name: value(name) for name in ("class", "unit", "question_type", "marks", "difficulty")},
        units_by_class,
        refuse,
    )
    klass, unit, units = described["class"], described["unit"], described["units"]
    question_type, marks, difficulty = described["question_type"], described["marks"], described["difficulty"]

    choices = _parse_choices(cells, columns, refuse) if question_type == "MCQ" else None
    if question_type and question_type != "MCQ":
        filled = [header for _label, position, header in columns.options if _cell(cells, position)]
        if filled:
            errors.append(
                RowProblem(row_number, filled[0], f"only MCQ questions have options (this is {question_type})")
            )
    correct_labels, answer_text = _parse_correct(value("correct"), question_type, choices, refuse)
    if question_type == "MCQ" and choices and correct_labels and len(correct_labels) == 1 and answer_text:
        chosen = next((c for c in choices if c["label"] == correct_labels[0]), None)
        if chosen and _loose(chosen.get("text")) != _loose(answer_text):
            warnings.append(
                RowProblem(
                    row_number,
                    columns.name("correct"),
                    f"the answer text differs from option {correct_labels[0]}'s text",
                )
            )

    cbse_year = None
    raw_year = value("cbse_year")
    if raw_year:
        if re.fullmatch(r"\d{4}", raw_year):
            cbse_year = int(raw_year)
        else:
            refuse("cbse_year", f"must be a year, not {raw_year!r}")

    scheme = _parse_scheme(cells, columns, question_type, refuse)
    question = {
        "row_number": row_number,
        "class": klass,
        "unit": unit,
        "topic": value("topic") or None,
        "question_type": question_type,
        "marks": marks,
        "difficulty": difficulty,
        "question_text": value("question_text") or None,
        "question_image_key": value("question_image_key") or None,
        "diagram_image_key": None,
        "mcq_choices": choices,
        "mcq_correct_choices": correct_labels,
        "correct_answer_text": answer_text or None,
        "explanation": value("explanation") or None,
        "tags": rules.clean_tags(t.lower() for t in re.split(r"[,;]", value("tags")) if t.strip()),
        "cbse_year": cbse_year,
        "marking_scheme": scheme,
    }
    if not errors:
        for field_name, messages in rules.question_problems(question, units).items():
            for message in messages:
                refuse(_column_of(field_name), message)
    return question, errors, warnings


def read_description(raw: Mapping[str, str], units_by_class: Mapping[str, list[str]], refuse) -> dict[str, Any]:
    """Class, unit, type, marks and difficulty from their text (any file format): each
    bad one reported through ``refuse(field, reason)``; ``units`` is the class's list."""
    raw_class = raw.get("class") or ""
    klass = CLASS_ALIASES.get(" ".join(raw_class.split()).lower())
    if klass is None:
        refuse("class", f"{raw_class!r} is not a class (X or XII)" if raw_class else "is required (X or XII)")
    units = units_by_class.get(klass or "", [])
    raw_unit = raw.get("unit") or ""
    unit = rules.normalise_unit(raw_unit, units) if raw_unit else None
    if not raw_unit:
        refuse("unit", "is required")
    elif klass and unit is None:
        refuse("unit", f"{raw_unit!r} is not a Class {klass} unit")
    raw_type = raw.get("question_type") or ""
    question_type = raw_type.upper() if raw_type.upper() in rules.QUESTION_TYPES else None
    if question_type is None:
        refuse(
            "question_type",
            f"must be one of {', '.join(rules.QUESTION_TYPES)}" + (f", not {raw_type!r}" if raw_type else ""),
        )
    marks = _parse_marks(raw.get("marks") or "", question_type, refuse)
    raw_difficulty = (raw.get("difficulty") or "").lower()
    difficulty = raw_difficulty or "medium"
    if difficulty not in rules.DIFFICULTIES:
        refuse("difficulty", f"must be one of {', '.join(rules.DIFFICULTIES)}, not {raw_difficulty!r}")
    return {
        "class": klass,
        "unit": unit,
        "units": units,
        "question_type": question_type,
        "marks": marks,
        "difficulty": difficulty,
    }


def _column_of(field_name: str) -> str:
    return {"mcq_choices": "options", "mcq_correct_choices": "correct", "marking_scheme": "Step 1"}.get(
        field_name, field_name
    )


def _parse_scheme(cells: Sequence[str], columns: Columns, question_type: str | None, refuse) -> list[dict] | None:
    """`Step 1` / `Step 1 marks` … `Step 10` / `Step 10 marks` → the marking scheme (None when all empty)."""
    scheme = []
    for number, parts in columns.steps.items():
        text_at, marks_at = parts.get("text"), parts.get("marks")
        text = _cell(cells, text_at[0]) if text_at else ""
        raw_marks = _cell(cells, marks_at[0]) if marks_at else ""
        if not text and not raw_marks:
            continue
        if not text or not raw_marks:
            missing = f"Step {number}" if not text else f"Step {number} marks"
            refuse(missing, f"step {number} needs both its text (Step {number}) and its marks (Step {number} marks)")
            return None
        try:
            marks = Decimal(raw_marks)
        except InvalidOperation:
            refuse(marks_at[1], f"must be a number, not {raw_marks!r}")
            return None
        if not marks.is_finite():
            refuse(marks_at[1], f"must be a number, not {raw_marks!r}")
            return None
        scheme.append({"step": text, "marks": int(marks) if marks == marks.to_integral_value() else float(marks)})
    if scheme and question_type == "MCQ":
        refuse("Step 1", "MCQs are marked by their key and carry no marking scheme")
        return None
    return scheme or None


def _loose(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


def _parse_marks(raw: str, question_type: str | None, refuse) -> int | float | None:
    if not raw:
        return rules.MARKS_BY_TYPE[question_type][0] if question_type else None
    try:
        marks = Decimal(raw)
    except InvalidOperation:
        refuse("marks", f"must be a number, not {raw!r}")
        return None
    if not marks.is_finite():
        refuse("marks", f"must be a number, not {raw!r}")
        return None
    if question_type and not rules.marks_match_type(question_type, marks):
        refuse("marks", rules.marks_message(question_type))
        return None
    return int(marks) if marks == marks.to_integral_value() else float(marks)


def _parse_choices(cells: Sequence[str], columns: Columns, refuse) -> list[dict[str, Any]] | None:
    if not columns.options:
        refuse("options", "an MCQ needs Option A text, Option B text, … columns")
        return None
    filled = [(label, _cell(cells, position), header) for label, position, header in columns.options]
    last = max((i for i, (_l, text, _h) in enumerate(filled) if text), default=-1)
    choices = []
    for expected, (label, text, header) in zip(OPTION_LETTERS, filled[: last + 1], strict=False):
        if label != expected:
            refuse(f"Option {expected} text", "options must be consecutive from A (this column is missing)")
            return None
        if not text:
            refuse(header, f"options must be consecutive from A (option {label} is empty but a later one is not)")
            return None
        choices.append({"label": label, "text": text})
    if len(choices) < 2:
        refuse("options", "an MCQ needs at least 2 options (Option A text, Option B text)")
        return None
    return choices


def _parse_correct(
    raw: str, question_type: str | None, choices: list[dict] | None, refuse
) -> tuple[list[str] | None, str | None]:
    """`B, answer text` (or `A;C, …`) for an MCQ; the whole cell is the answer text otherwise."""
    if question_type != "MCQ":
        return None, raw or None
    if not raw:
        refuse("correct", "an MCQ needs its correct option letter, e.g. 'B, <answer text>'")
        return None, None
    labels: list[str] = []
    parts = raw.split(",")
    taken = 0
    for part in parts:
        letters = [p.strip() for p in LABEL_SPLIT_RE.split(part.strip())]
        if letters and all(len(p) == 1 and p.upper() in OPTION_LETTERS for p in letters):
            labels.extend(p.upper() for p in letters)
            taken += 1
        else:
            break
    if not labels:
        refuse("correct", f"must start with the correct option letter(s), e.g. 'B, <answer text>'; got {raw[:40]!r}")
        return None, None
    answer_text = ",".join(parts[taken:]).strip() or None
    known = [c["label"] for c in choices or []]
    unknown = [label for label in labels if known and label not in known]
    if unknown:
        refuse("correct", f"option {', '.join(unknown)} is not among the options ({', '.join(known)})")
        return None, None
    return list(dict.fromkeys(labels)), answer_text


# ---------------------------------------------------------------------------------------
# Questions → rows (export in the layout this module reads)
# ---------------------------------------------------------------------------------------
EXPORT_HEADER = [
    "Class",
    "Chapter/Unit",
    "Question Type",
    "Topic",
    "Difficulty",
    "Marks",
    "Question Text in LaTeX",
    *(f"Option {label} text" for label in OPTION_LETTERS),
    "Correct option and answer",
    "Explanation or solution text in LaTeX",
    "image",
    "Tags",
    "CBSE Year",
    *(header for n in range(1, rules.MAX_SCHEME_STEPS + 1) for header in (f"Step {n}", f"Step {n} marks")),
]


def export_rows(questions: Iterable[Mapping[str, Any]]) -> Iterable[str]:
    """A CSV file (header, then one row per question) that ``parse_sheet`` reads back."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_HEADER)
    yield _take(out)
    for question in questions:
        writer.writerow(export_row(question))
        yield _take(out)


def _take(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def export_row(question: Mapping[str, Any]) -> list[str]:
    choices = {choice["label"]: choice.get("text") or "" for choice in question.get("mcq_choices") or []}
    answer = question.get("correct_answer_text") or ""
    if question["question_type"] == "MCQ":
        answer = ", ".join([*(question.get("mcq_correct_choices") or []), *([answer] if answer else [])])
    steps = list(question.get("marking_scheme") or [])
    step_cells = []
    for n in range(rules.MAX_SCHEME_STEPS):
        step = steps[n] if n < len(steps) else None
        step_cells += [step["step"], _number(step["marks"])] if step else ["", ""]
    return [
        question["class"],
        question["unit"],
        question["question_type"],
        question.get("topic") or "",
        question.get("difficulty") or "",
        _number(question["marks"]),
        question.get("question_text") or "",
        *(choices.get(label, "") for label in OPTION_LETTERS),
        answer,
        question.get("explanation") or "",
        question.get("question_image_key") or "",
        ", ".join(question.get("tags") or []),
        str(question["cbse_year"]) if question.get("cbse_year") else "",
        *step_cells,
    ]


def _number(value: Any) -> str:
    amount = Decimal(str(value))
    return str(int(amount)) if amount == amount.to_integral_value() else format(amount.normalize(), "f")
