"""The ceiling: the SQL each request issues, run directly over psycopg 3 + psycopg_pool
(2 client processes x 16 threads, one transaction per request's bundle of queries, dict
rows) against the same database. The bundles call the app's own repository functions and
named queries (mathvidya.queries), so the SQL text is identical; what they leave out is
everything else a request does (HTTP, JSON, validation, authorization logic, Python rules).

For endpoints whose SQL the bench does not know in advance (the insights endpoints), the
bundles are recorded: the app serves sample requests in-process while every statement it
sends is captured, and the ceiling replays each request's statements in one transaction.
"""

from __future__ import annotations

import multiprocessing
import statistics
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool

from mathvidya.audit import repository as audit_repo
from mathvidya.billing import repository as billing_repo
from mathvidya.business_time import business_date as billing_today
from mathvidya.evaluations import marking
from mathvidya.evaluations import repository as evaluations_repo
from mathvidya.exams import repository as exams_repo
from mathvidya.exams.candidate_codes import new_candidate_code
from mathvidya.notifications import repository as notifications_repo
from mathvidya.queries import queries
from mathvidya.sla_calendar import holiday_calendar
from tools.bench.load import RunResult, result_from_latencies

PROCESSES = 2
THREADS = 16


def _liveness(conn: psycopg.Connection, item: dict) -> None:
    queries("authz").token_liveness(conn, user_id=item["user_id"], family_id=item["family_id"])


def _audit(conn: psycopg.Connection, event: str, item: dict, role: str, resource: str, resource_id: Any) -> None:
    audit_repo.insert_audit_log(
        conn,
        event_type=event,
        actor_user_id=item["user_id"],
        actor_role=role,
        ip_address="127.0.0.1",
        resource_type=resource,
        resource_id=str(resource_id),
        details=Jsonb({"bench": True}),
    )


def start_exam(conn: psycopg.Connection, item: dict, ctx: dict) -> None:
    now = datetime.now(UTC)
    today = billing_today(now)
    user_id, template_id = item["user_id"], item["template_id"]
    _liveness(conn, item)
    template = exams_repo.get_template_for_start(conn, template_id)
    school_class = template["class"]  # the app takes the student's class from the liveness row
    queries("parents").student_has_parent(conn, student_user_id=user_id)
    billing_repo.current_subscription(conn, user_id, today)
    plan = ctx["plans"][str(template_id)]
    sampled = exams_repo.sample_candidates(conn, school_class, plan["limits"])
    chosen: list = [qid for key, ids in sampled.items() for qid in ids[: plan["takes"][key]]]
    exams_repo.recently_seen(conn, user_id, 5)
    quota = billing_repo.consume_exam_quota(conn, user_id, today)
    if quota is None:
        raise RuntimeError("quota exhausted")
    exams_repo.question_contents(conn, chosen)
    exam_id = exams_repo.insert_exam(
        conn,
        student_user_id=user_id,
        template_id=template_id,
        subscription_id=quota["subscription_id"],
        exam_type=template["exam_type"],
        school_class=school_class,
        seed=12345,
        candidate_code=new_candidate_code(),
        exam_snapshot=Jsonb(ctx["snapshots"][str(template_id)]),
        total_marks=template["total_marks"],
        duration_minutes=template["duration_minutes"],
        started_at=now,
        deadline_at=now + timedelta(minutes=template["duration_minutes"] + 5),
    )["exam_instance_id"]
    _audit(conn, "exam.started", item, "student", "exam", exam_id)


def get_exam(conn: psycopg.Connection, item: dict, ctx: dict) -> None:
    _liveness(conn, item)
    exams_repo.get_exam(conn, item["exam_id"])
    exams_repo.saved_answers(conn, item["exam_id"])


def autosave(conn: psycopg.Connection, item: dict, ctx: dict) -> None:
    _liveness(conn, item)
    exams_repo.lock_exam(conn, item["exam_id"])
    exams_repo.upsert_answers(
        conn,
        item["exam_id"],
        [
            {"question_number": number, "question_id": question_id, "selected_choices": choices}
            for number, question_id, choices in item["answers"]
        ],
    )


