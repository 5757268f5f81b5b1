"""Exams: start (assembly + quota in one transaction), the viewer-dependent exam view,
autosave, MCQ submission and auto-submission, answer-sheet uploads and results."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import psycopg
from psycopg.types.json import Jsonb

from mathvidya import business_time, db, job_requests, sla_clock
from mathvidya.audit.service import SYSTEM, record_event
from mathvidya.authz import Principal, ensure_student_in_scope, is_linked_parent, signed_in_user
from mathvidya.billing import service as billing
from mathvidya.config import Settings
from mathvidya.errors import (
    ExamTimeOver,
    InsufficientQuestions,
    NotFound,
    UploadMissing,
    UploadQuality,
    UploadTooLarge,
    UploadTypeNotAllowed,
    ValidationFailed,
)
from mathvidya.exams import adaptive, assembly, candidate_codes, page_quality, repository, scoring, states, turnaround
from mathvidya.identity.parents import require_parent_link
from mathvidya.notifications.service import notify
from mathvidya.questions.template_defaults import cbse_weights_from, seeded_template_id
from mathvidya.settings_store import get_setting
from mathvidya.sla_calendar import working_calendar, working_calendar_from_rows
from mathvidya.storage import sniff_content_type, storage_for, url_signer

RECENT_EXAMS_AVOIDED = 5
CANDIDATES_PER_PLACE = 4
MIN_CANDIDATES_PER_UNIT = 12
# An adaptive paper samples more per place, so its preference for near-target questions
# has room to choose (still a bounded sample, never the unit's whole bank).
ADAPTIVE_CANDIDATES_PER_PLACE = 8
ADAPTIVE_MIN_CANDIDATES_PER_UNIT = 24
ADAPTIVE_PRACTICE = "adaptive_practice"
AUTO_SUBMIT_BATCH = 100
UPLOAD_URL_EXPIRY_SECONDS = 15 * 60
# An exam started without a subscription row (start_exam always records one) gets the
# standard plans' SLA.
SLA_HOURS_WITHOUT_PLAN = 48
SNIFF_BYTES = 16
SCORE_FIELDS = ("total_marks", "mcq_score", "mcq_total", "mcq_percentage", "manual_score", "total_score", "percentage")
CHOICES = ("a", "b")
# Each draw collides with probability (exams so far) / 2**40: ten in a row never happen.
CANDIDATE_CODE_ATTEMPTS = 10


# --- who may see an exam -------------------------------------------------------------------


def visible_exam(
    conn: psycopg.Connection,
    principal: Principal,
    exam_id: UUID,
    *,
    teacher_allowed: bool = True,
    as_of: datetime | None = None,
) -> dict:
    """The exam if the caller may see it: owner, linked parent, assigned teacher, admin; else 404.
    ``as_of``: read what the turnaround figures need too (the exam view)."""
    exam = repository.get_exam(conn, exam_id, as_of)
    if exam is None or not _may_see(conn, principal, exam, teacher_allowed):
        raise NotFound("No such exam.")
    return exam


def _may_see(conn: psycopg.Connection, principal: Principal, exam: dict, teacher_allowed: bool) -> bool:
    if principal.role == "admin":
        return True
    if principal.role == "student":
        return exam["student_user_id"] == principal.user_id
    if principal.role == "parent":
        return is_linked_parent(conn, principal.user_id, exam["student_user_id"])
    if principal.role == "teacher":
        return teacher_allowed and exam["teacher_user_id"] == principal.user_id
    return False


def owned_exam_locked(conn: psycopg.Connection, principal: Principal, exam_id: UUID) -> dict:
    """The caller's own exam, row-locked for a state change; 404 for anyone else's."""
    exam = repository.lock_exam(conn, exam_id)
    if exam is None or exam["student_user_id"] != principal.user_id:
        raise NotFound("No such exam.")
    return exam


# --- start ---------------------------------------------------------------------------------------


def _section_specs(template: dict) -> list[assembly.SectionSpec]:
    return [
        assembly.SectionSpec(
            section_name=s["section_name"],
            question_type=s["question_type"],
            question_count=int(s["question_count"]),
            marks_per_question=Decimal(str(s["marks_per_question"])),
            unit_weightage={unit: float(w) for unit, w in s["unit_weightage"].items()},
            internal_choice_count=int(s.get("internal_choice_count") or 0),
        )
        for s in template["config"]["sections"]
    ]


def _candidates(
    conn: psycopg.Connection, school_class: str, sections: list[assembly.SectionSpec]
) -> dict[tuple[str, str], list[str]]:
    """One sampling statement for the whole paper (limits: ``sampling_limits``)."""
    sampled = repository.sample_candidates(conn, school_class, sampling_limits(sections))
    return {key: [str(i) for i in ids] for key, ids in sampled.items()}


def sampling_limits(
    sections: list[assembly.SectionSpec],
    per_place: int = CANDIDATES_PER_PLACE,
    minimum: int = MIN_CANDIDATES_PER_UNIT,
) -> dict[tuple[str, str], int]:
    """Per (type, unit), how many candidate ids to sample: a few times the places the
    unit's weight gives it (spare for avoiding seen questions), and never fewer than the
    whole section, so one unit can still fill the places the others cannot."""
    limits: dict[tuple[str, str], int] = {}
    for section in sections:
        for unit, places in _places_by_unit(section).items():
            key = (section.question_type, unit)
            wanted = max(places * per_place, section.questions_needed, minimum)
            limits[key] = limits.get(key, 0) + wanted
    return limits


# --- adaptive practice ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AdaptiveEvidence:
    """A student's marks per unit of their class (with class averages) and the board weights."""

    units: list[adaptive.UnitEvidence]
    board_weights: dict[str, float]


