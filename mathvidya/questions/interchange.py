"""What GIFT, Aiken and Moodle XML files share on their way in and out of the bank (pure).

A format module (gift.py, aiken.py, moodle_xml.py) turns a file into ``Draft`` entries —
the raw class, unit, type, marks and difficulty as the file gave them, the content it
carried, and the problems only the format can see — and ``check_drafts`` turns those into
questions and per-entry problems with the same rules as a spreadsheet (importer.py,
rules.py). On the way out, ``export_problem`` says why a question cannot be written in a
format, and the ``mv:`` metadata convention carries what the formats have no field for.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from mathvidya.questions import importer, rules

IMPORT_FORMATS = ("csv", "xlsx", "gift", "aiken", "moodle_xml")
EXPORT_FORMATS = ("gift", "aiken", "moodle_xml", "csv")
FORMAT_BY_SUFFIX = {".csv": "csv", ".xlsx": "xlsx", ".gift": "gift", ".aiken": "aiken", ".xml": "moodle_xml"}
NUMBERED_BY = {"gift": "line", "aiken": "line", "moodle_xml": "index", "csv": "row", "xlsx": "row"}
MV_KEYS = ("type", "marks", "difficulty", "tags", "cbse_year")
CATEGORY_ROOTS = ("$course$", "$system$", "$module$", "$cat1$", "top")
CHUNK_CHARS = 64 * 1024

FileRefused = importer.FileRefused


@dataclass
class Draft:
    """One entry of a file as read, before the bank's rules: ``position`` is its line (GIFT,
    Aiken) or 1-based index (XML); ``described`` holds class, unit, question_type, marks and
    difficulty as text (missing ones come from the import's defaults)."""

    position: int
    described: dict[str, str] = field(default_factory=dict)
    content: dict[str, Any] = field(default_factory=dict)
    problems: list[tuple[str, str]] = field(default_factory=list)

    def refuse(self, column: str, reason: str) -> None:
        self.problems.append((column, reason))


# ---------------------------------------------------------------------------------------
# Which format
# ---------------------------------------------------------------------------------------
def format_of(file_name: str, declared: str | None) -> str:
    """The declared format, else the one the file name's suffix names."""
    if declared:
        return declared
    name = (file_name or "").lower().strip()
    for suffix, file_format in FORMAT_BY_SUFFIX.items():
        if name.endswith(suffix):
            return file_format
    if name.endswith((".xls", ".ods", ".numbers")):
        raise FileRefused("save the spreadsheet as .xlsx or .csv (UTF-8) first")
    raise FileRefused(
        "must be a .csv, .xlsx, .gift or .xml file, or name its format in the `format` field "
        f"({', '.join(IMPORT_FORMATS)})"
    )


def decode_text(data: bytes, format_name: str) -> str:
    """A text file (GIFT, Aiken) as text: UTF-8, an optional BOM, any line ends."""
    if b"\x00" in data:
        raise FileRefused(f"is not a {format_name} text file (it contains NUL bytes)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileRefused(f"a {format_name} file must be UTF-8 text (byte {exc.start} is not)") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


# ---------------------------------------------------------------------------------------
# Drafts → questions
# ---------------------------------------------------------------------------------------
def check_drafts(
    drafts: Iterable[Draft],
    defaults: Mapping[str, Any],
    units_by_class: Mapping[str, list[str]],
    numbered_by: str,
) -> importer.ParsedSheet:
    """Every entry checked like a spreadsheet row; good ones become questions (with their
    position as ``row_number``), the others problems naming their field."""
    parsed = importer.ParsedSheet()
    for count, draft in enumerate(drafts, start=1):
        if count > importer.MAX_ROWS:
            raise FileRefused(f"at most {importer.MAX_ROWS} questions per file")
        parsed.total_rows += 1
        question, problems = _check_draft(draft, defaults, units_by_class)
        if problems:
            parsed.errors.extend(importer.RowProblem(draft.position, c, r, numbered_by) for c, r in problems)
        else:
            parsed.questions.append(question)
    parsed.warnings.extend(importer.repeats_within_file(parsed.questions, "question_text", numbered_by))
    parsed.warnings.sort(key=lambda problem: problem.row)
    return parsed


def _check_draft(
    draft: Draft, defaults: Mapping[str, Any], units_by_class: Mapping[str, list[str]]
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    problems = list(draft.problems)
    if problems:
        return {}, problems
    raw = {name: draft.described.get(name) or _default(defaults, name) for name in ("class", "unit", "question_type")}
    raw["difficulty"] = draft.described.get("difficulty") or ""
    raw["marks"] = draft.described.get("marks") or ""
    if not raw["marks"] and raw["question_type"].upper() not in ("", "MCQ"):
        raw["marks"] = _default(defaults, "marks")
    described = importer.read_description(raw, units_by_class, lambda c, r: problems.append((c, r)))
    content = draft.content
    question = {
        "row_number": draft.position,
        "class": described["class"],
        "unit": described["unit"],
        "topic": content.get("topic") or None,
        "question_type": described["question_type"],
        "marks": described["marks"],
        "difficulty": described["difficulty"],
        "question_text": content.get("question_text") or None,
        "question_image_key": None,
        "diagram_image_key": None,
        "mcq_choices": content.get("mcq_choices") or None,
        "mcq_correct_choices": content.get("mcq_correct_choices") or None,
        "correct_answer_text": content.get("correct_answer_text") or None,
        "explanation": content.get("explanation") or None,
        "tags": rules.clean_tags(tag.lower() for tag in content.get("tags") or []),
        "cbse_year": content.get("cbse_year"),
        "marking_scheme": content.get("marking_scheme") or None,
    }
    if not problems:
        for field_name, messages in rules.question_problems(question, described["units"]).items():
            problems.extend((field_name, message) for message in messages)
    return question, problems


def _default(defaults: Mapping[str, Any], name: str) -> str:
    value = defaults.get(name)
    return "" if value is None else str(value)


# ---------------------------------------------------------------------------------------
# Categories: <class>/<unit>, optionally under $course$/ (Moodle writes "/" in a name as "//")
# ---------------------------------------------------------------------------------------
def category_path(klass: str, unit: str) -> str:
    return f"$course$/{klass}/{unit.replace('/', '//')}"


def read_category(path: str) -> tuple[str, str] | None:
    """(class, unit) of a category path such as `XII/Integrals` or `$course$/XII/Integrals`;
    None when it has fewer than two parts (Moodle's `$course$/top/Default for …`): the
    import's `class` and `unit` fields then apply."""
    parts = [part.replace("\x00", "/") for part in path.strip().replace("//", "\x00").split("/")]
    while parts and parts[0].strip() in CATEGORY_ROOTS:
        parts.pop(0)
    parts = [part.strip() for part in parts if part.strip()]
    if len(parts) < 2:
        return None
    return parts[-2], parts[-1]


# ---------------------------------------------------------------------------------------
# mv: metadata — `mv: type=SA marks=3 difficulty=hard tags=a,b cbse_year=2023`
# ---------------------------------------------------------------------------------------
def read_mv(text: str, draft: Draft) -> None:
    """Apply one `mv:` metadata line (after the `mv:`) to a draft; bad parts become problems."""
    try:
        words = shlex.split(text, posix=True)
    except ValueError as exc:
        draft.refuse("mv", f"unreadable mv: metadata ({exc})")
        return
    for word in words:
        key, equals, value = word.partition("=")
        key = key.strip().lower()
        if not equals or key not in MV_KEYS:
            draft.refuse("mv", f"{word!r} is not one of {', '.join(k + '=…' for k in MV_KEYS)}")
        elif key == "tags":
            draft.content["tags"] = [tag.strip() for tag in value.split(",") if tag.strip()]
        elif key == "cbse_year":
            if not value.isdigit() or len(value) != 4:
                draft.refuse("cbse_year", f"must be a year, not {value!r}")
            else:
                draft.content["cbse_year"] = int(value)
        else:
            draft.described["question_type" if key == "type" else key] = value.strip()


def write_mv(question: Mapping[str, Any]) -> str:
    """The `mv:` metadata of a question (without the `mv:`), every value quoted as needed."""
    parts = [
        f"type={question['question_type']}",
        f"marks={format_number(question['marks'])}",
        f"difficulty={question.get('difficulty') or 'medium'}",
    ]
    if question.get("tags"):
        parts.append("tags=" + shlex.quote(",".join(question["tags"])))
    if question.get("cbse_year"):
        parts.append(f"cbse_year={question['cbse_year']}")
    return " ".join(parts)


def format_number(value: Any) -> str:
    """2, 0.5, 33.33333: no trailing zeros, at most 5 decimals."""
    amount = Decimal(str(value)).quantize(Decimal("0.00001"))
    text = format(amount.normalize(), "f")
    return text


def read_number(raw: str) -> Decimal | None:
    try:
        amount = Decimal(raw.strip())
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


# ---------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------
def export_problem(question: Mapping[str, Any], export_format: str) -> str | None:
    """Why a question cannot be written in a format (None when it can). A question without
    text could never be recognised as a duplicate on the way back, so no format takes it."""
    if not (question.get("question_text") or "").strip():
        return "it has no text (an image-only question)"
    choices = question.get("mcq_choices") or []
    if any(not (choice.get("text") or "").strip() for choice in choices):
        return "an option has only an image"
    if export_format == "aiken":
        if question["question_type"] != "MCQ":
            return "Aiken carries only MCQs"
        if len(question.get("mcq_correct_choices") or []) != 1:
            return "Aiken carries only MCQs with one correct option"
    if export_format == "moodle_xml" and any(_xml_unsafe(text) for text in _texts(question)):
        return "its text holds control characters XML cannot carry"
    return None


def _texts(question: Mapping[str, Any]) -> Iterator[str]:
    for name in ("topic", "question_text", "correct_answer_text", "explanation"):
        if question.get(name):
            yield question[name]
    for choice in question.get("mcq_choices") or []:
        yield choice.get("text") or ""
    for step in question.get("marking_scheme") or []:
        yield step.get("step") or ""
    yield from question.get("tags") or []


def _xml_unsafe(text: str) -> bool:
    return any((ord(ch) < 0x20 and ch not in "\t\n\r") or 0xFFFE <= ord(ch) <= 0xFFFF for ch in text)


def chunked(pieces: Iterable[str], size: int = CHUNK_CHARS) -> Iterator[bytes]:
    """UTF-8 chunks of about ``size`` characters (fewer, larger writes than one per question)."""
    buffer: list[str] = []
    length = 0
    for piece in pieces:
        buffer.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(buffer).encode("utf-8")
            buffer, length = [], 0
    if buffer:
        yield "".join(buffer).encode("utf-8")
