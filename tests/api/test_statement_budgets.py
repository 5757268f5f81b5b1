"""SQL statements per request stay within their budgets (docs/benchmarks.md).

Counted at the driver: every statement the app's connections execute during one request,
transaction control (BEGIN, COMMIT, ROLLBACK, savepoints) and SET not counted — the same
rule `make bench` applies to pg_stat_statements. Each request is made once first, so the
figures are the steady state of a running process (cached reference data loaded); the
budgets are for the CBSE board paper of 38 questions over 13 chapters × 5 types.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest

from mathvidya.questions.template_defaults import default_templates
from tests.exam_fixtures import assign_to, connect, give_subscription, make_questions, private_unit, upload_page

NOT_COUNTED = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "SET", "START TRANSACTION")


class StatementCounter:
    """Counts statements executed by psycopg cursors on this thread while active."""

    def __init__(self) -> None:
        self.statements: list[str] = []
        self.in_transaction: list[bool] = []  # per counted statement: inside BEGIN … COMMIT?
        self.thread = threading.get_ident()
        self.active = False

    def record(self, query, times: int = 1, autocommit: bool = False) -> None:
        if not self.active or threading.get_ident() != self.thread:
            return
        text = query.as_string(None) if hasattr(query, "as_string") else str(query)
        text = text.decode() if isinstance(text, bytes) else text
        if not text.strip() or text.lstrip().upper().startswith(NOT_COUNTED):
            return  # an empty query is the pool's liveness check as it lends a connection
        self.statements.extend([" ".join(text.split())[:120]] * times)
        self.in_transaction.extend([not autocommit] * times)

    @contextmanager
    def counting(self) -> Iterator[list[str]]:
        self.statements, self.in_transaction = [], []
        self.active = True
        try:
            yield self.statements
        finally:
            self.active = False


@pytest.fixture
def counter(monkeypatch) -> StatementCounter:
    counter = StatementCounter()
    execute, executemany = psycopg.Cursor.execute, psycopg.Cursor.executemany

    def counted_execute(self, query, params=None, **kwargs):
        counter.record(query, autocommit=self.connection.autocommit)
        return execute(self, query, params, **kwargs)

    def counted_executemany(self, query, params_seq, **kwargs):
        params_seq = list(params_seq)
        counter.record(query, len(params_seq), autocommit=self.connection.autocommit)
        return executemany(self, query, params_seq, **kwargs)

    monkeypatch.setattr(psycopg.Cursor, "execute", counted_execute)
    monkeypatch.setattr(psycopg.Cursor, "executemany", counted_executemany)
    return counter


def assert_within(statements: list[str], budget: int, what: str) -> None:
    listing = "\n  ".join(statements)
    assert len(statements) <= budget, f"{what}: {len(statements)} statements (budget {budget}):\n  {listing}"


def measured(counter: StatementCounter, call):
    with counter.counting() as statements:
        response = call()
    return response, list(statements)


# --- a board paper on private chapters ------------------------------------------------------


QUESTIONS_PER_PAIR = 6  # enough for the largest (type, chapter) share of the paper


@pytest.fixture
def board_paper(app):
    return make_board_paper(app)


def make_board_paper(app):
    """The default CBSE board template (38 questions) over 13 private chapters with a bank."""
    board = next(t for t in default_templates() if t["class"] == "XII" and t["exam_type"] == "board_exam")
    tag = uuid.uuid4().hex[:8]
    rename = {chapter: f"{chapter} {tag}" for chapter in board["config"]["sections"][0]["unit_weightage"]}
    sections = [
        {**s, "unit_weightage": {rename[u]: w for u, w in s["unit_weightage"].items()}}
        for s in board["config"]["sections"]
    ]
    config = {**board["config"], "sections": sections}
    marks = {"MCQ": 1, "VSA": 2, "SA": 3, "LA": 5, "CASE": 4}
    with connect(app) as conn:
        conn.execute(
            "INSERT INTO questions (class, unit, topic, question_type, marks, question_text, mcq_choices, "
            "mcq_correct_choices, correct_answer_text, explanation, status) "
            "SELECT 'XII', u, 'topic', CAST(t AS question_type), m, t || ' ' || u || ' #' || i, "
            'CASE WHEN t = \'MCQ\' THEN \'[{"label":"A","text":"a"},{"label":"B","text":"b"},'
            '{"label":"C","text":"c"},{"label":"D","text":"d"}]\'::jsonb END, '
            "CASE WHEN t = 'MCQ' THEN ARRAY['A'] END, 'the answer', 'because', 'active' "
            "FROM unnest(%s::text[]) AS u, unnest(%s::text[], %s::int[]) AS x(t, m), generate_series(1, %s) AS i",
            (list(rename.values()), list(marks), list(marks.values()), QUESTIONS_PER_PAIR),
        )
        row = conn.execute(
            "INSERT INTO exam_templates (template_name, class, exam_type, config, total_marks, duration_minutes) "
            "VALUES (%s, 'XII', 'board_exam', %s, %s, %s) RETURNING template_id",
            (
                f"Board {tag}",
                psycopg.types.json.Jsonb(config),
                config["total_marks"],
                config["duration_minutes"],
            ),
        ).fetchone()
    return row["template_id"]


@pytest.fixture
def taker(app):
    return make_taker(app)


def make_taker(app):
    from tests.factories import link_parent, make_user

    student, parent = make_user(app, "student"), make_user(app, "parent")
    link_parent(app, parent, student)
    give_subscription(app, student, "centum")
    return student


def start(client, student, template_id):
    return client.post("/api/v1/exams/start", json={"template_id": str(template_id)}, headers=student["headers"])


def mcq_numbers(exam: dict) -> list[int]:
    return [q["question_number"] for q in exam["questions"] if q["question_type"] == "MCQ"]


# --- reads --------------------------------------------------------------------------------------


def test_users_me(client, make_user, counter):
    student = make_user("student")
    client.get("/api/v1/users/me", headers=student["headers"])
    response, statements = measured(counter, lambda: client.get("/api/v1/users/me", headers=student["headers"]))
    assert response.status_code == 200
    assert_within(statements, 2, "GET /users/me")


def test_read_only_views_skip_begin_and_commit_and_writes_keep_their_transaction(client, taker, counter):
    """Views marked db.autocommit_reads send no BEGIN/COMMIT; a writing request stays one
    transaction."""
    measured(counter, lambda: client.get("/api/v1/users/me", headers=taker["headers"]))
    assert counter.in_transaction and not any(counter.in_transaction)
    response, _ = measured(
        counter,
        lambda: client.patch("/api/v1/users/me", json={"school_name": "Kendriya"}, headers=taker["headers"]),
    )
    assert response.status_code == 200, response.get_json()
    assert counter.in_transaction and all(counter.in_transaction)
    measured(counter, lambda: client.get("/api/v1/users/me", headers=taker["headers"]))
    assert not any(counter.in_transaction)  # the pooled connection was given back in its normal mode


def test_subscription_plans(client, counter):
    client.get("/api/v1/subscriptions/plans")
    response, statements = measured(counter, lambda: client.get("/api/v1/subscriptions/plans"))
    assert response.status_code == 200 and response.get_json()["items"]
    assert_within(statements, 1, "GET /subscriptions/plans")
    assert statements == [], "a warm process serves the plans on sale from memory"


def test_question_list(client, make_user, counter):
    teacher = make_user("teacher")
    client.get("/api/v1/questions?limit=20", headers=teacher["headers"])
    response, statements = measured(
        counter, lambda: client.get("/api/v1/questions?limit=20", headers=teacher["headers"])
    )
    assert response.status_code == 200
    assert_within(statements, 3, "GET /questions")


def test_a_question_search_that_fits_one_page_is_not_counted(app, client, make_user, counter):
    teacher = make_user("teacher")
    unit = private_unit("search")
    make_questions(app, unit, "SA", 3)
    query = f"/api/v1/questions?limit=20&unit={unit}"
    client.get(query, headers=teacher["headers"])
    response, statements = measured(counter, lambda: client.get(query, headers=teacher["headers"]))
    body = response.get_json()
    assert response.status_code == 200 and 0 < len(body["items"]) < 20, body
    assert body["total"] == len(body["items"]) == 3
    assert len(statements) == 2 and not [s for s in statements if "count(" in s], statements


def test_login(client, make_user, counter):
    user = make_user("student")
    credentials = {"email": user["email"], "password": user["password"]}
    client.post("/api/v1/auth/login", json=credentials)
    response, statements = measured(counter, lambda: client.post("/api/v1/auth/login", json=credentials))
    assert response.status_code == 200
    assert_within(statements, 5, "POST /auth/login")


# --- taking an exam -----------------------------------------------------------------------------


def test_start_get_autosave_and_submit_a_board_paper(client, taker, board_paper, counter):
    start(client, taker, board_paper)  # a first exam: the student now has history to avoid
    response, statements = measured(counter, lambda: start(client, taker, board_paper))
    assert response.status_code == 201, response.get_json()
    exam = response.get_json()
    assert len(exam["questions"]) == 38
    assert_within(statements, 12, "POST /exams/start")

    exam_url = f"/api/v1/exams/{exam['exam_instance_id']}"
    response, statements = measured(counter, lambda: client.get(exam_url, headers=taker["headers"]))
    assert response.status_code == 200
    assert_within(statements, 3, "GET /exams/{id}")

    numbers = mcq_numbers(exam)
    answers = [{"question_number": n, "selected_choices": ["A"]} for n in numbers[:3]]
    response, statements = measured(
        counter, lambda: client.put(f"{exam_url}/answers", json={"answers": answers}, headers=taker["headers"])
    )
    assert response.status_code == 200, response.get_json()
    assert_within(statements, 4, "PUT /exams/{id}/answers")

    response, statements = measured(
        counter,
        lambda: client.post(f"{exam_url}/submit-mcq", json={"answers": answers[:1]}, headers=taker["headers"]),
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["mcq_total"] == 20
    assert_within(statements, 8, "POST /exams/{id}/submit-mcq")

    written = [q["question_number"] for q in exam["questions"] if q["question_type"] != "MCQ"]
    upload_page(client, taker, exam["exam_instance_id"], 1)
    upload_page(client, taker, exam["exam_instance_id"], 2)
    body = {
        "pages_uploaded": [1, 2],
        "unanswered_questions": written[-1:],
        "page_question_mapping": {"1": written[:9], "2": written[9:-1]},
    }
    response, statements = measured(
        counter, lambda: client.post(f"{exam_url}/confirm-upload", json=body, headers=taker["headers"])
    )
    assert response.status_code == 200, response.get_json()
    assert_within(statements, 10, "POST /exams/{id}/confirm-upload")

    # Once confirmed the view carries the turnaround figures: their holidays come with the exam.
    response, statements = measured(counter, lambda: client.get(exam_url, headers=taker["headers"]))
    assert response.status_code == 200 and response.get_json()["evaluation"]["status"] == "awaiting_teacher"
    assert_within(statements, 3, "GET /exams/{id} (confirmed)")


def test_evaluation_submit_then_dashboard_and_leaderboard(fresh_app, counter):
    """On a database of its own: the student's evaluated board paper is ranked by a
    leaderboard refresh, so the dashboard and leaderboard read a real standing."""
    from tests.factories import make_user

    app, client = fresh_app, fresh_app.test_client()
    taker, board_paper = make_taker(app), make_board_paper(app)
    exam = start(client, taker, board_paper).get_json()
    exam_url = f"/api/v1/exams/{exam['exam_instance_id']}"
    assert client.post(f"{exam_url}/submit-mcq", json={"answers": []}, headers=taker["headers"]).status_code == 200
    written = [q for q in exam["questions"] if q["question_type"] != "MCQ"]
    upload_page(client, taker, exam["exam_instance_id"], 1)
    body = {
        "pages_uploaded": [1],
        "unanswered_questions": [],
        "page_question_mapping": {"1": [q["question_number"] for q in written]},
        "attempted_choices": {str(q["question_number"]): "a" for q in written if q.get("alternatives")},
    }
    assert client.post(f"{exam_url}/confirm-upload", json=body, headers=taker["headers"]).status_code == 200
    teacher = make_user(app, "teacher")
    evaluation_id = assign_to(app, exam["exam_instance_id"], teacher)
    marks = [{"question_number": q["question_number"], "marks_awarded": 1} for q in written]
    response, statements = measured(
        counter,
        lambda: client.post(
            f"/api/v1/evaluations/{evaluation_id}/submit",
            json={"question_marks": marks},
            headers=teacher["headers"],
        ),
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "completed"
    assert_within(statements, 12, "POST /evaluations/{id}/submit")

    refresh_leaderboard(app)
    client.get("/api/v1/analytics/dashboard", headers=taker["headers"])
    response, statements = measured(
        counter, lambda: client.get("/api/v1/analytics/dashboard", headers=taker["headers"])
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["class_rank"]["rank"] == 1
    assert_within(statements, 8, "GET /analytics/dashboard")

    client.get("/api/v1/leaderboard", headers=taker["headers"])
    response, statements = measured(counter, lambda: client.get("/api/v1/leaderboard", headers=taker["headers"]))
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["user_rank"] == 1
    assert_within(statements, 4, "GET /leaderboard")


def refresh_leaderboard(app) -> None:
    from datetime import UTC, datetime

    from mathvidya.insights import service

    with connect(app) as conn:
        service.refresh_class_leaderboard(conn, "XII", datetime.now(UTC))
