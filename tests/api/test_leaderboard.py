"""GET /leaderboard and the recorded refreshes behind it, on a database of each test's own
(exact ranks need a class no other test writes to): ties and the stable order,
eligibility per plan, the caller's rank outside the top, the initials opt-out, parents and
admins, expiry at the next refresh, and reproducing a recorded ranking."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import psycopg
import pytest
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from mathvidya.insights import leaderboard, service
from mathvidya.jobs.registry import run_job
from mathvidya.questions.template_defaults import default_templates
from tests.factories import make_user

BOARD_TEMPLATE = {t["class"]: t["template_id"] for t in default_templates() if t["exam_type"] == "board_exam"}


@pytest.fixture
def world(fresh_app, fresh_database_url):
    """An app on an empty database of this test's own."""
    return SimpleNamespace(
        app=fresh_app, client=fresh_app.test_client(), settings=fresh_app.config["SETTINGS"], url=fresh_database_url
    )


def connect(world):
    return psycopg.connect(world.url, row_factory=dict_row, autocommit=True)


def add_student(world, first="Stu", last="Dent", school_class="XII", *, initials=False, photo_key=None) -> uuid.UUID:
    with connect(world) as conn:
        return conn.execute(
            "INSERT INTO users (email, password_hash, role, first_name, last_name, student_class, "
            "show_on_leaderboard_as_initials, photo_key) VALUES (%s, 'x', 'student', %s, %s, %s, %s, %s) "
            "RETURNING user_id",
            (f"s-{uuid.uuid4().hex[:10]}@example.com", first, last, school_class, initials, photo_key),
        ).fetchone()["user_id"]


def subscribe(world, student_id, plan_type="premium", *, start=None, end=None) -> uuid.UUID:
    today = date.today()
    start = start or today - timedelta(days=1)
    with connect(world) as conn:
        return conn.execute(
            "INSERT INTO subscriptions (student_user_id, plan_id, status, start_date, end_date, billing_day_of_month) "
            "SELECT %s, plan_id, 'active', %s, %s, %s FROM subscription_plans WHERE plan_type = %s "
            "RETURNING subscription_id",
            (student_id, start, end or today + timedelta(days=29), min(start.day, 28), plan_type),
        ).fetchone()["subscription_id"]


def evaluated(world, student_id, *percentages: str, school_class="XII", evaluated_at=None) -> list[uuid.UUID]:
    ids = []
    with connect(world) as conn:
        for pct in percentages:
            ids.append(
                conn.execute(
                    "INSERT INTO exam_instances (student_user_id, template_id, exam_type, class, status, seed, "
                    "exam_snapshot, total_marks, duration_minutes, started_at, submitted_at, total_score, "
                    "percentage, evaluated_at) VALUES (%s, %s, 'board_exam', %s, 'evaluated', 1, %s, 100, 180, "
                    "now(), now(), %s, %s, %s) RETURNING exam_instance_id",
                    (
                        student_id,
                        BOARD_TEMPLATE[school_class],
                        school_class,
                        Jsonb({"questions": []}),
                        Decimal(pct),
                        Decimal(pct),
                        evaluated_at,
                    ),
                ).fetchone()["exam_instance_id"]
            )
    return ids


def refresh(world, school_class="XII", as_of=None) -> service.RefreshResult:
    with psycopg.connect(world.url, row_factory=dict_row) as conn:
        result = service.refresh_class_leaderboard(conn, school_class, as_of or datetime.now(UTC))
        conn.commit()
    return result


def caller(world, role="student", school_class="XII", plan="premium", **kw):
    user = make_user(world.app, role, student_class=school_class if role == "student" else None, **kw)
    if role == "student" and plan:
        subscribe(world, user["user_id"], plan)
    return user


def board(world, user, **query):
    return world.client.get("/api/v1/leaderboard", query_string=query, headers=user["headers"])


# --- ranking ------------------------------------------------------------------------------------


