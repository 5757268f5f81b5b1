"""`flask seed-demo` on a database of its own: run twice (the second run changes nothing),
then each demo user's first screens through the API show real data."""

from __future__ import annotations

import subprocess
import sys
import uuid
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest
import redis as redis_lib
import requests

from mathvidya import create_app
from mathvidya.db import POOL_KEY
from mathvidya.demo import CLASSMATES, DEMO_PASSWORD, DEMO_USERS, STUDENT_HISTORY
from mathvidya.demo.exams import BOARD, template_id
from tests.factories import process_env

ROOT = Path(__file__).resolve().parent.parent.parent
DEMO_REDIS_DB = 6  # its own Redis database: the jobs seeding enqueues stay out of other tests' queues
COUNTED_TABLES = (
    "users",
    "parent_student_mappings",
    "subscriptions",
    "questions",
    "exam_instances",
    "evaluations",
    "question_marks",
    "evaluation_annotations",
    "answer_sheet_uploads",
    "leaderboard_refreshes",
    "notifications",
    "audit_logs",
)


def _counts(database_url: str) -> dict[str, int]:
    with psycopg.connect(database_url) as conn:
        return {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in COUNTED_TABLES}


def _seed(settings) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "seed-demo"],
        cwd=ROOT,
        env=process_env(settings),
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def demo(settings, postgres_server, template_database):
    name = f"mv_demo_{uuid.uuid4().hex[:8]}"
    demo_settings = replace(
        settings,
        database_url=postgres_server.create_database(name, template=template_database),
        redis_url=settings.redis_url.rsplit("/", 1)[0] + f"/{DEMO_REDIS_DB}",
    )
    first = _seed(demo_settings)
    assert first.returncode == 0, first.stderr
    after_first = _counts(demo_settings.database_url)
    second = _seed(demo_settings)
    assert second.returncode == 0, second.stderr
    app = create_app(demo_settings)
    try:
        yield {"runs": (first, second), "counts": (after_first, _counts(demo_settings.database_url)), "app": app}
    finally:
        app.extensions[POOL_KEY].close()
        redis_lib.Redis.from_url(demo_settings.redis_url).flushdb()
        postgres_server.drop_database(name)


@pytest.fixture(scope="module")
def demo_client(demo):
    return demo["app"].test_client()