def adaptive_evidence(conn: psycopg.Connection, student_user_id: UUID, school_class: str) -> AdaptiveEvidence:
    """What adaptive practice and recommendations stand on, read in one statement."""
    rows = repository.adaptive_evidence(
        conn, student_user_id, school_class, seeded_template_id(school_class, "board_exam")
    )
    first = rows[0] if rows else {}
    board_row = (
        {"config": first["board_config"], "exam_type": first["board_exam_type"]}
        if first.get("board_config") is not None
        else None
    )
    units = [
        adaptive.UnitEvidence(
            unit=row["unit"],
            obtained=float(row["obtained"]),
            possible=float(row["possible"]),
            exams=int(row["exams"]),
            class_average=None if row["class_average"] is None else float(row["class_average"]),
        )
        for row in rows
        if row["unit"] is not None
    ]
    return AdaptiveEvidence(units, cbse_weights_from(board_row, school_class))


def _adaptive_candidates(
    conn: psycopg.Connection,
    school_class: str,
    sections: list[assembly.SectionSpec],
    units: list[adaptive.PracticeUnit],
) -> tuple[dict[tuple[str, str], list[str]], dict[str, int]]:
    """One sampling statement for the paper, and each candidate's preference band."""
    limits = sampling_limits(sections, ADAPTIVE_CANDIDATES_PER_PLACE, ADAPTIVE_MIN_CANDIDATES_PER_UNIT)
    rows = repository.sample_adaptive_candidates(conn, school_class, limits)
    pool: dict[tuple[str, str], list[str]] = {pair: [] for pair in limits}
    for row in rows:
        pool[(row["question_type"], row["unit"])].append(str(row["question_id"]))
    bands = adaptive.preference_bands(
        (
            adaptive.Candidate(
                str(row["question_id"]),
                row["unit"],
                None if row["facility"] is None else float(row["facility"]),
                row["difficulty"],
            )
            for row in rows
        ),
        {unit.unit: unit.target_facility for unit in units},
    )
    return pool, bands


def _places_by_unit(section: assembly.SectionSpec) -> dict[str, int]:
    try:
        return assembly.split_by_weight(section.questions_needed, section.unit_weightage)
    except ValueError:  # no weighted unit: assembly reports it; sample every unit fully
        return dict.fromkeys(section.unit_weightage, section.questions_needed)


def _insufficient(shortfalls: list) -> InsufficientQuestions:
    return InsufficientQuestions(
        details={
            "sections": [
                {
                    "section_name": s.section_name,
                    "question_type": s.question_type,
                    "needed": s.needed,
                    "available": s.available,
                }
                for s in shortfalls
            ]
        },
    )


def _snapshot_question(number: int, section: Any, content: dict) -> dict:
    return {
        "question_number": number,
        "section_name": section.section_name,
        "question_id": str(content["question_id"]),
        "question_type": content["question_type"],
        "marks": float(section.marks_per_question),
        "unit": content["unit"],
        "topic": content["topic"],
        "difficulty": content["difficulty"],
        "version": content["version"],
        "question_text": content["question_text"],
        "question_image_key": content["question_image_key"],
        "diagram_image_key": content["diagram_image_key"],
        "mcq_choices": content["mcq_choices"],
        "mcq_correct_choices": content["mcq_correct_choices"],
        "correct_answer_text": content["correct_answer_text"],
        "correct_answer_image_key": content["correct_answer_image_key"],
        "explanation": content["explanation"],
        "explanation_image_key": content["explanation_image_key"],
        "marking_scheme": content.get("marking_scheme"),
    }


def _snapshot_choice_question(number: int, section: Any, alternatives: list[dict]) -> dict:
    """An internal-choice question: its place on the paper (unit of alternative (a), which the
    template's split placed) and the full content of each alternative, (a) then (b)."""
    items = [_snapshot_question(number, section, content) for content in alternatives]
    return {
        "question_number": number,
        "section_name": section.section_name,
        "question_type": items[0]["question_type"],
        "marks": items[0]["marks"],
        "unit": items[0]["unit"],
        "alternatives": [
            {"choice": choice, **{k: v for k, v in item.items() if k not in ("question_number", "section_name")}}
            for choice, item in zip(CHOICES, items, strict=True)
        ],
    }


def _snapshot(
    template: dict,
    seed: int,
    assembled: list,
    contents: dict[str, dict],
    practice_units: list[adaptive.PracticeUnit] | None = None,
) -> dict:
    questions, number = [], 0
    for section in assembled:
        for position in range(len(section.question_ids)):
            number += 1
            ids = section.alternatives_of(position)
            if len(ids) == 1:
                questions.append(_snapshot_question(number, section, contents[str(ids[0])]))
            else:
                questions.append(_snapshot_choice_question(number, section, [contents[str(i)] for i in ids]))
    snapshot = {
        "seed": seed,
        "template": {
            "template_id": str(template["template_id"]),
            "template_name": template["template_name"],
            "exam_type": template["exam_type"],
            "class": template["class"],
            "specific_unit": template["specific_unit"],
            "config": template["config"],
        },
        "questions": questions,
    }
    if practice_units is not None:  # what the paper was adapted to, to explain it later
        snapshot["adaptive"] = {
            "rule_version": adaptive.RULE_VERSION,
            "units": [unit.as_dict() for unit in practice_units],
        }
    return snapshot


