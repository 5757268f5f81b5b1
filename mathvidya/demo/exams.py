"""The demo's exam history, made the way a student and a teacher make it.

Every exam goes through the same services the API calls — start, autosave, submit MCQs,
upload pages to storage, confirm, assign, stamp pages, mark — at instants in the past,
so the dashboard, the prediction, results and the leaderboard show figures that the
current rules computed. When a rule changes, re-seeding shows the new behaviour.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from uuid import UUID

import psycopg
from PIL import Image, ImageDraw, ImageFont

from mathvidya import business_time
from mathvidya.authz import Principal
from mathvidya.config import Settings
from mathvidya.demo import repository as demo_repository
from mathvidya.evaluations import annotations as annotation_service
from mathvidya.evaluations import service as evaluation_service
from mathvidya.evaluations.access import evaluation_in_scope
from mathvidya.exams import repository as exam_repository
from mathvidya.exams import service as exam_service
from mathvidya.questions.template_defaults import default_templates
from mathvidya.storage import storage_for

BOARD = "board_exam"
MCQ_SECTION = "section_mcq"
QUESTIONS_PER_PAGE = 5
PAGE_SIZE = (1240, 1754)  # A4 at 150 dpi
PAGE_TOP, ROW_HEIGHT = 160, 300
EXAM_HOUR = time(17, 30)  # after school, India time
COMMENTS = (
    "Show each step of the working.",
    "Check the sign in the second line.",
    "Right method; an arithmetic slip at the end.",
    "State the formula before using it.",
    "Units missing in the final answer.",
)


@dataclass(frozen=True)
class PlannedExam:
    """One exam of a demo student: which template (board paper, MCQ section, or a chapter's
    unit practice), how many days ago, and the share of marks the student earns."""

    template: str
    days_ago: int
    skill: float


@dataclass(frozen=True)
class DemoCast:
    admin: Principal
    teacher: Principal


def principal_of(user: dict) -> Principal:
    return Principal(user_id=user["user_id"], role=user["role"], family_id=None, ip_address=None)


def template_id(school_class: str, template: str) -> UUID:
    """The default template for a plan key: the board paper, a section, or a chapter."""
    for row in default_templates():
        if row["class"] != school_class:
            continue
        if row["exam_type"] == template or row["specific_unit"] == template:
            return UUID(row["template_id"])
    raise KeyError(f"no default template {template!r} for class {school_class}")


def exam_day(days_ago: int, now: datetime) -> datetime:
    day = business_time.business_date(now) - timedelta(days=days_ago)
    return datetime.combine(day, EXAM_HOUR, tzinfo=business_time.BUSINESS_TZ)


def has_exams(conn: psycopg.Connection, student_user_id: UUID) -> bool:
    return exam_repository.count_exams(conn, student_user_id=student_user_id, status=None) > 0


# --- the student's side ----------------------------------------------------------------------------


def _mcq_answers(exam: dict, rng: random.Random, skill: float) -> list[dict]:
    answers = []
    for q in exam["exam_snapshot"]["questions"]:
        if q["question_type"] != "MCQ":
            continue
        correct = sorted(q["mcq_correct_choices"])
        wrong = [c["label"] for c in q["mcq_choices"] if c["label"] not in correct]
        chosen = correct if rng.random() < skill or not wrong else [rng.choice(wrong)]
        answers.append({"question_number": q["question_number"], "selected_choices": chosen})
    return answers


def _written(exam: dict) -> list[dict]:
    return [q for q in exam["exam_snapshot"]["questions"] if q["question_type"] != "MCQ"]


def _pages(written: list[dict]) -> dict[int, list[int]]:
    numbers = [q["question_number"] for q in written]
    return {
        page + 1: numbers[i : i + QUESTIONS_PER_PAGE]
        for page, i in enumerate(range(0, len(numbers), QUESTIONS_PER_PAGE))
    }


def answer_page_image(student_name: str, exam_name: str, page: int, numbers: list[int]) -> bytes:
    """A legible stand-in for a photographed answer sheet: ruled, one block per question."""
    image = Image.new("RGB", PAGE_SIZE, (252, 251, 245))
    draw = ImageDraw.Draw(image)
    title, body = ImageFont.load_default(size=34), ImageFont.load_default(size=30)
    draw.text((80, 60), f"{student_name}  /  {exam_name}  /  page {page}", fill=(20, 20, 90), font=title)
    for row, number in enumerate(numbers):
        top = PAGE_TOP + row * ROW_HEIGHT
        draw.line((60, top, PAGE_SIZE[0] - 60, top), fill=(180, 190, 220), width=2)
        draw.text((80, top + 30), f"Q{number}.", fill=(20, 20, 90), font=title)
        for line in range(3):
            y = top + 90 + line * 55
            draw.line((160, y + 36, PAGE_SIZE[0] - 200, y + 36), fill=(215, 220, 235), width=1)
            draw.text((170, y), f"step {line + 1}: working for question {number} …", fill=(40, 40, 110), font=body)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def stamp_position(numbers: list[int], number: int) -> tuple[float, float]:
    """Where a question's stamp goes on the page drawn by ``answer_page_image``."""
    row = numbers.index(number)
    return 0.88, (PAGE_TOP + row * ROW_HEIGHT + 60) / PAGE_SIZE[1]


