"""What each endpoint is driven with: the requests (token, path, body) wrk sends, the items
the ceiling's SQL bundles take, and how one-shot pools are put back between runs."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg

from mathvidya.exams import assembly, service
from tools.bench import seed, tokens

RESULTS_SAMPLE = 2000
RECORDED_REQUESTS = 150


@dataclass
class Endpoint:
    name: str
    method: str
    path_label: str
    requests: list[tuple[str, str, str | None]]
    ceiling_items: list[dict]
    reset: Callable[[], None] | None = None
    one_shot: bool = False
    kind: str = "wrk"  # or "flow" (the Python client)
    note: str = ""
    flow_items: list[dict] = field(default_factory=list)
    park: Callable[[], None] | None = None  # takes a pool out of the live data between its phases


def _rows(conn: psycopg.Connection, query: str) -> list[tuple]:
    return conn.execute(query).fetchall()


def _reset_runner(url: str, statements: list[str]) -> Callable[[], None]:
    def reset() -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement)

    return reset


def _has(conn: psycopg.Connection, table: str, column: str | None = None) -> bool:
    if column is None:
        return conn.execute("SELECT to_regclass(%s) IS NOT NULL", (table,)).fetchone()[0]
    return bool(
        conn.execute(
            "SELECT 1 FROM information_schema.columns WHERE table_name = %s AND column_name = %s", (table, column)
        ).fetchone()
    )


def reset_statements(conn: psycopg.Connection) -> dict[str, list[str]]:
    """SQL that puts each one-shot pool back as it was seeded (what the app derived on the way
    too: per-unit scores and the evaluated_at stamp, when the schema has them)."""
    unit_scores = _has(conn, "exam_unit_scores")
    evaluated_at = _has(conn, "exam_instances", "evaluated_at")
    return {
        "start exam": [
            "UPDATE subscriptions SET exams_used_this_period = 0 WHERE exams_used_this_period > 0 AND status = 'active'"
        ],  # fmt: skip
        "submit MCQ": [
            """DELETE FROM student_mcq_answers a USING bench.pool p
               WHERE p.kind = 'submit_mcq' AND a.exam_instance_id = p.exam_id AND a.question_number > 5""",
            """UPDATE student_mcq_answers a SET selected_choices = '{A}', is_correct = NULL, marks_awarded = NULL
               FROM bench.pool p WHERE p.kind = 'submit_mcq' AND a.exam_instance_id = p.exam_id
                 AND a.is_correct IS NOT NULL""",
            """UPDATE exam_instances e SET status = 'in_progress', mcq_submitted_at = NULL, submitted_at = NULL,
                      mcq_score = NULL, mcq_total = NULL, mcq_percentage = NULL, total_score = NULL,
                      percentage = NULL
               FROM bench.pool p WHERE p.kind = 'submit_mcq' AND e.exam_instance_id = p.exam_id
                 AND e.status <> 'in_progress'""",
        ],
        "submit evaluation": [
            """DELETE FROM question_marks m USING bench.pool p
               WHERE p.kind = 'submit_evaluation' AND m.evaluation_id = p.evaluation_id""",
            *(
                [
                    """DELETE FROM exam_unit_scores s USING bench.pool p
                       WHERE p.kind = 'submit_evaluation' AND s.exam_instance_id = p.exam_id"""
                ]
                if unit_scores
                else []
            ),
            """UPDATE evaluations ev SET status = 'assigned', started_at = NULL, completed_at = NULL,
                      total_manual_marks = NULL, sla_breached = false
               FROM bench.pool p WHERE p.kind = 'submit_evaluation' AND ev.evaluation_id = p.evaluation_id
                 AND ev.status = 'completed'""",
            f"""UPDATE exam_instances e SET status = 'pending_evaluation', manual_score = NULL, total_score = NULL,
                       percentage = NULL{", evaluated_at = NULL" if evaluated_at else ""}
                FROM bench.pool p WHERE p.kind = 'submit_evaluation' AND e.exam_instance_id = p.exam_id
                  AND e.status = 'evaluated'""",
        ],
    }


PARK_SUBMIT_EVALUATION = [
    # The pool's evaluations count as completed (marked 0) while other endpoints run, so the
    # open set the teacher queues and assignment see stays the seeded few hundred.
    """UPDATE evaluations ev SET status = 'completed', completed_at = ev.assigned_at + interval '2 hours',
              total_manual_marks = 0
       FROM bench.pool p WHERE p.kind = 'submit_evaluation' AND ev.evaluation_id = p.evaluation_id
         AND ev.status <> 'completed'""",
    """UPDATE exam_instances e SET status = 'evaluated', manual_score = 0, total_score = e.mcq_score,
              percentage = round(100 * e.mcq_score / e.total_marks, 2)
       FROM bench.pool p WHERE p.kind = 'submit_evaluation' AND e.exam_instance_id = p.exam_id
         AND e.status <> 'evaluated'""",
]


def token_users(conn: psycopg.Connection, cfg) -> list[tuple[UUID, str]]:
    """Everyone the load signs in as."""
    load = seed.load_students_sql(max(cfg.students // 10, 50))
    rows = _rows(
        conn,
        f"""SELECT user_id, 'student' FROM bench.students WHERE i IN ({load}) OR i = 0
            UNION SELECT student_id, 'student' FROM bench.pool WHERE kind IN ('taking', 'submit_mcq')
            UNION SELECT student_id, 'student' FROM (
                SELECT student_id FROM bench.pool WHERE kind = 'evaluated' AND evaluation_id IS NOT NULL
                ORDER BY exam_id LIMIT {RESULTS_SAMPLE}) r
            UNION SELECT user_id, 'teacher' FROM bench.teachers""",
    )
    return [(row[0], row[1]) for row in rows]


def _mcq_numbers(conn: psycopg.Connection, kind: str) -> dict[UUID, list[tuple[int, str, list[str]]]]:
    rows = _rows(
        conn,
        f"""SELECT p.exam_id, (q ->> 'question_number')::int, q ->> 'question_id',
                   ARRAY(SELECT jsonb_array_elements_text(q -> 'mcq_correct_choices'))
            FROM bench.pool p JOIN exam_instances e ON e.exam_instance_id = p.exam_id,
                 jsonb_array_elements(e.exam_snapshot -> 'questions') q
            WHERE p.kind = '{kind}' AND q ->> 'question_type' = 'MCQ'
            ORDER BY 1, 2""",
    )
    found: dict[UUID, list] = {}
    for exam_id, number, question_id, correct in rows:
        found.setdefault(exam_id, []).append((number, question_id, correct))
    return found


def _start_context(conn: psycopg.Connection) -> dict[str, Any]:
    """Per board template: the (type, unit, limit, take) sampling plan start_exam follows, and
    a seeded snapshot of that template to insert."""
    from psycopg.rows import dict_row

    plans, snapshots = {}, {}
    with conn.cursor(row_factory=dict_row) as cur:
        templates = cur.execute(
            "SELECT template_id, template_name, class, exam_type, specific_unit, config, total_marks, "
            "duration_minutes FROM exam_templates WHERE exam_type = 'board_exam' AND is_active"
        ).fetchall()
        for template in templates:
            sections = service._section_specs(template)
            takes: dict[tuple[str, str], int] = {}
            for section in sections:
                split = assembly.split_by_weight(section.question_count, section.unit_weightage)
                for unit in section.unit_weightage:
                    key = (section.question_type, unit)
                    takes[key] = takes.get(key, 0) + split[unit]
            plans[str(template["template_id"])] = {
                "limits": service.sampling_limits(sections),
                "takes": takes,
            }
            snapshot = cur.execute(
                "SELECT exam_snapshot FROM exam_instances WHERE template_id = %s LIMIT 1", (template["template_id"],)
            ).fetchone()
            snapshots[str(template["template_id"])] = snapshot["exam_snapshot"] if snapshot else {"questions": []}
    return {"plans": plans, "snapshots": snapshots}


def build(conn: psycopg.Connection, url: str, cfg, minted: dict[UUID, dict]) -> tuple[list[Endpoint], dict]:
    """The endpoints in the order they are driven, and the ceiling's shared context."""

    def who(user_id: UUID) -> dict:
        return {"user_id": user_id, "family_id": minted[user_id]["family_id"]}

    def token(user_id: UUID) -> str:
        return minted[user_id]["token"]

    resets = {name: _reset_runner(url, sql) for name, sql in reset_statements(conn).items()}
    endpoints: list[Endpoint] = []

    load = seed.load_students_sql(max(cfg.students // 10, 50))
    boards = dict(_rows(conn, "SELECT class, template_id FROM bench.templates WHERE exam_type = 'board_exam'"))
    starters = _rows(conn, f"SELECT user_id, class FROM bench.students WHERE i IN ({load}) ORDER BY i")
    endpoints.append(
        Endpoint(
            "start exam",
            "POST",
            "/exams/start (board exam)",
            [(token(u), "/api/v1/exams/start", json.dumps({"template_id": str(boards[c])})) for u, c in starters],
            [{**who(u), "template_id": boards[c]} for u, c in starters],
            reset=resets["start exam"],
        )
    )

    taking = _rows(conn, "SELECT exam_id, student_id FROM bench.pool WHERE kind = 'taking' ORDER BY exam_id")
    endpoints.append(
        Endpoint(
            "get exam",
            "GET",
            "/exams/{id} (in progress, owner)",
            [(token(s), f"/api/v1/exams/{e}", None) for e, s in taking],
            [{**who(s), "exam_id": e} for e, s in taking],
        )
    )

    mcqs = _mcq_numbers(conn, "taking")
    autosave_requests, autosave_items = [], []
    for variant in range(3):
        for index, (exam_id, student) in enumerate(taking):
            numbers = mcqs[exam_id]
            picked = [numbers[(variant * 3 + k + index) % len(numbers)] for k in range(3)]
            answers = [(n, qid, ["ABCD"[(n + variant) % 4]]) for n, qid, _ in picked]
            body = {"answers": [{"question_number": n, "selected_choices": c} for n, _, c in answers]}
            autosave_requests.append((token(student), f"/api/v1/exams/{exam_id}/answers", json.dumps(body)))
            autosave_items.append({**who(student), "exam_id": exam_id, "answers": answers})
    endpoints.append(Endpoint("autosave", "PUT", "/exams/{id}/answers (3 answers)", autosave_requests, autosave_items))

    submit_pool = _rows(conn, "SELECT exam_id, student_id FROM bench.pool WHERE kind = 'submit_mcq' ORDER BY exam_id")
    pool_mcqs = _mcq_numbers(conn, "submit_mcq")
    submit_requests, submit_items = [], []
    for index, (exam_id, student) in enumerate(submit_pool):
        answers = [(n, qid, ["ABCD"[(n + index) % 4]], correct) for n, qid, correct in pool_mcqs[exam_id]]
        body = {"answers": [{"question_number": n, "selected_choices": c} for n, _, c, _ in answers]}
        submit_requests.append((token(student), f"/api/v1/exams/{exam_id}/submit-mcq", json.dumps(body)))
        submit_items.append({**who(student), "exam_id": exam_id, "mcqs": answers})
    endpoints.append(
        Endpoint(
            "submit MCQ",
            "POST",
            "/exams/{id}/submit-mcq (20 MCQs)",
            submit_requests,
            submit_items,
            reset=resets["submit MCQ"],
            one_shot=True,
        )
    )

    evaluated = _rows(
        conn,
        f"""SELECT exam_id, student_id FROM bench.pool WHERE kind = 'evaluated' AND evaluation_id IS NOT NULL
            ORDER BY exam_id LIMIT {RESULTS_SAMPLE}""",
    )
    endpoints.append(
        Endpoint(
            "results",
            "GET",
            "/exams/{id}/results (evaluated, written)",
            [(token(s), f"/api/v1/exams/{e}/results", None) for e, s in evaluated],
            [{**who(s), "exam_id": e} for e, s in evaluated],
        )
    )

    dashboard_students = sorted({s for _, s in evaluated}, key=str)
    endpoints.append(
        Endpoint(
            "dashboard",
            "GET",
            "/analytics/dashboard (student)",
            [(token(s), "/api/v1/analytics/dashboard", None) for s in dashboard_students],
            [],
        )
    )
    eligible = _rows(
        conn,
        f"SELECT user_id, class FROM bench.students WHERE i IN ({load}) AND plan_type IN {seed.LOAD_PLANS} ORDER BY i",
    )
    endpoints.append(
        Endpoint(
            "leaderboard",
            "GET",
            "/leaderboard?class= (eligible student)",
            [(token(u), f"/api/v1/leaderboard?class={c}", None) for u, c in eligible],
            [],
        )
    )

    teachers = [row[0] for row in _rows(conn, "SELECT user_id FROM bench.teachers WHERE kind = 'queue' ORDER BY k")]
    endpoints.append(
        Endpoint(
            "teacher queue",
            "GET",
            "/evaluations/queue (teacher, 20 per page)",
            [(token(t), "/api/v1/evaluations/queue", None) for t in teachers],
            [who(t) for t in teachers],
        )
    )

    written = _rows(
        conn,
        """SELECT p.evaluation_id, (q ->> 'question_number')::int,
                  coalesce(q ->> 'question_id', q -> 'alternatives' -> 0 ->> 'question_id'), (q ->> 'marks')::numeric,
                  q ? 'alternatives'
           FROM bench.pool p JOIN exam_instances e ON e.exam_instance_id = p.exam_id,
                jsonb_array_elements(e.exam_snapshot -> 'questions') q
           WHERE p.kind = 'submit_evaluation' AND q ->> 'question_type' <> 'MCQ' ORDER BY 1, 2""",
    )
    marks: dict[UUID, list] = {}
    for evaluation_id, number, question_id, possible, has_choice in written:
        marks.setdefault(evaluation_id, []).append((number, question_id, int(possible), has_choice))
    flows = _rows(
        conn,
        """SELECT p.evaluation_id, p.exam_id, p.student_id, ev.teacher_user_id, e.mcq_score, e.total_marks
           FROM bench.pool p JOIN evaluations ev ON ev.evaluation_id = p.evaluation_id
           JOIN exam_instances e ON e.exam_instance_id = p.exam_id
           WHERE p.kind = 'submit_evaluation' ORDER BY p.evaluation_id""",
    )
    endpoints.append(
        Endpoint(
            "submit evaluation",
            "GET+POST",
            "/evaluations/{id} then /evaluations/{id}/submit (18 marks)",
            [],
            [
                {
                    **who(t),
                    "evaluation_id": ev,
                    "exam_id": ex,
                    "student_id": st,
                    "written": marks[ev],
                    "mcq_score": float(score),
                    "total_marks": float(total),
                }
                for ev, ex, st, t, score, total in flows
            ],  # fmt: skip
            reset=resets["submit evaluation"],
            park=_reset_runner(url, PARK_SUBMIT_EVALUATION),
            one_shot=True,
            kind="flow",
            flow_items=[{"token": token(t), "evaluation_id": ev} for ev, _, _, t, _, _ in flows],
        )
    )
    endpoints += _reference_reads(starters, teachers, token)
    return endpoints, _start_context(conn)


def _reference_reads(starters: list[tuple], teachers: list, token: Callable[[UUID], str]) -> list[Endpoint]:
    """The small reads every client makes: the profile, the plans, a page of the bank.
    Their ceilings are recorded (the app's own statements, replayed). First the framework's
    floor: /healthz does no I/O, so its req/s is what gunicorn and Flask give a request that
    does nothing, the most any endpoint can reach on this machine."""
    return [
        Endpoint(
            "healthz",
            "GET",
            "/healthz (no I/O: the floor)",
            [(token(u), "/healthz", None) for u, _ in starters[:50]],
            [],
        ),
        Endpoint(
            "users me", "GET", "/users/me (student)", [(token(u), "/api/v1/users/me", None) for u, _ in starters], []
        ),
        Endpoint(
            "plans",
            "GET",
            "/subscriptions/plans (public)",
            [(token(u), "/api/v1/subscriptions/plans", None) for u, _ in starters[:50]],
            [],
        ),
        Endpoint(
            "question list",
            "GET",
            "/questions?limit=20 (teacher)",
            [(token(t), "/api/v1/questions?limit=20", None) for t in teachers],
            [],
        ),
    ]


def write_lua(endpoint: Endpoint, folder: Path) -> Path:
    return tokens.write_lua_items(folder / f"{endpoint.name.replace(' ', '_')}.lua", endpoint.requests)


# --- recording the SQL of endpoints the bench has no bundle for ------------------------------------

_recording = threading.local()


def record_requests(app, requests: list[tuple[str, str, str | None]], method: str = "GET") -> list[dict]:
    """Serve each request in-process (Flask test client) and capture every statement the app
    sends; returns ceiling items {statements: [(sql, params), ...]} of the 2xx requests."""
    original = psycopg.Cursor.execute

    def execute(self, query, params=None, *args, **kwargs):
        statements = getattr(_recording, "statements", None)
        if statements is not None:
            text = query if isinstance(query, str | bytes) else query.as_string(self.connection)
            statements.append((text, params))
        return original(self, query, params, *args, **kwargs)

    client = app.test_client()
    items = []
    psycopg.Cursor.execute = execute
    try:
        for token, path, body in requests[:RECORDED_REQUESTS]:
            _recording.statements = []
            response = client.open(
                path, method=method, headers={"Authorization": f"Bearer {token}"}, data=body,
                content_type="application/json" if body else None,
            )  # fmt: skip
            statements, _recording.statements = _recording.statements, None
            if response.status_code == 200 and statements:
                items.append({"statements": statements})
    finally:
        psycopg.Cursor.execute = original
        _recording.statements = None
    return items