def start_exam(
    conn: psycopg.Connection, settings: Settings, principal: Principal, template_id: UUID, now: datetime
) -> dict:
    """Everything in the request's transaction: any refusal rolls back and consumes nothing.
    Returns the new exam row (with its template's name), ready for ``exam_view``."""
    template = repository.get_template_for_start(conn, template_id)
    school_class = _student_class(conn, principal)
    if template is None or template["class"] != school_class:
        raise NotFound("No such exam template.")
    require_parent_link(conn, principal.user_id)
    sections = _section_specs(template)
    has_written = any(s.question_type != "MCQ" for s in sections)
    today = business_time.business_date(now)
    billing.check_exam_entitlement(conn, principal.user_id, template["exam_type"], has_written, today)

    seed = secrets.randbits(31)
    practice_units, preference = None, None
    if template["exam_type"] == ADAPTIVE_PRACTICE:
        evidence = adaptive_evidence(conn, principal.user_id, school_class)
        practice_units = adaptive.practice_units(evidence.units, evidence.board_weights)
        sections = adaptive.adaptive_sections(sections, practice_units)
        candidates, preference = _adaptive_candidates(conn, school_class, sections, practice_units)
    else:
        candidates = _candidates(conn, school_class, sections)
    result = assembly.assemble(
        sections,
        candidates,
        repository.recently_seen(conn, principal.user_id, RECENT_EXAMS_AVOIDED),
        seed,
        preference,
    )
    if result.shortfalls:
        raise _insufficient(result.shortfalls)
    quota = billing.consume_exam_quota_or_refuse(conn, principal.user_id, today)

    chosen = [qid for section in result.sections for qid in section.drawn_ids]
    contents = repository.question_contents(conn, chosen)
    snapshot = _snapshot(template, seed, result.sections, contents, practice_units)
    grace = get_setting(conn, "exam_grace_period_minutes")
    exam = _insert_with_fresh_code(
        conn,
        student_user_id=principal.user_id,
        template_id=template_id,
        subscription_id=quota.subscription_id,
        exam_type=template["exam_type"],
        school_class=school_class,
        seed=seed,
        exam_snapshot=Jsonb(snapshot),
        total_marks=template["total_marks"],
        duration_minutes=template["duration_minutes"],
        started_at=now,
        deadline_at=now + timedelta(minutes=template["duration_minutes"] + grace),
    )
    exam_id = exam["exam_instance_id"]
    record_event(
        conn,
        "exam.started",
        principal.actor,
        "exam",
        exam_id,
        {
            "template_id": str(template_id),
            "exam_type": template["exam_type"],
            "seed": seed,
            "questions": len(snapshot["questions"]),
            "choice_questions": sum(1 for q in snapshot["questions"] if q.get("alternatives")),
            "exams_used": quota.exams_used,
            **({"adaptive_units": [unit.unit for unit in practice_units]} if practice_units else {}),
        },
    )
    db.after_commit(
        conn,
        lambda: job_requests.schedule_auto_submit(
            settings, exam_id, now + timedelta(minutes=template["duration_minutes"] + grace)
        ),
    )
    return {**exam, "template_name": template["template_name"], "teacher_user_id": None, "evaluation_status": None}


def _insert_with_fresh_code(conn: psycopg.Connection, **values: Any) -> dict:
    """Insert the exam under a new candidate code, drawing again while the code is taken
    (the insert skips a taken code without an error, so no savepoint is needed)."""
    for _ in range(CANDIDATE_CODE_ATTEMPTS):
        exam = repository.insert_exam(conn, candidate_code=candidate_codes.new_candidate_code(), **values)
        if exam is not None:
            return exam
    raise RuntimeError(f"no free candidate code in {CANDIDATE_CODE_ATTEMPTS} draws")


def _student_class(conn: psycopg.Connection, principal: Principal) -> str | None:
    """The class from the row the liveness check already read, else from the database."""
    user = signed_in_user(principal)
    if user is not None:
        return user["student_class"] if user["role"] == "student" else None
    return repository.student_class(conn, principal.user_id)


# --- viewing -------------------------------------------------------------------------------------


def _question_view(sign: Callable[[str | None], str | None], q: dict, reveal: bool, show_scheme: bool = False) -> dict:
    """A question as its viewer may see it; a choice question shows each alternative instead
    of top-level content."""
    if q.get("alternatives"):
        view = {k: q[k] for k in ("question_number", "section_name", "question_type", "marks", "unit")}
        view["alternatives"] = [
            {"choice": alt["choice"], **_content_view(sign, alt, reveal, show_scheme)} for alt in q["alternatives"]
        ]
        return view
    return {
        "question_number": q["question_number"],
        "section_name": q["section_name"],
        **_content_view(sign, q, reveal, show_scheme),
    }


def _content_view(sign: Callable[[str | None], str | None], q: dict, reveal: bool, show_scheme: bool) -> dict:
    view = {k: q[k] for k in ("question_id", "question_type", "marks", "unit", "topic", "question_text")}
    view["question_image_url"] = sign(q.get("question_image_key"))
    view["diagram_image_url"] = sign(q.get("diagram_image_key"))
    if q.get("mcq_choices"):
        view["mcq_choices"] = [
            {"label": c["label"], "text": c.get("text"), "image_url": sign(c.get("image_key"))}
            for c in q["mcq_choices"]
        ]
    if reveal:
        view["mcq_correct_choices"] = q.get("mcq_correct_choices")
        view["correct_answer_text"] = q.get("correct_answer_text")
        view["explanation"] = q.get("explanation")
        view["explanation_image_url"] = sign(q.get("explanation_image_key"))
    if show_scheme and q.get("marking_scheme"):
        view["marking_scheme"] = q["marking_scheme"]
    return view


