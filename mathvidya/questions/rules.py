"""The rules a question must satisfy before it is stored (pure: no I/O).

The database refuses the worst of these too (CHECK constraints in 0001); these functions
exist to name the broken rule per field, so a client sees every problem at once.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

CLASSES = ("X", "XII")
QUESTION_TYPES = ("MCQ", "VSA", "SA", "LA", "CASE")
DIFFICULTIES = ("easy", "medium", "hard")
STATUSES = ("draft", "active", "archived")
MARKS_BY_TYPE: dict[str, tuple[int, ...]] = {"MCQ": (1,), "VSA": (2,), "SA": (3,), "LA": (5, 6), "CASE": (4,)}
UNIT_SETTING_BY_CLASS = {"X": "cbse_units_class_x", "XII": "cbse_units_class_xii"}

IMAGE_KEY_PREFIX = "question-images/"
IMAGE_KEY_FIELDS = ("question_image_key", "diagram_image_key", "correct_answer_image_key", "explanation_image_key")
MAX_CHOICES = 10
MAX_TAGS = 20
MAX_TAG_LENGTH = 50
MAX_TEXT_LENGTH = 20_000
MAX_TOPIC_LENGTH = 200
MIN_CBSE_YEAR, MAX_CBSE_YEAR = 1950, 2200
IMAGE_KEY_RE = re.compile(r"^question-images/[A-Za-z0-9._\-/]+$")

# The content a version records: everything a question says, nothing about its workflow.
CONTENT_FIELDS = (
    "class",
    "unit",
    "topic",
    "question_type",
    "marks",
    "difficulty",
    "question_text",
    "question_image_key",
    "diagram_image_key",
    "mcq_choices",
    "mcq_correct_choices",
    "correct_answer_text",
    "correct_answer_image_key",
    "explanation",
    "explanation_image_key",
    "tags",
    "cbse_year",
    "marking_scheme",
)
MAX_SCHEME_STEPS = 10
MAX_STEP_TEXT = 300
MAX_STEP_MARKS = 6  # no question carries more

Problems = dict[str, list[str]]


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _add(problems: Problems, field: str, message: str) -> None:
    problems.setdefault(field, []).append(message)


def expected_labels(count: int) -> list[str]:
    """A, B, C … for ``count`` choices."""
    return list(string.ascii_uppercase[:count])


def marks_message(question_type: str) -> str:
    allowed = MARKS_BY_TYPE[question_type]
    if len(allowed) == 1:
        return f"a {question_type} question carries {allowed[0]} mark{'s' if allowed[0] != 1 else ''}"
    return f"a {question_type} question carries {' or '.join(str(m) for m in allowed)} marks"


def marks_match_type(question_type: str, marks: Any) -> bool:
    try:
        value = Decimal(str(marks))
    except (InvalidOperation, ValueError):
        return False
    return question_type in MARKS_BY_TYPE and value in {Decimal(m) for m in MARKS_BY_TYPE[question_type]}


def normalise_unit(unit: str, units: Iterable[str]) -> str | None:
    """The canonical unit name matching ``unit`` (case and spacing forgiven), or None."""
    wanted = " ".join(unit.split()).casefold()
    for candidate in units:
        if " ".join(candidate.split()).casefold() == wanted:
            return candidate
    return None


def image_key_problem(key: Any) -> str | None:
    """Question images live under question-images/; anything else could expose other files."""
    if key is None:
        return None
    if not isinstance(key, str) or not IMAGE_KEY_RE.match(key) or ".." in key or "//" in key:
        return f"must be a key under {IMAGE_KEY_PREFIX} (from POST /questions/image-upload-url)"
    return None


def _check_choices(question: Mapping[str, Any], problems: Problems) -> None:
    choices = question.get("mcq_choices")
    correct = question.get("mcq_correct_choices")
    if question.get("question_type") != "MCQ":
        if choices:
            _add(problems, "mcq_choices", "only MCQ questions have choices")
        if correct:
            _add(problems, "mcq_correct_choices", "only MCQ questions have correct choices")
        return
    labels: list[str] = []
    if not isinstance(choices, list) or len(choices) < 2:
        _add(problems, "mcq_choices", "an MCQ needs at least 2 choices")
    elif len(choices) > MAX_CHOICES:
        _add(problems, "mcq_choices", f"an MCQ has at most {MAX_CHOICES} choices")
    else:
        labels = [str(choice.get("label", "")) if isinstance(choice, Mapping) else "" for choice in choices]
        expected = expected_labels(len(choices))
        if len(set(labels)) != len(labels):
            repeated = sorted({label for label in labels if labels.count(label) > 1})
            _add(problems, "mcq_choices", f"choice labels must be unique (repeated: {', '.join(repeated)})")
        elif labels != expected:
            _add(
                problems,
                "mcq_choices",
                f"choice labels must be {', '.join(expected)} in order (got {', '.join(labels)})",
            )
        for index, choice in enumerate(choices):
            if not isinstance(choice, Mapping):
                _add(problems, "mcq_choices", f"choice {index + 1} must be an object")
                continue
            if _blank(choice.get("text")) and _blank(choice.get("image_key")):
                _add(problems, "mcq_choices", f"choice {choice.get('label') or index + 1} needs text or an image")
            key_problem = image_key_problem(choice.get("image_key"))
            if key_problem:
                _add(problems, "mcq_choices", f"choice {choice.get('label') or index + 1} image_key {key_problem}")
    if not isinstance(correct, list) or not correct:
        _add(problems, "mcq_correct_choices", "an MCQ needs at least one correct choice label")
        return
    if len(set(correct)) != len(correct):
        _add(problems, "mcq_correct_choices", "correct labels must not repeat")
    unknown = [label for label in correct if label not in labels]
    if labels and unknown:
        _add(
            problems,
            "mcq_correct_choices",
            f"{', '.join(str(label) for label in unknown)} is not a choice label (choices: {', '.join(labels)})",
        )


def _check_tags(tags: Any, problems: Problems) -> None:
    if tags is None:
        return
    if not isinstance(tags, list):
        _add(problems, "tags", "must be a list of strings")
        return
    if len(tags) > MAX_TAGS:
        _add(problems, "tags", f"at most {MAX_TAGS} tags")
    for tag in tags:
        if not isinstance(tag, str) or not tag.strip():
            _add(problems, "tags", "every tag must be a non-empty string")
            break
        if len(tag) > MAX_TAG_LENGTH:
            _add(problems, "tags", f"every tag must be at most {MAX_TAG_LENGTH} characters")
            break


def contains_nul(value: Any) -> bool:
    """PostgreSQL text and jsonb cannot hold U+0000; such input is refused, never a 500."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, Mapping):
        return any(contains_nul(k) or contains_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(contains_nul(item) for item in value)
    return False


def nul_problems(data: Mapping[str, Any]) -> Problems:
    return {field: ["must not contain NUL (U+0000) characters"] for field, value in data.items() if contains_nul(value)}


def marking_scheme_problems(scheme: Any, question_type: Any, marks: Any) -> list[str]:
    """A step-mark scheme: 1–10 steps of text (1–300 characters) and marks (positive multiples
    of 0.5) adding up to the question's marks; written questions only. None means no scheme."""
    if scheme is None:
        return []
    if question_type == "MCQ":
        return ["MCQs are marked by their key and carry no marking scheme"]
    if not isinstance(scheme, list) or not scheme:
        return ["a marking scheme needs at least one step (send null for none)"]
    if len(scheme) > MAX_SCHEME_STEPS:
        return [f"a marking scheme has at most {MAX_SCHEME_STEPS} steps"]
    problems, total = [], Decimal(0)
    for number, item in enumerate(scheme, start=1):
        step = item.get("step") if isinstance(item, Mapping) else None
        value = item.get("marks") if isinstance(item, Mapping) else None
        if not isinstance(step, str) or not 1 <= len(step.strip()) <= MAX_STEP_TEXT:
            problems.append(f"step {number}: its text must be 1 to {MAX_STEP_TEXT} characters")
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            problems.append(f"step {number}: marks must be a number")
            continue
        amount = Decimal(str(value))
        if not amount.is_finite() or not 0 < amount <= MAX_STEP_MARKS or (amount * 2) % 1 != 0:
            problems.append(f"step {number}: marks must be a positive multiple of 0.5")
            continue
        total += amount
    if not problems and marks_match_type(str(question_type), marks) and total != Decimal(str(marks)):
        problems.append(
            f"the steps add up to {total.normalize()} marks, not the question's {Decimal(str(marks)).normalize()}"
        )
    return problems


def question_problems(question: Mapping[str, Any], units: Iterable[str] | None) -> Problems:
    """Every broken rule of a complete question, per field (empty when it may be stored).

    ``units`` is the CBSE unit list of the question's class (None when the class itself is
    unknown, which is reported on ``class``).
    """
    problems: Problems = nul_problems(question)
    if problems:
        return problems
    klass = question.get("class")
    if klass not in CLASSES:
        _add(problems, "class", f"must be one of {', '.join(CLASSES)}")
    unit = question.get("unit")
    if _blank(unit):
        _add(problems, "unit", "is required")
    elif units is not None and unit not in list(units):
        _add(problems, "unit", f"{unit!r} is not a Class {klass} unit (see GET /syllabus/units?class={klass})")
    question_type = question.get("question_type")
    if question_type not in QUESTION_TYPES:
        _add(problems, "question_type", f"must be one of {', '.join(QUESTION_TYPES)}")
    elif question.get("marks") is None:
        _add(problems, "marks", f"is required: {marks_message(question_type)}")
    elif not marks_match_type(question_type, question["marks"]):
        _add(problems, "marks", marks_message(question_type))
    if question.get("difficulty") is not None and question["difficulty"] not in DIFFICULTIES:
        _add(problems, "difficulty", f"must be one of {', '.join(DIFFICULTIES)}")
    if _blank(question.get("question_text")) and _blank(question.get("question_image_key")):
        _add(problems, "question_text", "a question needs text or an image (question_image_key)")
    for field in ("question_text", "correct_answer_text", "explanation"):
        value = question.get(field)
        if isinstance(value, str) and len(value) > MAX_TEXT_LENGTH:
            _add(problems, field, f"must be at most {MAX_TEXT_LENGTH} characters")
    topic = question.get("topic")
    if isinstance(topic, str) and len(topic) > MAX_TOPIC_LENGTH:
        _add(problems, "topic", f"must be at most {MAX_TOPIC_LENGTH} characters")
    for field in IMAGE_KEY_FIELDS:
        key_problem = image_key_problem(question.get(field))
        if key_problem:
            _add(problems, field, key_problem)
    year = question.get("cbse_year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        _add(problems, "cbse_year", "must be a year")
    elif year is not None and not MIN_CBSE_YEAR <= year <= MAX_CBSE_YEAR:
        _add(problems, "cbse_year", f"must be between {MIN_CBSE_YEAR} and {MAX_CBSE_YEAR}")
    _check_tags(question.get("tags"), problems)
    if question_type in QUESTION_TYPES:
        _check_choices(question, problems)
    for message in marking_scheme_problems(question.get("marking_scheme"), question_type, question.get("marks")):
        _add(problems, "marking_scheme", message)
    return problems


def clean_tags(tags: Iterable[str] | None) -> list[str]:
    """Tags trimmed, in their first order, without repeats (case-insensitive)."""
    seen: set[str] = set()
    cleaned: list[str] = []
    for tag in tags or ():
        value = " ".join(str(tag).split())
        if value and value.casefold() not in seen:
            seen.add(value.casefold())
            cleaned.append(value)
    return cleaned


def clean_scheme(scheme: Any) -> list[dict[str, Any]] | None:
    """A scheme as stored and versioned: step text trimmed, marks as plain JSON numbers."""
    if not isinstance(scheme, list):
        return scheme
    cleaned = []
    for item in scheme:
        if not isinstance(item, Mapping):
            return scheme
        marks = item.get("marks")
        if isinstance(marks, int | float | Decimal) and not isinstance(marks, bool):
            amount = Decimal(str(marks))
            marks = int(amount) if amount == amount.to_integral_value() else float(amount)
        step = item.get("step")
        cleaned.append({"step": step.strip() if isinstance(step, str) else step, "marks": marks})
    return cleaned


def normalised_text(text: str | None) -> str:
    """Text as duplicates are compared: whitespace collapsed, case folded (the SQL twin is
    question_dedup_key in migration 0005)."""
    return " ".join((text or "").split()).lower()


def content_of(question: Mapping[str, Any]) -> dict[str, Any]:
    """The versioned content of a question row (JSON-ready)."""
    content = {field: question.get(field) for field in CONTENT_FIELDS}
    if content["marks"] is not None:
        marks = Decimal(str(content["marks"]))
        content["marks"] = int(marks) if marks == marks.to_integral_value() else float(marks)
    content["mcq_correct_choices"] = list(content["mcq_correct_choices"]) if content["mcq_correct_choices"] else None
    content["tags"] = list(content["tags"] or [])
    content["marking_scheme"] = clean_scheme(content["marking_scheme"])
    return content


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """Content fields whose value differs between two versions."""
    old, new = content_of(before), content_of(after)
    return [field for field in CONTENT_FIELDS if old[field] != new[field]]