def test_ties_share_a_rank_in_a_stable_order_and_computed_at_is_the_refresh(world):
    me = caller(world, first_name="Caller", last_name="Four")
    evaluated(world, me["user_id"], "60")
    a, b, c = (add_student(world, name, "X") for name in ("Asha", "Bela", "Chand"))
    for student in (a, b, c):
        subscribe(world, student, "centum")
    evaluated(world, a, "90")  # 90.00 over one exam
    evaluated(world, b, "85", "95")  # 90.00 over two: before a inside the tie
    evaluated(world, c, "80", "100")  # 90.00 over two: b and c by student id
    first_two = sorted([b, c], key=str)
    result = refresh(world)

    response = board(world, me)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["class"] == "XII" and body["user_eligible"] is True
    ranks = [(s["rank"], s["student_name"], s["avg_percentage"], s["total_exams"]) for s in body["top_students"]]
    names = {b: "Bela X", c: "Chand X"}
    assert ranks == [
        (1, names[first_two[0]], 90.0, 2),
        (1, names[first_two[1]], 90.0, 2),
        (1, "Asha X", 90.0, 1),
        (4, "Caller Four", 60.0, 1),
    ]
    assert body["user_rank"] == 4 and body["user_entry"] == {"rank": 4, "avg_percentage": 60.0, "total_exams": 1}
    assert [s["is_you"] for s in body["top_students"]] == [False, False, False, True]
    assert body["eligible_count"] == 4 and body["user_rank_reason"] is None
    assert datetime.fromisoformat(body["computed_at"]) == result.computed_at
    assert body["refresh_id"] == str(result.refresh_id)

    # A second refresh of the same data gives the same order and digest.
    again = refresh(world)
    assert again.ranking_digest == result.ranking_digest and again.refresh_id != result.refresh_id


def test_eligibility_follows_the_plan_and_needs_an_evaluated_exam(world):
    ranked = {}
    for plan in ("basic", "premium_mcq", "premium", "centum"):
        student = add_student(world, plan, "Plan")
        subscribe(world, student, plan)
        evaluated(world, student, "70")
        ranked[plan] = student
    unsubscribed = add_student(world, "No", "Plan")
    evaluated(world, unsubscribed, "99")
    waiting = caller(world, first_name="Not", last_name="Yet")  # premium, nothing evaluated
    result = refresh(world)
    assert result.eligible_count == 2

    body = board(world, waiting).get_json()
    assert sorted(s["student_name"] for s in body["top_students"]) == ["centum Plan", "premium Plan"]
    assert body["user_rank"] is None and body["user_eligible"] is False
    assert body["user_rank_reason"]["code"] == "no_evaluated_exams"

    for plan in ("basic", "premium_mcq", None):
        student = caller(world, plan=plan)
        refused = board(world, student)
        assert refused.status_code == 403, plan
        assert refused.get_json()["error"] == "LEADERBOARD_NOT_AVAILABLE"


def test_mcq_only_exams_count(world):
    me = caller(world)
    with connect(world) as conn:
        conn.execute(
            "INSERT INTO exam_instances (student_user_id, template_id, exam_type, class, status, seed, exam_snapshot, "
            "total_marks, duration_minutes, started_at, mcq_submitted_at, submitted_at, mcq_score, mcq_total, "
            "mcq_percentage, total_score, percentage) VALUES (%s, %s, 'section_mcq', 'XII', 'evaluated', 1, "
            "'{\"questions\": []}', 20, 30, now(), now(), now(), 15, 20, 75, 15, 75)",
            (me["user_id"], BOARD_TEMPLATE["XII"]),
        )
    refresh(world)
    body = board(world, me).get_json()
    assert body["user_rank"] == 1 and body["top_students"][0]["avg_percentage"] == 75.0


def test_own_rank_is_given_outside_the_top(world):
    for i in range(11):
        student = add_student(world, f"Top{i:02d}", "Student")
        subscribe(world, student)
        evaluated(world, student, str(90 - i))
    me = caller(world, first_name="Last", last_name="Place")
    evaluated(world, me["user_id"], "10")
    refresh(world)
    body = board(world, me).get_json()
    assert body["top_n"] == 10 and len(body["top_students"]) == 10
    assert [s["rank"] for s in body["top_students"]] == list(range(1, 11))
    assert not any(s["is_you"] for s in body["top_students"])
    assert body["user_rank"] == 12 and body["user_entry"]["avg_percentage"] == 10.0
    assert body["eligible_count"] == 12