def scheme_visible(principal: Principal) -> bool:
    """Marking schemes in the exam view: teachers and admins only (students and parents see
    them in the results, once the exam is evaluated)."""
    return principal.role in ("teacher", "admin")


def answers_revealed(principal: Principal, exam: dict) -> bool:
    """Students and parents see answers only once the MCQ part is submitted."""
    return principal.role in ("teacher", "admin") or exam["status"] in states.MCQ_PART_DONE


def exam_view(
    conn: psycopg.Connection, settings: Settings, principal: Principal, exam: dict, saved: dict | None = None
) -> dict:
    """``saved``: the exam's saved answers when the caller already knows them (none yet for
    an exam just started), else they are read."""
    reveal = answers_revealed(principal, exam)
    if saved is None:
        saved = repository.saved_answers(conn, exam["exam_instance_id"])
    view = {
        k: exam.get(k)
        for k in (
            "exam_instance_id",
            "student_user_id",
            "template_id",
            "template_name",
            "exam_type",
            "class",
            "status",
            "started_at",
            "deadline_at",
            "mcq_submitted_at",
            "submitted_at",
            "sla_deadline",
            "duration_minutes",
            *SCORE_FIELDS,
        )
    }
    show_scheme = scheme_visible(principal)
    sign = url_signer(conn, settings)
    view["questions"] = [_question_view(sign, q, reveal, show_scheme) for q in exam["exam_snapshot"]["questions"]]
    view["answers"] = [
        {"question_number": n, "selected_choices": list(a["selected_choices"])} for n, a in sorted(saved.items())
    ]
    view["candidate_code"] = exam.get("candidate_code")
    if student_hidden_from(conn, principal):
        del view["student_user_id"]
    if principal.role != "teacher":
        view["evaluation"], view["turnaround_working_hours"] = None, None
        if exam.get("turnaround_holidays") is not None:
            view.update(turnaround_view(conn, exam, business_time.now()))
    return view


def student_hidden_from(conn: psycopg.Connection, principal: Principal) -> bool:
    """Anonymous marking: while it is on, a teacher never learns who wrote an exam."""
    return principal.role == "teacher" and bool(get_setting(conn, "anonymous_marking"))


def marking_of(exam: dict) -> turnaround.Marking:
    return turnaround.Marking(
        submitted_at=exam.get("submitted_at"),
        sla_deadline=exam.get("sla_deadline"),
        evaluation_status=exam.get("evaluation_status"),
        completed_at=exam.get("evaluation_completed_at"),
    )


def turnaround_view(conn: psycopg.Connection, exam: dict, now: datetime) -> dict:
    """``evaluation`` (once pages are confirmed) and ``turnaround_working_hours`` (once
    marked), from the holiday rows read with the exam."""
    marking = marking_of(exam)
    calendar = working_calendar_from_rows(conn, exam["turnaround_holidays"] or [])
    return {
        "evaluation": turnaround.evaluation_summary(marking, now, calendar),
        "turnaround_working_hours": turnaround.turnaround_working_hours(marking, calendar),
    }


def with_turnaround(conn: psycopg.Connection, exams: list[dict], now: datetime) -> list[dict]:
    """Each listed exam with its ``evaluation`` and ``turnaround_working_hours``; one
    holiday read covers the whole page."""
    spans = [span for exam in exams if (span := turnaround.calendar_days_needed(marking_of(exam), now))]
    if not spans:
        return [{**exam, "evaluation": None, "turnaround_working_hours": None} for exam in exams]
    first, last = min(start for start, _ in spans), max(end for _, end in spans)
    calendar = working_calendar(conn, first.date() - timedelta(days=1), last.date() + timedelta(days=1))
    return [
        {
            **exam,
            "evaluation": turnaround.evaluation_summary(marking_of(exam), now, calendar),
            "turnaround_working_hours": turnaround.turnaround_working_hours(marking_of(exam), calendar),
        }
        for exam in exams
    ]


def list_exams(
    conn: psycopg.Connection,
    principal: Principal,
    student_user_id: UUID | None,
    status: str | None,
    limit: int,
    offset: int,
    now: datetime | None = None,
) -> dict:
    """``now``: the instant the turnaround figures are measured at (default the business clock)."""
    now = now or business_time.now()
    if principal.role == "student":
        student_user_id = principal.user_id
    elif principal.role == "parent":
        if student_user_id is None:
            raise ValidationFailed({"student_id": ["parents must name one of their linked children"]})
        ensure_student_in_scope(principal, student_user_id)
    filters = {"student_user_id": student_user_id, "status": status}
    return {
        "items": with_turnaround(conn, repository.list_exams(conn, limit=limit, offset=offset, **filters), now),
        "total": repository.count_exams(conn, **filters),
        "limit": limit,
        "offset": offset,
    }


# --- answering -----------------------------------------------------------------------------------


def _mcq_questions(exam: dict) -> dict[int, dict]:
    return {q["question_number"]: q for q in exam["exam_snapshot"]["questions"] if q["question_type"] == "MCQ"}


def _time_over(exam: dict, now: datetime) -> bool:
    return exam["deadline_at"] is not None and now > exam["deadline_at"]


def _validated_answers(exam: dict, answers: list[dict]) -> dict[int, list[str]]:
    mcqs, problems, chosen = _mcq_questions(exam), {}, {}
    for index, answer in enumerate(answers):
        number, selected = answer["question_number"], answer["selected_choices"]
        question = mcqs.get(number)
        if question is None:
            problems[f"answers.{index}.question_number"] = [f"question {number} is not an MCQ of this exam"]
            continue
        labels = {c["label"] for c in question["mcq_choices"]}
        if not set(selected) <= labels:
            problems[f"answers.{index}.selected_choices"] = [f"choices must be among {', '.join(sorted(labels))}"]
            continue
        if number in chosen:
            problems[f"answers.{index}.question_number"] = [f"question {number} is answered twice"]
        chosen[number] = sorted(set(selected))
    if problems:
        raise ValidationFailed(problems)
    return chosen