def submit_mcq(conn: psycopg.Connection, item: dict, ctx: dict) -> None:
    now = datetime.now(UTC)
    exam_id = item["exam_id"]
    _liveness(conn, item)
    exams_repo.lock_exam(conn, exam_id)
    exams_repo.saved_answers(conn, exam_id)
    score, marked = Decimal(0), []
    for number, question_id, choices, correct in item["mcqs"]:
        right = choices == correct
        score += 1 if right else 0
        marked.append(
            {
                "question_number": number,
                "question_id": question_id,
                "selected_choices": choices,
                "is_correct": right,
                "marks_awarded": Decimal(1) if right else Decimal(0),
            }
        )
    exams_repo.record_mcq_results(conn, exam_id, marked)
    total = Decimal(len(item["mcqs"]))
    done = exams_repo.finish_mcq_part(
        conn,
        exam_instance_id=exam_id,
        new_status="submitted_mcq",
        submitted_at=now,
        mcq_score=score,
        mcq_total=total,
        mcq_percentage=(score * 100 / total).quantize(Decimal("0.01")),
        total_score=None,
        percentage=None,
    )
    if done is None:
        raise RuntimeError("exam already submitted")
    _audit(conn, "exam.mcq_submitted", item, "student", "exam", exam_id)


def results(conn: psycopg.Connection, item: dict, ctx: dict) -> None:
    exam_id = item["exam_id"]
    _liveness(conn, item)
    exams_repo.get_exam(conn, exam_id)
    exams_repo.saved_answers(conn, exam_id)
    exams_repo.question_marks_for_exam(conn, exam_id)
    exams_repo.unanswered_numbers(conn, exam_id)
    exams_repo.annotated_pages(conn, exam_id)
    exams_repo.upload_pages(conn, exam_id)


def _calendar(conn: psycopg.Connection, now: datetime) -> None:
    holiday_calendar(conn, now.date() - timedelta(days=400), now.date() + timedelta(days=400))


def teacher_queue(conn: psycopg.Connection, item: dict, ctx: dict) -> None:
    filters = {"teacher_user_id": item["user_id"], "statuses": ["assigned", "in_progress"], "breached": None}
    _liveness(conn, item)
    evaluations_repo.queue(conn, limit=20, offset=0, **filters)
    _calendar(conn, datetime.now(UTC))
    evaluations_repo.count_queue(conn, **filters)


def evaluation_view(conn: psycopg.Connection, item: dict, ctx: dict) -> None:
    _liveness(conn, item)
    queries("evaluations").get_evaluation(conn, evaluation_id=item["evaluation_id"])
    evaluations_repo.unanswered_numbers(conn, item["exam_id"])
    evaluations_repo.exam_pages(conn, item["evaluation_id"], item["exam_id"])
    _calendar(conn, datetime.now(UTC))


def submit_evaluation(conn: psycopg.Connection, item: dict, ctx: dict) -> None:
    now = datetime.now(UTC)
    evaluation_id, exam_id = item["evaluation_id"], item["exam_id"]
    _liveness(conn, item)
    queries("evaluations").lock_evaluation(conn, evaluation_id=evaluation_id)
    marks = []
    for number, question_id, possible, has_choice in item["written"]:
        awarded = Decimal(int(possible)) / 2
        counted = marking.AlternativeMark("a" if has_choice else "", question_id, awarded, Decimal(possible), None)
        marks.append(marking.QuestionMark(number, Decimal(possible), counted, (counted,) if has_choice else ()))
    evaluations_repo.insert_marks(conn, evaluation_id, marks)
    manual = marking.manual_total({m.question_number: m for m in marks})
    completed = evaluations_repo.complete_evaluation(
        conn, evaluation_id=evaluation_id, completed_at=now, total_manual_marks=manual
    )
    total = Decimal(str(item["mcq_score"])) + manual
    exam = evaluations_repo.record_exam_evaluated(
        conn,
        exam_instance_id=exam_id,
        manual_score=manual,
        total_score=total,
        percentage=(total * 100 / Decimal(str(item["total_marks"]))).quantize(Decimal("0.01")),
    )
    if completed is None or exam is None:
        raise RuntimeError("evaluation already submitted")
    audit_repo.insert_audit_logs(
        conn,
        actor_user_id=item["user_id"],
        actor_role="teacher",
        ip_address="127.0.0.1",
        events=Jsonb(
            [
                {
                    "event_type": "evaluation.completed",
                    "resource_type": "evaluation",
                    "resource_id": str(evaluation_id),
                },
                {"event_type": "score.updated", "resource_type": "exam", "resource_id": str(exam_id)},
            ]
        ),
    )
    recipients = [item["student_id"]] + [p["user_id"] for p in queries("parents").parents_of_student(
        conn, student_user_id=item["student_id"])]  # fmt: skip
    for user_id in recipients:
        recipient = notifications_repo.insert_notification_for_recipient(
            conn,
            user_id=user_id,
            event_type="evaluation.completed",
            title="Exam results are ready",
            body="Scored.",
            resource_type="exam",
            resource_id=str(exam_id),
        )
        notifications_repo.insert_outbox_email(
            conn,
            to_address=recipient["email"],
            subject="Exam results are ready",
            body_text="Scored.",
            body_html=None,
            event_type="evaluation.completed",
        )