def take_exam(
    conn: psycopg.Connection,
    settings: Settings,
    student: dict,
    plan: PlannedExam,
    started_at: datetime,
    *,
    finish: bool = True,
) -> dict:
    """Start, answer and — with ``finish`` — submit the exam and upload and confirm its
    pages; returns the exam row as stored."""
    principal = principal_of(student)
    rng = random.Random(f"{student['email']}:{plan.template}:{plan.days_ago}")
    exam_id = exam_service.start_exam(
        conn, settings, principal, template_id(student["student_class"], plan.template), started_at
    )["exam_instance_id"]
    demo_repository.backdate_created_at(conn, exam_id)
    exam = exam_repository.get_exam(conn, exam_id)
    answers = _mcq_answers(exam, rng, plan.skill)
    if not finish:
        exam_service.save_answers(conn, principal, exam_id, answers[: len(answers) // 2], started_at)
        return exam
    submitted_at = started_at + timedelta(minutes=exam["duration_minutes"] - 5)
    exam_service.submit_mcq(conn, principal, exam_id, answers, submitted_at)
    written = _written(exam)
    if written:
        _upload_and_confirm(conn, settings, student, exam, written, submitted_at + timedelta(minutes=3))
    else:
        backdate_evaluation(conn, exam_id, submitted_at)
    return exam_repository.get_exam(conn, exam_id)


def backdate_evaluation(conn: psycopg.Connection, exam_id: UUID, evaluated_at: datetime) -> None:
    """The trigger stamps evaluated_at with the database clock; the demo's past is past."""
    demo_repository.backdate_evaluated_at(conn, exam_id, evaluated_at)


def _upload_and_confirm(
    conn: psycopg.Connection, settings: Settings, student: dict, exam: dict, written: list[dict], at: datetime
) -> None:
    pages = _pages(written)
    storage = storage_for(settings)
    name = f"{student['first_name']} {student['last_name']}"
    for page, numbers in pages.items():
        image = answer_page_image(name, exam["exam_snapshot"]["template"]["template_name"], page, numbers)
        # The key the pre-signed upload form names; the client would POST the photo there.
        storage.put(exam_service.answer_sheet_key(exam, page), image, "image/jpeg")
    body = {
        "pages_uploaded": sorted(pages),
        "unanswered_questions": [],
        "page_question_mapping": {str(page): numbers for page, numbers in pages.items()},
        # a choice question: the demo student answers its first alternative, as most do
        "attempted_choices": {str(q["question_number"]): "a" for q in written if q.get("alternatives")},
    }
    exam_service.confirm_upload(conn, settings, principal_of(student), exam["exam_instance_id"], body, at)


# --- the teacher's side -----------------------------------------------------------------------------


def assign_to_demo_teacher(
    conn: psycopg.Connection, settings: Settings, cast: DemoCast, exam_id: UUID, at: datetime
) -> UUID:
    """The assignment rule picks the least busy teacher; when that is not the demo teacher
    (other teachers exist), an admin reassigns it, as an admin would."""
    evaluation_id = evaluation_service.assign_exam(conn, settings, exam_id, at)
    if evaluation_id is None:
        raise RuntimeError(f"demo exam {exam_id} could not be assigned: no active teacher")
    assigned = evaluation_in_scope(conn, cast.admin, evaluation_id)
    if assigned["teacher_user_id"] != cast.teacher.user_id:
        evaluation_service.reassign(conn, settings, cast.admin, evaluation_id, cast.teacher.user_id, at)
    return evaluation_id


def _half_marks(value: float) -> Decimal:
    return (Decimal(str(value)) * 2).quantize(Decimal(1), rounding=ROUND_HALF_UP) / 2


def _marks(written: list[dict], rng: random.Random, skill: float) -> list[dict]:
    marks = []
    for q in written:
        maximum = Decimal(str(q["marks"]))
        awarded = min(max(_half_marks(float(maximum) * (skill + rng.uniform(-0.25, 0.2))), Decimal(0)), maximum)
        item = {"question_number": q["question_number"], "marks_awarded": awarded}
        if awarded < maximum and rng.random() < 0.6:
            item["teacher_comment"] = rng.choice(COMMENTS)
        marks.append(item)
    return marks


def _stamp_for(awarded: Decimal, maximum: Decimal) -> str:
    share = awarded / maximum
    return "tick" if share >= Decimal("0.75") else "half" if share >= Decimal("0.35") else "cross"


def stamp_pages(
    conn: psycopg.Connection, settings: Settings, cast: DemoCast, evaluation_id: UUID, exam: dict, marks: list[dict]
) -> None:
    written = {q["question_number"]: q for q in _written(exam)}
    awarded = {m["question_number"]: Decimal(str(m["marks_awarded"])) for m in marks}
    for page, numbers in _pages(list(written.values())).items():
        stamps = []
        for number in numbers:
            x, y = stamp_position(numbers, number)
            kind = _stamp_for(awarded[number], Decimal(str(written[number]["marks"])))
            stamps.append({"type": "stamp", "stamp": kind, "x": x, "y": y})
        annotation_service.annotate_page(
            conn, settings, cast.teacher, evaluation_id, {"page_number": page, "annotations": stamps}
        )


def mark_exam(
    conn: psycopg.Connection,
    settings: Settings,
    cast: DemoCast,
    exam: dict,
    plan: PlannedExam,
    started_at: datetime,
    *,
    submit: bool = True,
) -> UUID:
    """Assign to the demo teacher, start, stamp every page and (with ``submit``) mark.
    Marks are drawn from a generator seeded by the plan, so every seed gives the same."""
    exam_id = exam["exam_instance_id"]
    evaluation_id = assign_to_demo_teacher(conn, settings, cast, exam_id, exam["submitted_at"] + timedelta(minutes=1))
    evaluation_service.start_evaluation(conn, cast.teacher, evaluation_id, started_at)
    marks = _marks(_written(exam), random.Random(f"marks:{plan.template}:{plan.days_ago}"), plan.skill)
    stamp_pages(conn, settings, cast, evaluation_id, exam, marks)
    if submit:
        completed_at = started_at + timedelta(minutes=40)
        evaluation_service.submit_evaluation(conn, settings, cast.teacher, evaluation_id, marks, completed_at)
        backdate_evaluation(conn, exam_id, completed_at)
    return evaluation_id


def next_morning(instant: datetime) -> datetime:
    day = instant.astimezone(business_time.BUSINESS_TZ).date() + timedelta(days=1)
    return datetime.combine(day, time(10, 0), tzinfo=business_time.BUSINESS_TZ)