def _exam_being_taken(
    conn: psycopg.Connection, principal: Principal, exam_id: UUID, now: datetime, action: str
) -> dict:
    """The caller's own exam, locked, still in progress and within its time."""
    exam = owned_exam_locked(conn, principal, exam_id)
    if exam["status"] != states.IN_PROGRESS:
        raise states.invalid_state(exam["status"], action)
    if _time_over(exam, now):
        raise ExamTimeOver()
    return exam


def save_answers(
    conn: psycopg.Connection, principal: Principal, exam_id: UUID, answers: list[dict], now: datetime
) -> dict:
    exam = _exam_being_taken(conn, principal, exam_id, now, "take answers")
    chosen = _validated_answers(exam, answers)
    mcqs = _mcq_questions(exam)
    repository.upsert_answers(
        conn,
        exam_id,
        [
            {"question_number": number, "question_id": mcqs[number]["question_id"], "selected_choices": selected}
            for number, selected in chosen.items()
        ],
    )
    return {"saved": len(chosen), "saved_at": now}


def _score_and_close_mcq_part(
    conn: psycopg.Connection, exam: dict, overrides: dict[int, list[str]], now: datetime, timed_out: bool
) -> dict:
    exam_id = exam["exam_instance_id"]
    mcqs = _mcq_questions(exam)
    saved = repository.saved_answers(conn, exam_id)
    answers = {n: frozenset(overrides.get(n, saved[n]["selected_choices"] if n in saved else [])) for n in mcqs}
    keys = [scoring.McqKey(n, frozenset(q["mcq_correct_choices"]), Decimal(str(q["marks"]))) for n, q in mcqs.items()]
    result = scoring.score_mcq(keys, {n: (a or None) for n, a in answers.items()})
    repository.record_mcq_results(
        conn,
        exam_id,
        [
            {
                "question_number": item.question_number,
                "question_id": mcqs[item.question_number]["question_id"],
                "selected_choices": list(item.selected),
                "is_correct": item.is_correct,
                "marks_awarded": item.marks_awarded,
            }
            for item in result.results
        ],
    )
    has_written = any(q["question_type"] != "MCQ" for q in exam["exam_snapshot"]["questions"])
    new_status = states.status_after_mcq(has_written, timed_out)
    finished = new_status == "evaluated"
    total = Decimal(str(exam["total_marks"]))
    updated = repository.finish_mcq_part(
        conn,
        exam_instance_id=exam_id,
        new_status=new_status,
        submitted_at=now,
        mcq_score=result.score,
        mcq_total=result.total,
        mcq_percentage=result.percentage,
        total_score=result.score if finished else None,
        percentage=scoring.percentage(result.score, total) if finished else None,
    )
    if updated is None:
        raise states.invalid_state(exam["status"], "submit its MCQ part")
    if finished:  # an MCQ-only exam is evaluated now: it counts on the leaderboard
        job_requests.refresh_leaderboard_after_commit(conn, exam["class"])
    return {
        "status": new_status,
        "mcq_score": result.score,
        "mcq_total": result.total,
        "mcq_percentage": result.percentage,
        "results": result.results,
        "mcqs": mcqs,
    }


def submit_mcq(
    conn: psycopg.Connection, principal: Principal, exam_id: UUID, answers: list[dict], now: datetime
) -> dict:
    exam = _exam_being_taken(conn, principal, exam_id, now, "be submitted again")
    outcome = _score_and_close_mcq_part(conn, exam, _validated_answers(exam, answers), now, timed_out=False)
    record_event(
        conn,
        "exam.mcq_submitted",
        principal.actor,
        "exam",
        exam_id,
        {"mcq_score": str(outcome["mcq_score"]), "status": outcome["status"]},
    )
    return _mcq_response(outcome)


def _mcq_response(outcome: dict) -> dict:
    mcqs = outcome["mcqs"]
    return {
        "status": outcome["status"],
        "mcq_score": outcome["mcq_score"],
        "mcq_total": outcome["mcq_total"],
        "mcq_percentage": outcome["mcq_percentage"],
        "results": [
            {
                "question_number": r.question_number,
                "selected_choices": list(r.selected),
                "correct_choices": list(r.correct),
                "is_correct": r.is_correct,
                "marks_awarded": r.marks_awarded,
                "explanation": mcqs[r.question_number].get("explanation"),
            }
            for r in outcome["results"]
        ],
    }


def auto_submit_exam(conn: psycopg.Connection, exam_id: UUID, as_of: datetime) -> bool:
    """Submit an exam whose time ran out, with its autosaved answers; idempotent."""
    exam = repository.lock_exam(conn, exam_id)
    if exam is None or exam["status"] != states.IN_PROGRESS or not _time_over(exam, as_of):
        return False
    outcome = _score_and_close_mcq_part(conn, exam, {}, as_of, timed_out=True)
    record_event(
        conn,
        "exam.auto_submitted",
        SYSTEM,
        "exam",
        exam_id,
        {
            "mcq_score": str(outcome["mcq_score"]),
            "status": outcome["status"],
            "deadline_at": exam["deadline_at"].isoformat(),
        },
    )
    return True