def evaluation_flow(pool: ConnectionPool, item: dict, ctx: dict) -> None:
    """Two requests, two transactions: the teacher's view, then the submission."""
    with pool.connection() as conn:
        evaluation_view(conn, item, ctx)
    with pool.connection() as conn:
        submit_evaluation(conn, item, ctx)


def replay(conn: psycopg.Connection, item: dict, ctx: dict) -> None:
    """A recorded request: its statements, in order, in one transaction."""
    for query, params in item["statements"]:
        cursor = conn.execute(query, params)
        if cursor.description is not None:
            cursor.fetchall()


BUNDLES: dict[str, Callable] = {
    "start exam": start_exam,
    "get exam": get_exam,
    "autosave": autosave,
    "submit MCQ": submit_mcq,
    "results": results,
    "teacher queue": teacher_queue,
    "dashboard": replay,
    "leaderboard": replay,
    "users me": replay,
    "plans": replay,
    "question list": replay,
}
FLOWS: dict[str, Callable] = {"submit evaluation": evaluation_flow}


# --- the runner ------------------------------------------------------------------------------------


def _process(url: str, name: str, items: list[dict], ctx: dict, seconds: float, warmup: float, one_shot: bool):
    """One client process: THREADS threads over a pool of THREADS connections."""
    bundle, flow = BUNDLES.get(name), FLOWS.get(name)
    pool = ConnectionPool(url, min_size=THREADS, max_size=THREADS, kwargs={"row_factory": dict_row}, open=True)
    pool.wait(timeout=60)
    latencies: list[float] = []
    errors = [0]
    first_error: list[str] = []
    exhausted = [False]
    lock = threading.Lock()
    start = time.perf_counter()
    measure_from, measure_to = start + warmup, start + warmup + seconds

    def worker(index: int) -> None:
        mine = items[index::THREADS] if one_shot else items
        position = 0 if one_shot else index
        local: list[float] = []
        while True:
            began = time.perf_counter()
            if began >= measure_to:
                break
            if one_shot and position >= len(mine):
                exhausted[0] = True
                break
            item = mine[position % len(mine)]
            position += 1 if one_shot else THREADS
            try:
                if flow is not None:
                    flow(pool, item, ctx)
                else:
                    with pool.connection() as conn:
                        bundle(conn, item, ctx)
            except Exception:
                with lock:
                    errors[0] += 1
                    if not first_error:
                        first_error.append(traceback.format_exc(limit=3))
                continue
            ended = time.perf_counter()
            if measure_from <= began and ended <= measure_to:
                local.append((ended - began) * 1000)
        with lock:
            latencies.extend(local)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    pool.close()
    return latencies, errors[0], exhausted[0], first_error[0] if first_error else ""


def run_ceiling(
    url: str, name: str, items: list[dict], ctx: dict, seconds: float, warmup: float, one_shot: bool
) -> tuple[RunResult, str]:
    """PROCESSES processes x THREADS threads for ``warmup`` + ``seconds``; counts only
    bundles that started and ended inside the measured window."""
    shares = [items[p::PROCESSES] for p in range(PROCESSES)] if one_shot else [items] * PROCESSES
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=PROCESSES, mp_context=spawn) as executor:
        futures = [executor.submit(_process, url, name, share, ctx, seconds, warmup, one_shot) for share in shares]
        outcomes = [future.result() for future in futures]
    latencies = [value for outcome in outcomes for value in outcome[0]]
    errors = sum(outcome[1] for outcome in outcomes)
    notes = []
    if any(outcome[2] for outcome in outcomes):
        notes.append("item pool exhausted")
    first_error = next((outcome[3] for outcome in outcomes if outcome[3]), "")
    if first_error:
        notes.append(f"{errors} errors; first: {first_error.strip().splitlines()[-1]}")
    return result_from_latencies(latencies, seconds, errors), "; ".join(notes)


def median_of(runs: list[RunResult]) -> float:
    return statistics.median(r.rps for r in runs) if runs else 0.0