def test_a_student_may_appear_by_initials_without_a_photo(world):
    me = caller(world, first_name="Meera", last_name="Sharma")
    with connect(world) as conn:
        conn.execute("UPDATE users SET photo_key = 'profile-photos/meera.jpg' WHERE user_id = %s", (me["user_id"],))
    evaluated(world, me["user_id"], "88")
    refresh(world)
    shown = board(world, me).get_json()["top_students"][0]
    assert shown["student_name"] == "Meera Sharma" and shown["photo_url"].startswith("http")

    opted = world.client.patch(
        "/api/v1/users/me", json={"show_on_leaderboard_as_initials": True}, headers=me["headers"]
    )
    assert opted.status_code == 200
    shown = board(world, me).get_json()["top_students"][0]  # at once, before any refresh
    assert shown["student_name"] == "M. S." and shown["photo_url"] is None and shown["is_you"] is True


# --- who may ask ---------------------------------------------------------------------------------


def test_parent_sees_an_eligible_linked_childs_class_and_rank(world):
    child = caller(world)
    evaluated(world, child["user_id"], "77")
    parent = make_user(world.app, "parent")
    with connect(world) as conn:
        conn.execute(
            "INSERT INTO parent_student_mappings (parent_user_id, student_user_id) VALUES (%s, %s)",
            (parent["user_id"], child["user_id"]),
        )
    refresh(world)
    body = board(world, parent, student_id=child["user_id"])
    assert body.status_code == 200
    assert body.get_json()["user_rank"] == 1 and body.get_json()["top_students"][0]["is_you"] is True

    missing = board(world, parent)
    assert missing.status_code == 422 and "student_id" in missing.get_json()["details"]["fields"]
    stranger = caller(world)
    assert board(world, parent, student_id=stranger["user_id"]).status_code == 404
    assert board(world, parent, student_id=uuid.uuid4()).status_code == 404


def test_parent_of_a_child_without_leaderboard_gets_403(world):
    child = caller(world, plan="basic")
    parent = make_user(world.app, "parent")
    with connect(world) as conn:
        conn.execute(
            "INSERT INTO parent_student_mappings (parent_user_id, student_user_id) VALUES (%s, %s)",
            (parent["user_id"], child["user_id"]),
        )
    refused = board(world, parent, student_id=child["user_id"])
    assert refused.status_code == 403 and refused.get_json()["error"] == "LEADERBOARD_NOT_AVAILABLE"


def test_admin_reads_any_class_with_or_without_a_student(world):
    x_student = add_student(world, "Tenth", "Grader", school_class="X")
    subscribe(world, x_student)
    evaluated(world, x_student, "64.5", school_class="X")
    refresh(world, "X")
    admin = make_user(world.app, "admin")

    body = board(world, admin, **{"class": "X"}).get_json()
    assert body["class"] == "X" and body["top_students"][0]["student_name"] == "Tenth Grader"
    assert body["user_rank"] is None and body["user_rank_reason"]["code"] == "no_student"

    with_student = board(world, admin, student_id=x_student).get_json()
    assert with_student["class"] == "X" and with_student["user_rank"] == 1

    never_refreshed = board(world, admin, **{"class": "XII"}).get_json()
    assert never_refreshed["top_students"] == [] and never_refreshed["computed_at"] is None

    assert board(world, admin).status_code == 422
    bad = board(world, admin, **{"class": "XI"})
    assert bad.status_code == 422 and "class" in bad.get_json()["details"]["fields"]
    assert board(world, admin, student_id="not-a-uuid").status_code == 422
    assert board(world, admin, student_id=admin["user_id"]).status_code == 404


def test_wrong_role_and_other_scopes(world):
    teacher = make_user(world.app, "teacher")
    refused = board(world, teacher)
    assert refused.status_code == 403 and refused.get_json()["error"] == "FORBIDDEN"
    student = caller(world)
    assert board(world, student, **{"class": "X"}).status_code == 404
    assert board(world, student, student_id=caller(world)["user_id"]).status_code == 404
    assert board(world, student, **{"class": "XII"}).status_code == 200


# --- refreshes -------------------------------------------------------------------------------------