def auto_submit_overdue(conn: psycopg.Connection, _settings: Settings, as_of: datetime) -> int:
    """The sweep: every in-progress exam past its deadline (when auto-submit is enabled)."""
    if not get_setting(conn, "exam_auto_submit_enabled"):
        return 0
    done = 0
    for exam_id in repository.overdue_exams(conn, as_of, AUTO_SUBMIT_BATCH):
        done += auto_submit_exam(conn, exam_id, as_of)
    return done


# --- uploads ---------------------------------------------------------------------------------------


def answer_sheet_key(exam: dict, page_number: int) -> str:
    """Where a page is uploaded: named by the exam alone, so a signed link a teacher opens
    says nothing about the student (anonymous marking)."""
    return f"answer-sheets/{exam['exam_instance_id']}/page-{page_number}"


def legacy_answer_sheet_key(exam: dict, page_number: int) -> str:
    """The key of pages uploaded before keys stopped naming the student: a confirmation of
    such an upload still finds it (confirmed pages keep the key stored with them)."""
    return f"answer-sheets/{exam['exam_instance_id']}/{exam['student_user_id']}/{page_number}"


def _uploaded_object(storage: Any, exam: dict, page: int) -> tuple[str, Any]:
    """The page's key and object info (None when neither key holds an object)."""
    key = answer_sheet_key(exam, page)
    info = storage.head(key)
    if info is None:
        legacy = legacy_answer_sheet_key(exam, page)
        legacy_info = storage.head(legacy)
        if legacy_info is not None:
            return legacy, legacy_info
    return key, info


def upload_targets(
    conn: psycopg.Connection, settings: Settings, principal: Principal, exam_id: UUID, page_count: int
) -> dict:
    """Pre-signed POST forms: the policy caps each page's size at max_upload_size_mb."""
    exam = visible_exam(conn, principal, exam_id)
    if exam["student_user_id"] != principal.user_id:
        raise NotFound("No such exam.")
    states.ensure_taking_pages(exam["status"])
    max_bytes = get_setting(conn, "max_upload_size_mb") * 1024 * 1024
    types = get_setting(conn, "allowed_upload_mimetypes")
    storage = storage_for(settings)
    targets = []
    for page in range(1, page_count + 1):
        form = storage.presigned_post(answer_sheet_key(exam, page), max_bytes, UPLOAD_URL_EXPIRY_SECONDS)
        targets.append(
            {
                "page_number": page,
                "url": form["url"],
                "fields": form["fields"],
                "method": "POST",
                "expires_in": UPLOAD_URL_EXPIRY_SECONDS,
            }
        )
    return {"upload_urls": targets, "max_size_bytes": max_bytes, "allowed_content_types": types}


def _written_numbers(exam: dict) -> set[int]:
    return {q["question_number"] for q in exam["exam_snapshot"]["questions"] if q["question_type"] != "MCQ"}


def _check_mapping(
    exam: dict, pages: list[int], unanswered: list[int], mapping: dict[str, list[int]]
) -> dict[int, list[int]]:
    written, problems = _written_numbers(exam), {}
    if len(set(pages)) != len(pages):
        problems["pages_uploaded"] = ["page numbers must not repeat"]
    by_page: dict[int, list[int]] = {}
    for key, numbers in mapping.items():
        page = int(key) if key.isascii() and key.isdigit() else None
        if page is None or page not in pages:
            problems[f"page_question_mapping.{key}"] = ["is not one of pages_uploaded"]
            continue
        stray = sorted(set(numbers) - written)
        if stray:
            problems[f"page_question_mapping.{key}"] = [f"not written questions of this exam: {stray}"]
        by_page[page] = sorted(set(numbers))
    stray = sorted(set(unanswered) - written)
    if stray:
        problems["unanswered_questions"] = [f"not written questions of this exam: {stray}"]
    mapped = {n for numbers in by_page.values() for n in numbers}
    both = sorted(mapped & set(unanswered))
    if both:
        problems["unanswered_questions"] = [f"also mapped to a page: {both}"]
    missing = sorted(written - mapped - set(unanswered))
    if missing:
        problems["page_question_mapping"] = [f"written questions neither on a page nor declared unanswered: {missing}"]
    if not pages and set(unanswered) != written:
        problems["pages_uploaded"] = ["at least one page is needed unless every written question is unanswered"]
    if problems:
        raise ValidationFailed(problems)
    return by_page


def _choice_numbers(exam: dict) -> set[int]:
    return {q["question_number"] for q in exam["exam_snapshot"]["questions"] if q.get("alternatives")}


def _checked_attempted_choices(exam: dict, attempted: dict[str, str], unanswered: list[int]) -> dict[str, str]:
    """The student's declaration per choice question ("a", "b" or "both"), keyed by number."""
    choice_numbers, problems = _choice_numbers(exam), {}
    declared: dict[str, str] = {}
    for key, value in attempted.items():
        number = int(key) if key.isdigit() else None
        if number is None or number not in choice_numbers:
            problems[f"attempted_choices.{key}"] = [
                f"not a question with internal choice of this exam (those are {sorted(choice_numbers)})"
            ]
        elif number in unanswered:
            problems[f"attempted_choices.{key}"] = [f"question {number} is also declared unanswered"]
        else:
            declared[str(number)] = value
    if problems:
        raise ValidationFailed(problems)
    return dict(sorted(declared.items(), key=lambda item: int(item[0])))


