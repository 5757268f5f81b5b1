"""The API through PgBouncer in transaction mode (docs/scaling.md): sign in, start an exam,
autosave, submit the MCQ part, read the results — with DB_PREPARED_STATEMENTS=off, as
deployed behind PgBouncer. The bouncer's server pool is smaller than the app's pool, so
consecutive transactions of one app connection run on different server connections."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.exam_fixtures import give_subscription, make_questions, make_template, private_unit, section

REPEATS = 8  # more than psycopg's prepare threshold (5): a prepared statement would be reused


@pytest.fixture
def bounced_app(settings, pgbouncer_url):
    from mathvidya import create_app
    from mathvidya.db import POOL_KEY

    application = create_app(replace(settings, database_url=pgbouncer_url, db_prepared_statements=False))
    yield application
    application.extensions[POOL_KEY].close()


def test_the_exam_journey_runs_through_pgbouncer(bounced_app):
    from tests.factories import link_parent, make_user

    app, client = bounced_app, bounced_app.test_client()
    student, parent = make_user(app, "student"), make_user(app, "parent")
    link_parent(app, parent, student)
    give_subscription(app, student, "premium")
    unit = private_unit("bouncer")
    make_questions(app, unit, "MCQ", 6, correct=("B",))
    template = make_template(app, [section("A", "MCQ", 4, {unit: 1.0})], exam_type="section_mcq")

    signed_in = client.post("/api/v1/auth/login", json={"email": student["email"], "password": student["password"]})
    assert signed_in.status_code == 200, signed_in.get_json()
    headers = {"Authorization": f"Bearer {signed_in.get_json()['access_token']}"}

    started = client.post("/api/v1/exams/start", json={"template_id": str(template)}, headers=headers)
    assert started.status_code == 201, started.get_json()
    exam = started.get_json()
    exam_url = f"/api/v1/exams/{exam['exam_instance_id']}"
    numbers = [q["question_number"] for q in exam["questions"]]

    for i in range(REPEATS):
        choice = "B" if i == REPEATS - 1 else "A"
        saved = client.put(
            f"{exam_url}/answers",
            json={"answers": [{"question_number": n, "selected_choices": [choice]} for n in numbers[:2]]},
            headers=headers,
        )
        assert saved.status_code == 200, saved.get_json()
        assert client.get(exam_url, headers=headers).status_code == 200

    submitted = client.post(f"{exam_url}/submit-mcq", json={"answers": []}, headers=headers)
    assert submitted.status_code == 200, submitted.get_json()
    body = submitted.get_json()
    assert body["status"] == "evaluated" and body["mcq_score"] == 2 and body["mcq_total"] == 4

    results = client.get(f"{exam_url}/results", headers=headers)
    assert results.status_code == 200 and results.get_json()["total_score"] == 2


def test_prepared_statements_can_be_switched_off():
    from mathvidya.config import load_settings
    from mathvidya.db import connection_kwargs

    assert load_settings({"DB_PREPARED_STATEMENTS": "off"}).db_prepared_statements is False
    assert load_settings({}).db_prepared_statements is True
    assert connection_kwargs(prepared_statements=False)["prepare_threshold"] is None
    assert "prepare_threshold" not in connection_kwargs(prepared_statements=True)