def test_an_expired_subscription_drops_out_at_the_next_refresh(world):
    me = caller(world)
    evaluated(world, me["user_id"], "70")
    leaving = add_student(world, "Leaving", "Soon")
    sub = subscribe(world, leaving)
    evaluated(world, leaving, "95")
    first = refresh(world)
    assert first.eligible_count == 2

    with connect(world) as conn:
        conn.execute(
            "UPDATE subscriptions SET status = 'expired', end_date = current_date WHERE subscription_id = %s", (sub,)
        )
    assert [s["student_name"] for s in board(world, me).get_json()["top_students"]][0] == "Leaving Soon"
    second = refresh(world)
    body = board(world, me).get_json()
    assert second.eligible_count == 1 and [s["rank"] for s in body["top_students"]] == [1]
    assert body["user_rank"] == 1 and datetime.fromisoformat(body["computed_at"]) == second.computed_at


def test_a_recorded_refresh_reproduces_its_ranking(world):
    students = []
    for pct in ("81.25", "67.5", "81.25", "90"):
        student = add_student(world, "R", pct)
        subscribe(world, student, "premium")
        evaluated(world, student, pct)
        students.append(student)
    recorded = refresh(world)
    with connect(world) as conn:
        row = conn.execute(
            "SELECT inputs, ranking_digest, eligible_count, exams_counted, rule_version, reason "
            "FROM leaderboard_refreshes WHERE refresh_id = %s",
            (recorded.refresh_id,),
        ).fetchone()
    assert row["inputs"]["rule_version"] == leaderboard.RULE_VERSION == row["rule_version"]
    assert row["inputs"]["top_n"] == 10 and row["inputs"]["leaderboard_plan_types"] == ["centum", "premium"]
    assert row["inputs"]["as_of"] == recorded.as_of.astimezone(UTC).isoformat()
    assert row["eligible_count"] == 4 and row["exams_counted"] == 4 and row["reason"] == "manual"

    # Later changes: a new exam, a cancelled subscription, a plan losing the leaderboard.
    evaluated(world, students[1], "100")
    with connect(world) as conn:
        conn.execute(
            "UPDATE subscriptions SET status = 'cancelled', cancelled_at = now() WHERE student_user_id = %s",
            (students[3],),
        )
    check = service_check(world, recorded.refresh_id)
    assert check.reproduced and check.recomputed_digest == row["ranking_digest"]
    later = refresh(world)
    assert later.ranking_digest != recorded.ranking_digest and later.eligible_count == 3

    # A stored ranking that was altered no longer matches its recorded digest.
    with connect(world) as conn:
        conn.execute(
            "UPDATE leaderboard_entries SET avg_percentage = 99 WHERE refresh_id = %s AND position = 4",
            (recorded.refresh_id,),
        )
    tampered = service_check(world, recorded.refresh_id)
    assert not tampered.reproduced and tampered.recomputed_digest == tampered.recorded_digest


def service_check(world, refresh_id) -> service.ReproductionCheck:
    with psycopg.connect(world.url, row_factory=dict_row) as conn:
        return service.reproduce_refresh(conn, refresh_id)


def test_the_nightly_job_refreshes_every_class_and_prunes_old_rankings(world):
    student = add_student(world)
    subscribe(world, student)
    evaluated(world, student, "55")
    old = refresh(world, as_of=datetime.now(UTC))
    with connect(world) as conn:
        conn.execute(
            "UPDATE leaderboard_refreshes SET computed_at = computed_at - interval '8 days' WHERE refresh_id = %s",
            (old.refresh_id,),
        )
    touched = run_job("refresh-leaderboards", datetime.now(UTC), world.settings)
    assert touched >= 2  # one entry written for XII, the old ranking's entry pruned
    with connect(world) as conn:
        rows = conn.execute(
            "SELECT class::text AS class, reason, entries_pruned, eligible_count FROM leaderboard_refreshes "
            "ORDER BY computed_at"
        ).fetchall()
        kept = conn.execute(
            "SELECT count(*) AS n FROM leaderboard_entries WHERE refresh_id = %s", (old.refresh_id,)
        ).fetchone()["n"]
    assert [(r["class"], r["reason"]) for r in rows[1:]] == [("X", "nightly"), ("XII", "nightly")]
    assert rows[0]["entries_pruned"] is True and kept == 0
    assert service_check(world, old.refresh_id).reproduced  # still recomputable from its inputs