def _checked_page(conn: psycopg.Connection, settings: Settings, exam: dict, page: int) -> dict:
    storage = storage_for(settings)
    key, info = _uploaded_object(storage, exam, page)
    if info is None:
        raise UploadMissing(f"Page {page} was not uploaded.", details={"page": page})
    max_bytes = get_setting(conn, "max_upload_size_mb") * 1024 * 1024
    if info.size > max_bytes:
        raise UploadTooLarge(
            f"Page {page} is larger than {max_bytes // (1024 * 1024)} MB.",
            details={"page": page, "size_bytes": info.size, "max_bytes": max_bytes},
        )
    content_type = sniff_content_type(storage.read_range(key, 0, SNIFF_BYTES)) if info.size else None
    allowed = set(get_setting(conn, "allowed_upload_mimetypes"))
    if content_type is None or content_type not in allowed:
        raise UploadTypeNotAllowed(f"Page {page} is not a JPEG, PNG or PDF.", details={"page": page})
    return {"s3_key": key, "content_type": content_type, "size_bytes": info.size}


def sla_deadline_for(conn: psycopg.Connection, exam_id: UUID, submitted_at: datetime) -> datetime:
    """Fixed once at confirmation: later holiday edits never move it (docs/exams.md)."""
    hours = repository.exam_sla_hours(conn, exam_id) or SLA_HOURS_WITHOUT_PLAN
    calendar = working_calendar(
        conn, submitted_at.date() - timedelta(days=1), submitted_at.date() + timedelta(days=400)
    )
    return sla_clock.sla_deadline(submitted_at, hours, calendar)


def _quality_problems(conn: psycopg.Connection, settings: Settings, checked: list[dict]) -> list[dict]:
    """Each page that cannot be marked as it is, with its problems (docs/exams.md)."""
    if not get_setting(conn, "upload_quality_check_enabled"):
        return []
    min_side = get_setting(conn, "upload_min_short_side_px")
    storage, failing = storage_for(settings), []
    for page in checked:
        try:
            problems = page_quality.page_problems(storage.read(page["s3_key"]), page["content_type"], min_side)
        except page_quality.UnreadablePage:
            raise UploadTypeNotAllowed(
                f"Page {page['page_number']} does not open as the image it claims to be.",
                details={"page": page["page_number"]},
            ) from None
        if problems:
            failing.append({"page_number": page["page_number"], "problems": problems})
    return failing


def _ensure_pages_markable(conn: psycopg.Connection, settings: Settings, checked: list[dict]) -> None:
    failing = _quality_problems(conn, settings, checked)
    if failing:
        numbers = ", ".join(str(p["page_number"]) for p in failing)
        raise UploadQuality(
            f"Pages {numbers} cannot be marked as they are: upload them again and confirm.",
            details={"pages": failing},
        )


def _confirmed_answer(exam: dict) -> dict:
    return {"status": exam["status"], "submitted_at": exam["submitted_at"], "sla_deadline": exam["sla_deadline"]}


def _ensure_requested_pages_sent(conn: psycopg.Connection, exam_id: UUID, pages: list[int]) -> None:
    requested = repository.open_reupload_pages(conn, exam_id)
    missing = sorted(set(requested) - set(pages))
    if missing:
        raise ValidationFailed({"pages_uploaded": [f"must include the pages asked for again: {missing}"]})


def confirm_upload(
    conn: psycopg.Connection, settings: Settings, principal: Principal, exam_id: UUID, body: dict, now: datetime
) -> dict:
    """Register the pages and start the SLA clock. Every check (the mapping, the stored
    objects, the quality gate) runs before the exam row is locked; nothing is written
    unless all pass."""
    exam = repository.get_exam(conn, exam_id)
    if exam is None or exam["student_user_id"] != principal.user_id:
        raise NotFound("No such exam.")
    if exam["status"] in states.UPLOAD_CONFIRMED and exam["submitted_at"] is not None:
        return _confirmed_answer(exam)
    states.ensure_taking_pages(exam["status"])
    pages = list(body["pages_uploaded"])
    by_page = _check_mapping(exam, pages, list(body["unanswered_questions"]), body["page_question_mapping"])
    attempted = _checked_attempted_choices(exam, body.get("attempted_choices") or {}, body["unanswered_questions"])
    if exam["status"] == states.REUPLOAD_REQUESTED:
        _ensure_requested_pages_sent(conn, exam_id, pages)
    checked = [
        {"page_number": page, "question_numbers": by_page.get(page, []), **_checked_page(conn, settings, exam, page)}
        for page in sorted(pages)
    ]
    _ensure_pages_markable(conn, settings, checked)
    locked = owned_exam_locked(conn, principal, exam_id)
    if locked["status"] in states.UPLOAD_CONFIRMED and locked["submitted_at"] is not None:
        return _confirmed_answer(locked)
    if locked["status"] != exam["status"]:
        raise states.invalid_state(locked["status"], "take answer sheets")
    if exam["status"] == states.REUPLOAD_REQUESTED:
        return _confirm_reupload(conn, settings, principal, exam, checked, now)
    repository.insert_upload_pages(conn, exam_id, checked)
    repository.insert_unanswered(conn, exam_id, sorted(set(body["unanswered_questions"])))
    if attempted:
        repository.record_attempted_choices(conn, exam_id, attempted)
    if not repository.mark_uploaded(conn, exam_id):
        raise states.invalid_state(exam["status"], "take answer sheets")
    record_event(
        conn,
        "exam.uploaded",
        principal.actor,
        "exam",
        exam_id,
        {
            "pages": sorted(pages),
            "unanswered": sorted(set(body["unanswered_questions"])),
            "attempted_choices": attempted,
        },
    )
    confirmed = repository.mark_pending_evaluation(
        conn, exam_instance_id=exam_id, submitted_at=now, sla_deadline=sla_deadline_for(conn, exam_id, now)
    )
    db.after_commit(conn, lambda: job_requests.request_assignment(settings, exam_id))
    return {
        "status": "pending_evaluation",
        "submitted_at": confirmed["submitted_at"],
        "sla_deadline": confirmed["sla_deadline"],
    }