def _sign_in(client, role: str) -> dict:
    email = next(user.email for user in DEMO_USERS if user.role == role)
    response = client.post("/api/v1/auth/login", json={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    return {"Authorization": f"Bearer {body['access_token']}", "user_id": body["user"]["user_id"]}


def _headers(signed_in: dict) -> dict:
    return {"Authorization": signed_in["Authorization"]}


def test_seed_demo_twice_changes_nothing_and_prints_each_user_once(demo):
    first, second = demo["runs"]
    after_first, after_second = demo["counts"]
    assert after_first == after_second
    assert after_first["exam_instances"] == len(STUDENT_HISTORY) + 3 + 3 * len(CLASSMATES)

    def user_lines(output: str) -> list[str]:
        return [line for line in output.splitlines() if "password:" in line]

    assert user_lines(first.stdout) == user_lines(second.stdout)
    assert len(user_lines(first.stdout)) == len(DEMO_USERS)
    for user in DEMO_USERS:
        assert f"{user.email}" in first.stdout
    assert first.stdout.count("try first:") == len(DEMO_USERS)
    assert "questions: 0 added" in second.stdout
    assert "exam history: seeded" in first.stdout and "exam history: already there" in second.stdout


def test_demo_student_sees_a_full_dashboard_and_a_ranked_leaderboard(demo_client):
    student = _sign_in(demo_client, "student")
    dashboard = demo_client.get("/api/v1/analytics/dashboard", headers=_headers(student)).get_json()
    assert dashboard["subscription"]["plan_type"] == "premium"
    assert len(dashboard["recent_exams"]) >= 5
    assert len(dashboard["trend"]) == len(STUDENT_HISTORY)
    assert {row["exam_type"] for row in dashboard["scores_by_type"]} >= {"board_exam", "unit_practice", "section_mcq"}
    assert dashboard["predicted_board_score"] is not None, dashboard["predicted_board_score_reason"]
    assert dashboard["class_rank"]["out_of"] == len(CLASSMATES) + 1

    board = demo_client.get("/api/v1/leaderboard", headers=_headers(student)).get_json()
    assert board["eligible_count"] == len(CLASSMATES) + 1
    assert [row["rank"] for row in board["top_students"]] == list(range(1, len(CLASSMATES) + 2))
    assert sum(row["is_you"] for row in board["top_students"]) == 1


def test_demo_student_results_show_marks_comments_and_annotated_pages(demo_client):
    student = _sign_in(demo_client, "student")
    exams = demo_client.get("/api/v1/exams?limit=50", headers=_headers(student)).get_json()["items"]
    assert {exam["status"] for exam in exams} == {"evaluated", "pending_evaluation", "in_progress"}
    written = next(e for e in exams if e["status"] == "evaluated" and e["exam_type"] == "board_exam")
    results = demo_client.get(f"/api/v1/exams/{written['exam_instance_id']}/results", headers=_headers(student))
    body = results.get_json()
    assert results.status_code == 200 and body["manual_score"] is not None
    assert any(q.get("teacher_comment") for q in body["questions"])
    assert len(body["pages"]) >= 2 and all(page["annotated_url"] for page in body["pages"])
    annotated = requests.get(body["pages"][0]["annotated_url"], timeout=10)
    assert annotated.status_code == 200 and annotated.content[:3] == b"\xff\xd8\xff"


def test_demo_student_can_start_the_board_paper(demo_client):
    student = _sign_in(demo_client, "student")
    started = demo_client.post(
        "/api/v1/exams/start", json={"template_id": str(template_id("XII", BOARD))}, headers=_headers(student)
    )
    assert started.status_code == 201, started.get_json()
    assert len(started.get_json()["questions"]) == 38


def test_demo_teacher_has_answer_sheets_to_mark(demo_client):
    teacher = _sign_in(demo_client, "teacher")
    queue = demo_client.get("/api/v1/evaluations/queue", headers=_headers(teacher)).get_json()
    assert sorted(item["status"] for item in queue["items"]) == ["assigned", "in_progress"]
    started = next(item for item in queue["items"] if item["status"] == "in_progress")
    view = demo_client.get(f"/api/v1/evaluations/{started['evaluation_id']}", headers=_headers(teacher)).get_json()
    assert view["pages"] and all(page["annotations"] for page in view["pages"])


def test_demo_parent_sees_the_child(demo_client):
    parent = _sign_in(demo_client, "parent")
    children = demo_client.get("/api/v1/parents/me/children", headers=_headers(parent)).get_json()
    student = next(user for user in DEMO_USERS if user.role == "student")
    child = next(c for c in children["items"] if c["email"] == student.email)
    view = demo_client.get(f"/api/v1/analytics/parent-view/{child['student_user_id']}", headers=_headers(parent))
    assert view.status_code == 200
    assert len(view.get_json()["recent_exams"]) >= 5


def test_demo_admin_dashboard_has_figures(demo_client):
    admin = _sign_in(demo_client, "admin")
    dashboard = demo_client.get("/api/v1/admin/dashboard", headers=_headers(admin)).get_json()
    assert dashboard["students"]
    assert dashboard["evaluations"]


def test_seed_demo_refuses_to_run_in_production(app, settings):
    from mathvidya.cli import seed_demo_command

    production = create_app(replace(settings, env="production"))
    try:
        result = production.test_cli_runner().invoke(seed_demo_command)
    finally:
        production.extensions[POOL_KEY].close()
    assert result.exit_code == 1
    assert "does not run in production" in result.output
