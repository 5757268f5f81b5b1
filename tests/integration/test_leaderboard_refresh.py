"""Coalesced leaderboard refreshes with a real Redis and a real `python -m mathvidya.worker
--burst`: a burst of 20 evaluations gives one refresh; a request arriving while a refresh
is running gives exactly one more; Redis being down never fails the caller.

Each test has a database and a Redis database (index 9) of its own, so no other test's
queued jobs or waiting keys mix in.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import psycopg
import pytest
import redis as redis_lib
from psycopg.rows import dict_row
from rq import Queue

from mathvidya import create_app, job_requests
from mathvidya import db as db_module
from mathvidya.insights import jobs, service
from tests.exam_fixtures import (
    assign_to,
    confirmed_exam,
    give_subscription,
    make_questions,
    make_template,
    private_unit,
    section,
)
from tests.factories import make_user, process_env

ROOT = Path(__file__).resolve().parent.parent.parent
PRIVATE_REDIS_DB = 9


@pytest.fixture
def private(settings, fresh_database_url):
    """An app on its own database and its own Redis database (its pool closed afterwards)."""
    redis_url = settings.redis_url.rsplit("/", 1)[0] + f"/{PRIVATE_REDIS_DB}"
    connection = redis_lib.Redis.from_url(redis_url)
    connection.flushdb()
    own = dataclasses.replace(settings, database_url=fresh_database_url, redis_url=redis_url)
    application = create_app(own)
    yield SimpleNamespace(app=application, client=application.test_client(), settings=own, redis=connection)
    application.extensions[db_module.POOL_KEY].close()
    connection.flushdb()


def run_worker(settings) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mathvidya.worker", "--burst"],
        cwd=ROOT,
        env=process_env(settings),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr


def refreshes(settings) -> list[dict]:
    with psycopg.connect(settings.database_url, row_factory=dict_row) as conn:
        return conn.execute(
            "SELECT refresh_id, reason, eligible_count, exams_counted FROM leaderboard_refreshes "
            "WHERE class = 'XII' ORDER BY computed_at"
        ).fetchall()


def analytics_queue(private) -> Queue:
    return Queue("analytics", connection=private.redis)


def student_with_parent(private, plan="premium") -> dict:
    student, parent = make_user(private.app, "student"), make_user(private.app, "parent", signed_in=False)
    with psycopg.connect(private.settings.database_url) as conn:
        conn.execute(
            "INSERT INTO parent_student_mappings (parent_user_id, student_user_id) VALUES (%s, %s)",
            (parent["user_id"], student["user_id"]),
        )
    give_subscription(private.app, student, plan)
    return student


def test_a_burst_of_20_evaluations_gives_one_refresh(private):
    app, client = private.app, private.client
    unit = private_unit("burst")
    make_questions(app, unit, "MCQ", 6)
    make_questions(app, unit, "VSA", 2)
    mcq_only = make_template(app, [section("A", "MCQ", 2, {unit: 1.0})], exam_type="section_mcq")
    written = make_template(app, [section("A", "MCQ", 1, {unit: 1.0}), section("B", "VSA", 1, {unit: 1.0})])
    teacher = make_user(app, "teacher")
    students = [student_with_parent(private) for _ in range(4)]

    # 18 MCQ-only exams, evaluated at MCQ submission ...
    for i in range(18):
        student = students[i % 4]
        exam = client.post("/api/v1/exams/start", json={"template_id": str(mcq_only)}, headers=student["headers"])
        assert exam.status_code == 201, exam.get_json()
        done = client.post(
            f"/api/v1/exams/{exam.get_json()['exam_instance_id']}/submit-mcq",
            json={"answers": [{"question_number": 1, "selected_choices": ["A"]}]},
            headers=student["headers"],
        )
        assert done.get_json()["status"] == "evaluated"
    # ... and 2 written exams marked by a teacher.
    for student in students[:2]:
        exam = confirmed_exam(client, student, written, mcq_answers={1: ["A"]})
        evaluation_id = assign_to(app, exam["exam_instance_id"], teacher)
        marked = client.post(
            f"/api/v1/evaluations/{evaluation_id}/submit",
            json={"question_marks": [{"question_number": 2, "marks_awarded": 2}]},
            headers=teacher["headers"],
        )
        assert marked.status_code == 200, marked.get_json()

    assert analytics_queue(private).count == 1  # 20 requests, one job waiting
    assert private.redis.exists(job_requests.waiting_key("XII"))
    run_worker(private.settings)

    done = refreshes(private.settings)
    assert len(done) == 1  # the issue allows 2; all 20 committed before the worker ran
    assert done[-1]["reason"] == "evaluation"
    assert done[-1]["eligible_count"] == 4 and done[-1]["exams_counted"] == 20
    assert analytics_queue(private).count == 0 and not private.redis.exists(job_requests.waiting_key("XII"))
    assert private.redis.keys("rq:job:leaderboard-*") == []  # result_ttl=0: no finished job kept

    # The next evaluation is not blocked by the finished job: it queues a new refresh.
    assert job_requests.request_leaderboard_refresh(private.settings, "XII") is True
    body = client.get("/api/v1/leaderboard", headers=students[0]["headers"]).get_json()
    assert body["refresh_id"] == str(done[-1]["refresh_id"]) and len(body["top_students"]) == 4


def test_a_request_during_a_running_refresh_queues_exactly_one_more(private, monkeypatch):
    student = student_with_parent(private)
    with psycopg.connect(private.settings.database_url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO exam_instances (student_user_id, template_id, exam_type, class, status, seed, exam_snapshot, "
            "total_marks, duration_minutes, total_score, percentage) SELECT %s, template_id, 'board_exam', 'XII', "
            "'evaluated', 1, '{}', 80, 180, 40, 50 FROM exam_templates WHERE class = 'XII' AND exam_type = "
            "'board_exam' LIMIT 1",
            (student["user_id"],),
        )
    assert job_requests.request_leaderboard_refresh(private.settings, "XII") is True
    assert job_requests.request_leaderboard_refresh(private.settings, "XII") is False  # coalesced into the waiting job
    queue = analytics_queue(private)
    [waiting] = queue.job_ids
    queue.remove(waiting)  # a worker takes the job ...

    fired = []
    real_refresh = service.refresh_class_leaderboard

    def evaluations_commit_meanwhile(conn, school_class, as_of, reason="manual"):
        fired.append(job_requests.request_leaderboard_refresh(private.settings, school_class))
        fired.append(job_requests.request_leaderboard_refresh(private.settings, school_class))
        return real_refresh(conn, school_class, as_of, reason)

    monkeypatch.setattr(service, "refresh_class_leaderboard", evaluations_commit_meanwhile)
    with db_module.job_connection(private.settings.database_url) as conn:
        jobs.run_requested_refresh(conn, private.settings, "XII")  # ... and runs it
    monkeypatch.setattr(service, "refresh_class_leaderboard", real_refresh)
    assert fired == [True, False]  # one more refresh queued, the second request folded into it
    assert queue.count == 1

    run_worker(private.settings)
    done = refreshes(private.settings)
    assert len(done) == 2 and all(r["reason"] == "evaluation" for r in done)
    assert queue.count == 0 and not private.redis.exists(job_requests.waiting_key("XII"))


def test_an_unreachable_redis_never_fails_the_caller(private):
    dead = dataclasses.replace(private.settings, redis_url="redis://127.0.0.1:1/0")
    assert job_requests.request_leaderboard_refresh(dead, "XII") is False
    # The nightly refresh makes the ranking right regardless.
    with db_module.job_connection(private.settings.database_url) as conn:
        assert jobs.refresh_leaderboards(conn, private.settings, datetime.now(UTC)) == 0
    assert [r["reason"] for r in refreshes(private.settings)] == ["nightly"]