def _confirm_reupload(
    conn: psycopg.Connection, settings: Settings, principal: Principal, exam: dict, checked: list[dict], now: datetime
) -> dict:
    """New pages after the teacher's request: they replace the old ones, a new SLA clock
    starts, and the same teacher keeps the evaluation (told in-app)."""
    exam_id = exam["exam_instance_id"]
    repository.replace_upload_pages(conn, exam_id, checked)
    confirmed = repository.mark_reupload_confirmed(
        conn, exam_instance_id=exam_id, submitted_at=now, sla_deadline=sla_deadline_for(conn, exam_id, now)
    )
    if confirmed is None:
        raise states.invalid_state(exam["status"], "take answer sheets")
    record_event(
        conn,
        "exam.uploaded",
        principal.actor,
        "exam",
        exam_id,
        {"pages": [p["page_number"] for p in checked], "reupload": True},
    )
    if confirmed["teacher_user_id"] is not None:
        notify(
            conn,
            settings,
            user_id=confirmed["teacher_user_id"],
            event_type="evaluation.pages_replaced",
            title="New pages arrived",
            body=f"The pages you asked for again were uploaded; due by {confirmed['sla_deadline'].isoformat()}.",
            resource_type="evaluation",
            resource_id=confirmed["evaluation_id"],
        )
    return {
        "status": "pending_evaluation",
        "submitted_at": confirmed["submitted_at"],
        "sla_deadline": confirmed["sla_deadline"],
    }


# --- results ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Marks:
    """An evaluated exam's marks: per question, per marked alternative, per step."""

    questions: dict[int, dict]
    alternatives: dict[tuple[int, str], dict]
    steps: dict[tuple[int, str], list]


def _marks_of(conn: psycopg.Connection, exam_id: UUID) -> _Marks:
    return _Marks(
        repository.question_marks_for_exam(conn, exam_id),
        repository.alternative_marks_for_exam(conn, exam_id),
        repository.step_marks_for_exam(conn, exam_id),
    )


def _add_choice_results(item: dict, number: int, attempted: str | None, mark: dict | None, marked: _Marks) -> None:
    """A choice question's result: which alternative counts and the marks of each alternative
    marked (both alternatives, unmarked, while nothing is marked)."""
    item["attempted_choice"] = attempted
    item["counted_choice"] = mark["counted_choice"] if mark else None
    shown = [alt for alt in item["alternatives"] if (number, alt["choice"]) in marked.alternatives]
    for alt in shown or item["alternatives"]:
        alt_mark = marked.alternatives.get((number, alt["choice"]))
        alt["marks_awarded"] = alt_mark["marks_awarded"] if alt_mark else None
        alt["teacher_comment"] = alt_mark["teacher_comment"] if alt_mark else None
        if "marking_scheme" in alt:
            alt["step_marks"] = marked.steps.get((number, alt["choice"]))
    item["alternatives"] = shown or item["alternatives"]


def results(conn: psycopg.Connection, settings: Settings, principal: Principal, exam_id: UUID) -> dict:
    exam = visible_exam(conn, principal, exam_id, teacher_allowed=False)
    if exam["status"] not in states.MCQ_PART_DONE:
        raise states.invalid_state(exam["status"], "show results yet")
    saved = repository.saved_answers(conn, exam_id)
    evaluated = exam["status"] == "evaluated"
    marked = _marks_of(conn, exam_id) if evaluated else _Marks({}, {}, {})
    unanswered = set(repository.unanswered_numbers(conn, exam_id))
    attempted = exam.get("attempted_choices") or {}
    questions, sign = [], url_signer(conn, settings)
    for q in exam["exam_snapshot"]["questions"]:
        item = _question_view(sign, q, reveal=True, show_scheme=evaluated)
        number = q["question_number"]
        if q["question_type"] == "MCQ":
            answer = saved.get(number)
            item["selected_choices"] = list(answer["selected_choices"]) if answer else []
            item["is_correct"] = bool(answer and answer["is_correct"])
            item["marks_awarded"] = answer["marks_awarded"] if answer and answer["marks_awarded"] is not None else 0
        else:
            mark = marked.questions.get(number)
            item["declared_unanswered"] = number in unanswered
            item["marks_awarded"] = mark["marks_awarded"] if mark else None
            item["teacher_comment"] = mark["teacher_comment"] if mark else None
            if q.get("alternatives"):
                _add_choice_results(item, number, attempted.get(str(number)), mark, marked)
            elif evaluated and q.get("marking_scheme"):
                item["step_marks"] = marked.steps.get((number, ""))
        questions.append(item)
    annotated = repository.annotated_pages(conn, exam_id)
    pages = [
        {
            "page_number": p["page_number"],
            "question_numbers": list(p["question_numbers"]),
            # signed with the type sniffed at confirm-upload; the annotated copy keeps the
            # original's format (evaluations/stamps.py)
            "original_url": sign(p["s3_key"], p["content_type"]),
            "annotated_url": sign(annotated.get(p["page_number"]), p["content_type"]),
        }
        for p in repository.upload_pages(conn, exam_id)
    ]
    summary = {
        k: exam[k]
        for k in (
            "exam_instance_id",
            "status",
            "exam_type",
            "template_name",
            *SCORE_FIELDS,
            "submitted_at",
            "sla_deadline",
        )
    }
    return {**summary, "questions": questions, "pages": pages}
