"""Question bank over HTTP: create, validation, versions, approval, archive, search, images."""

from __future__ import annotations

import uuid

import psycopg
import pytest
import requests
from psycopg.rows import dict_row

from mathvidya import settings_store
from mathvidya.questions import repository

BASE = "/api/v1/questions"


def mcq(**overrides):
    body = {
        "class": "XII",
        "unit": "Matrices",
        "topic": "Transpose",
        "question_type": "MCQ",
        "marks": 1,
        "difficulty": "easy",
        "question_text": f"If $A$ is a $2 \\times 2$ matrix, what is $(A^T)^T$? ({uuid.uuid4().hex[:8]})",
        "mcq_choices": [{"label": "A", "text": "$A$"}, {"label": "B", "text": "$A^T$"}, {"label": "C", "text": "$I$"}],
        "mcq_correct_choices": ["A"],
        "explanation": "Transposing twice gives the matrix back.",
        "tags": ["Transpose"],
    }
    body.update(overrides)
    return body


def written(question_type="SA", marks=3, **overrides):
    body = {
        "class": "X",
        "unit": "Quadratic Equations",
        "question_type": question_type,
        "marks": marks,
        "question_text": f"Solve $x^2 - 5x + 6 = 0$. ({uuid.uuid4().hex[:8]})",
        "correct_answer_text": "$x = 2$ or $x = 3$",
    }
    body.update(overrides)
    return body


@pytest.fixture
def admin(make_user):
    return make_user("admin")


@pytest.fixture
def teacher(make_user):
    return make_user("teacher")


def create(client, user, body, status=201):
    response = client.post(BASE, json=body, headers=user["headers"])
    assert response.status_code == status, response.get_json()
    return response.get_json()


def audit_events(database_url, resource_id):
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        rows = conn.execute(
            "SELECT event_type, actor_user_id, details FROM audit_logs WHERE resource_id = %s ORDER BY created_at",
            (str(resource_id),),
        ).fetchall()
    return rows


@pytest.fixture
def approval_setting(database_url, redis):
    """Set question_approval_required for one test; restored afterwards."""
    previous = {}

    def set_to(value: bool):
        with psycopg.connect(database_url, autocommit=True) as conn:
            row = conn.execute(
                "SELECT config_value FROM system_config WHERE config_key = 'question_approval_required'"
            ).fetchone()
            previous.setdefault("value", row[0])
            conn.execute(
                "UPDATE system_config SET config_value = %s::jsonb WHERE config_key = 'question_approval_required'",
                ("true" if value else "false",),
            )
        settings_store.announce_change(redis)

    yield set_to
    if previous:
        set_to(previous["value"])


# ---------------------------------------------------------------------------------------
# Create and read
# ---------------------------------------------------------------------------------------
def test_admin_question_is_active_at_once_and_audited(client, admin, database_url):
    body = create(
        client, admin, mcq(question_text="Find $\\det(I_2)$ where $I_2 = \\begin{pmatrix}1&0\\\\0&1\\end{pmatrix}$")
    )
    assert body["status"] == "active"
    assert body["version"] == 1
    assert body["class"] == "XII"
    assert body["approved_by"] == str(admin["user_id"])
    assert body["marks"] == 1
    # LaTeX is stored exactly as given
    assert body["question_text"] == "Find $\\det(I_2)$ where $I_2 = \\begin{pmatrix}1&0\\\\0&1\\end{pmatrix}$"
    assert body["tags"] == ["transpose"]
    events = audit_events(database_url, body["question_id"])
    assert [e["event_type"] for e in events] == ["question.created"]
    assert events[0]["details"]["status"] == "active"

    fetched = client.get(f"{BASE}/{body['question_id']}", headers=admin["headers"])
    assert fetched.status_code == 200
    assert fetched.get_json()["question_text"] == body["question_text"]


def test_teacher_question_is_a_draft_while_approval_is_required(client, teacher, approval_setting):
    approval_setting(True)
    body = create(client, teacher, written())
    assert body["status"] == "draft"
    assert body["approved_by"] is None


def test_teacher_question_is_active_when_approval_is_not_required(client, teacher, approval_setting):
    approval_setting(False)
    body = create(client, teacher, written())
    assert body["status"] == "active"


@pytest.mark.parametrize(
    ("body", "field", "fragment"),
    [
        (mcq(unit="Calculus 101"), "unit", "is not a Class XII unit"),
        (mcq(unit="Real Numbers"), "unit", "is not a Class XII unit"),
        (mcq(marks=2), "marks", "a MCQ question carries 1 mark"),
        (written("VSA", 3), "marks", "a VSA question carries 2 marks"),
        (written("SA", 2), "marks", "a SA question carries 3 marks"),
        (written("LA", 4), "marks", "a LA question carries 5 or 6 marks"),
        (written("CASE", 5), "marks", "a CASE question carries 4 marks"),
        (written(question_text=None), "question_text", "needs text or an image"),
        (written(question_text="   "), "question_text", "needs text or an image"),
        (mcq(mcq_choices=[{"label": "A", "text": "1"}]), "mcq_choices", "at least 2 choices"),
        (mcq(mcq_choices=None), "mcq_choices", "at least 2 choices"),
        (
            mcq(mcq_choices=[{"label": "A", "text": "1"}, {"label": "A", "text": "2"}]),
            "mcq_choices",
            "labels must be unique",
        ),
        (
            mcq(mcq_choices=[{"label": "A", "text": "1"}, {"label": "C", "text": "2"}]),
            "mcq_choices",
            "must be A, B in order",
        ),
        (
            mcq(mcq_choices=[{"label": "A", "text": "1"}, {"label": "B"}], mcq_correct_choices=["A"]),
            "mcq_choices",
            "choice B needs text or an image",
        ),
        (mcq(mcq_correct_choices=[]), "mcq_correct_choices", "at least one correct choice"),
        (mcq(mcq_correct_choices=["D"]), "mcq_correct_choices", "D is not a choice label"),
        (written(mcq_choices=[{"label": "A", "text": "x"}, {"label": "B", "text": "y"}]), "mcq_choices", "only MCQ"),
        (written(question_image_key="answer-sheets/x/y/1.png"), "question_image_key", "question-images/"),
        (written(cbse_year=1900), "cbse_year", "between 1950 and 2200"),
        (written(**{"class": "XI"}), "class", "Must be one of"),
        (written(question_type="ESSAY"), "question_type", "Must be one of"),
        (written(difficulty="trivial"), "difficulty", "Must be one of"),
        (written(surprise=True), "surprise", "Unknown field"),
        (written(question_text="nul \x00 byte"), "question_text", "must not contain NUL"),
    ],
)
def test_each_rule_is_refused_with_its_message(client, admin, body, field, fragment):
    response = client.post(BASE, json=body, headers=admin["headers"])
    assert response.status_code == 422, response.get_json()
    payload = response.get_json()
    assert payload["error"] == "VALIDATION_ERROR"
    messages = payload["details"]["fields"][field]
    assert any(fragment in message for message in messages), messages


def test_several_problems_are_reported_together(client, admin):
    body = mcq(marks=3, unit="Nowhere", mcq_correct_choices=["Z"])
    fields = client.post(BASE, json=body, headers=admin["headers"]).get_json()["details"]["fields"]
    assert set(fields) == {"marks", "unit", "mcq_correct_choices"}


def test_students_and_parents_cannot_use_the_bank(client, make_user):
    for role in ("student", "parent"):
        user = make_user(role)
        assert client.get(BASE, headers=user["headers"]).status_code == 403
        assert client.post(BASE, json=mcq(), headers=user["headers"]).status_code == 403


def test_unknown_question_is_404(client, admin):
    response = client.get(f"{BASE}/{uuid.uuid4()}", headers=admin["headers"])
    assert response.status_code == 404
    assert response.get_json()["error"] == "NOT_FOUND"


# ---------------------------------------------------------------------------------------
# Teacher scope
# ---------------------------------------------------------------------------------------
def test_teachers_see_active_questions_and_their_own_drafts_only(client, make_user, admin, approval_setting):
    approval_setting(True)
    author, other = make_user("teacher"), make_user("teacher")
    draft = create(client, author, written())
    active = create(client, admin, written())
    assert client.get(f"{BASE}/{draft['question_id']}", headers=author["headers"]).status_code == 200
    assert client.get(f"{BASE}/{draft['question_id']}", headers=other["headers"]).status_code == 404
    assert client.get(f"{BASE}/{draft['question_id']}/versions", headers=other["headers"]).status_code == 404
    assert client.get(f"{BASE}/{active['question_id']}", headers=other["headers"]).status_code == 200
    # another teacher's draft is also out of reach for edits (404), an admin's question is visible but not theirs
    assert (
        client.patch(f"{BASE}/{draft['question_id']}", json={"topic": "x"}, headers=other["headers"]).status_code == 404
    )
    refused = client.patch(f"{BASE}/{active['question_id']}", json={"topic": "x"}, headers=other["headers"])
    assert refused.status_code == 403
    assert refused.get_json()["error"] == "FORBIDDEN"


# ---------------------------------------------------------------------------------------
# Versions
# ---------------------------------------------------------------------------------------
def test_version_history_after_two_edits(client, admin, database_url):
    original = create(client, admin, mcq())
    qid = original["question_id"]
    first = client.patch(f"{BASE}/{qid}", json={"topic": "Transpose of a matrix"}, headers=admin["headers"])
    assert first.status_code == 200, first.get_json()
    assert first.get_json()["version"] == 2
    second = client.patch(
        f"{BASE}/{qid}",
        json={
            "mcq_choices": [{"label": "A", "text": "$A$"}, {"label": "B", "text": "$-A$"}],
            "mcq_correct_choices": ["A"],
        },
        headers=admin["headers"],
    )
    assert second.status_code == 200, second.get_json()
    assert second.get_json()["version"] == 3

    history = client.get(f"{BASE}/{qid}/versions", headers=admin["headers"])
    assert history.status_code == 200
    items = history.get_json()["items"]
    assert [item["version"] for item in items] == [1, 2, 3]
    assert [item["is_current"] for item in items] == [False, False, True]
    assert items[0]["content"]["topic"] == "Transpose"
    assert items[1]["content"]["topic"] == "Transpose of a matrix"
    assert len(items[1]["content"]["mcq_choices"]) == 3
    assert len(items[2]["content"]["mcq_choices"]) == 2
    assert items[0]["superseded_by"] == str(admin["user_id"])
    assert items[0]["content"]["question_text"] == original["question_text"]

    events = audit_events(database_url, qid)
    updates = [e for e in events if e["event_type"] == "question.updated"]
    assert [(e["details"]["from_version"], e["details"]["to_version"]) for e in updates] == [(1, 2), (2, 3)]
    assert updates[0]["details"]["changed"] == ["topic"]


def test_an_edit_that_changes_nothing_keeps_the_version(client, admin):
    original = create(client, admin, mcq())
    same = client.patch(f"{BASE}/{original['question_id']}", json={"topic": "Transpose"}, headers=admin["headers"])
    assert same.status_code == 200
    assert same.get_json()["version"] == 1


def test_edits_are_validated_on_the_whole_question(client, admin):
    original = create(client, admin, mcq())
    response = client.patch(f"{BASE}/{original['question_id']}", json={"question_type": "SA"}, headers=admin["headers"])
    assert response.status_code == 422
    fields = response.get_json()["details"]["fields"]
    assert "marks" in fields and "mcq_choices" in fields
    ok = client.patch(
        f"{BASE}/{original['question_id']}",
        json={"question_type": "SA", "marks": 3, "mcq_choices": None, "mcq_correct_choices": None},
        headers=admin["headers"],
    )
    assert ok.status_code == 200, ok.get_json()
    assert ok.get_json()["question_type"] == "SA"
    empty = client.patch(f"{BASE}/{original['question_id']}", json={}, headers=admin["headers"])
    assert empty.status_code == 422


def test_a_teachers_edit_of_an_active_question_returns_it_to_draft(client, teacher, admin, approval_setting):
    approval_setting(True)
    draft = create(client, teacher, written())
    approved = client.post(f"{BASE}/{draft['question_id']}/approve", headers=admin["headers"])
    assert approved.status_code == 200, approved.get_json()
    assert approved.get_json()["status"] == "active"
    edited = client.patch(f"{BASE}/{draft['question_id']}", json={"topic": "Roots"}, headers=teacher["headers"])
    assert edited.status_code == 200
    assert edited.get_json()["status"] == "draft"
    assert edited.get_json()["version"] == 2


# ---------------------------------------------------------------------------------------
# Approval and archive
# ---------------------------------------------------------------------------------------
def test_teacher_draft_is_approved_by_an_admin(client, teacher, admin, approval_setting, database_url):
    approval_setting(True)
    draft = create(client, teacher, written())
    qid = draft["question_id"]
    assert client.post(f"{BASE}/{qid}/approve", headers=teacher["headers"]).status_code == 403
    approved = client.post(f"{BASE}/{qid}/approve", headers=admin["headers"])
    assert approved.status_code == 200
    body = approved.get_json()
    assert body["status"] == "active"
    assert body["approved_by"] == str(admin["user_id"])
    assert body["approved_at"]
    again = client.post(f"{BASE}/{qid}/approve", headers=admin["headers"])
    assert again.status_code == 409
    assert again.get_json()["error"] == "INVALID_QUESTION_STATE"
    assert [e["event_type"] for e in audit_events(database_url, qid)] == ["question.created", "question.approved"]


def test_archive_excludes_from_eligibility(client, admin, database_url):
    unit = "Linear Programming"
    active = create(client, admin, mcq(unit=unit))
    qid = active["question_id"]
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        eligible = repository.eligible_question_ids(conn, "XII", "MCQ", unit, limit=100_000)
    assert uuid.UUID(qid) in eligible

    archived = client.post(f"{BASE}/{qid}/archive", headers=admin["headers"])
    assert archived.status_code == 200
    assert archived.get_json()["status"] == "archived"
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        eligible = repository.eligible_question_ids(conn, "XII", "MCQ", unit, limit=100_000)
    assert uuid.UUID(qid) not in eligible
    assert client.post(f"{BASE}/{qid}/archive", headers=admin["headers"]).status_code == 409
    edit = client.patch(f"{BASE}/{qid}", json={"topic": "x"}, headers=admin["headers"])
    assert edit.status_code == 409
    assert "question.archived" in [e["event_type"] for e in audit_events(database_url, qid)]


def test_drafts_are_not_eligible(client, teacher, approval_setting, database_url):
    approval_setting(True)
    draft = create(client, teacher, written(unit="Statistics"))
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        eligible = repository.eligible_question_ids(conn, "X", "SA", "Statistics", limit=100_000)
    assert uuid.UUID(draft["question_id"]) not in eligible


def test_teachers_cannot_archive(client, teacher, admin):
    active = create(client, admin, written())
    assert client.post(f"{BASE}/{active['question_id']}/archive", headers=teacher["headers"]).status_code == 403


def test_approve_unknown_question_is_404(client, admin):
    assert client.post(f"{BASE}/{uuid.uuid4()}/approve", headers=admin["headers"]).status_code == 404


# ---------------------------------------------------------------------------------------
# Search
# ---------------------------------------------------------------------------------------
@pytest.fixture
def tagged_bank(client, admin, teacher, approval_setting):
    """Five questions sharing a fresh tag, varied in every filtered field."""
    approval_setting(True)
    tag = f"t{uuid.uuid4().hex[:10]}"
    word = "zq" + "".join(chr(ord("a") + int(c, 16) % 26) for c in uuid.uuid4().hex[:8])
    made = {
        "xii_mcq_easy": create(client, admin, mcq(tags=[tag], difficulty="easy")),
        "xii_mcq_hard_word": create(
            client, admin, mcq(tags=[tag], difficulty="hard", question_text=f"Which {word} matrix is symmetric?")
        ),
        "x_sa_medium": create(client, admin, written(tags=[tag], difficulty="medium")),
        "x_la": create(client, admin, written("LA", 5, tags=[tag, "long"], unit="Triangles")),
        "teacher_draft": create(client, teacher, written("VSA", 2, tags=[tag], unit="Triangles")),
    }
    return tag, word, {name: q["question_id"] for name, q in made.items()}


def _search(client, user, **params):
    response = client.get(BASE, query_string=params, headers=user["headers"])
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_search_by_each_filter_and_text(client, admin, tagged_bank):
    tag, word, ids = tagged_bank

    def found(**params):
        return {item["question_id"] for item in _search(client, admin, tag=tag, limit=100, **params)["items"]}

    assert found() == set(ids.values())
    assert found(**{"class": "XII"}) == {ids["xii_mcq_easy"], ids["xii_mcq_hard_word"]}
    assert found(unit="Triangles") == {ids["x_la"], ids["teacher_draft"]}
    assert found(question_type="LA") == {ids["x_la"]}
    assert found(difficulty="hard") == {ids["xii_mcq_hard_word"]}
    assert found(status="draft") == {ids["teacher_draft"]}
    assert found(q=word) == {ids["xii_mcq_hard_word"]}
    assert found(q=f'"{word} matrix"') == {ids["xii_mcq_hard_word"]}
    assert found(q=f"{word} -symmetric") == set()
    assert {i["question_id"] for i in _search(client, admin, tag="long", q="triangles", limit=100)["items"]} >= {
        ids["x_la"]
    }
    assert {i["question_id"] for i in _search(client, admin, q=word)["items"]} == {ids["xii_mcq_hard_word"]}


def test_search_is_paginated(client, admin, tagged_bank):
    tag, _word, ids = tagged_bank
    first = _search(client, admin, tag=tag, limit=2, offset=0)
    second = _search(client, admin, tag=tag, limit=2, offset=2)
    third = _search(client, admin, tag=tag, limit=2, offset=4)
    assert (first["total"], first["limit"], first["offset"]) == (5, 2, 0)
    seen = [i["question_id"] for page in (first, second, third) for i in page["items"]]
    assert len(seen) == 5 and set(seen) == set(ids.values())
    assert [page["total"] for page in (second, third)] == [5, 5]  # the short last page counts right
    past_the_end = _search(client, admin, tag=tag, limit=2, offset=10)
    assert past_the_end["items"] == [] and past_the_end["total"] == 5
    assert _search(client, admin, tag=tag)["limit"] == 20
    too_many = client.get(BASE, query_string={"limit": 101}, headers=admin["headers"])
    assert too_many.status_code == 422
    assert "limit" in too_many.get_json()["details"]["fields"]


def test_teacher_search_hides_other_teachers_drafts(client, make_user, tagged_bank):
    tag, _word, ids = tagged_bank
    stranger = make_user("teacher")
    seen = {item["question_id"] for item in _search(client, stranger, tag=tag, limit=100)["items"]}
    assert ids["teacher_draft"] not in seen
    assert ids["xii_mcq_easy"] in seen


def test_search_rejects_bad_filters(client, admin):
    response = client.get(BASE, query_string={"question_type": "ESSAY"}, headers=admin["headers"])
    assert response.status_code == 422
    assert "question_type" in response.get_json()["details"]["fields"]
    nul = client.get(BASE, query_string={"q": "a\x00b"}, headers=admin["headers"])
    assert nul.status_code == 422
    assert "q" in nul.get_json()["details"]["fields"]


# ---------------------------------------------------------------------------------------
# Images
# ---------------------------------------------------------------------------------------
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _upload(target, data, content_type="image/png"):
    response = requests.post(
        target["url"], data=target["fields"], files={"file": ("image", data, content_type)}, timeout=10
    )
    assert response.status_code in (200, 201, 204), response.text


def test_image_upload_target_then_question_with_signed_image_url(client, teacher, approval_setting):
    approval_setting(True)
    target = client.post(f"{BASE}/image-upload-url", json={"content_type": "image/png"}, headers=teacher["headers"])
    assert target.status_code == 200, target.get_json()
    target = target.get_json()
    assert target["key"].startswith("question-images/new/")
    assert target["method"] == "POST"
    assert target["expires_in"] == 15 * 60
    _upload(target, PNG)

    body = create(client, teacher, written(question_text=None, question_image_key=target["key"]))
    assert body["question_image_key"] == target["key"]
    assert body["question_image_url"].startswith("http")
    assert requests.get(body["question_image_url"], timeout=10).content == PNG

    # an image for the next version of an existing question sits under its id and version
    again = client.post(
        f"{BASE}/image-upload-url",
        json={"content_type": "image/jpeg", "question_id": body["question_id"]},
        headers=teacher["headers"],
    ).get_json()
    assert again["key"].startswith(f"question-images/{body['question_id']}/2/")
    assert again["key"].endswith(".jpg")


def test_image_keys_must_name_a_real_image_upload(client, admin):
    missing = client.post(
        BASE, json=written(question_image_key=f"question-images/new/{uuid.uuid4()}/x.png"), headers=admin["headers"]
    )
    assert missing.status_code == 422
    assert "no uploaded file" in missing.get_json()["details"]["fields"]["question_image_key"][0]

    target = client.post(f"{BASE}/image-upload-url", json={"content_type": "image/png"}, headers=admin["headers"])
    target = target.get_json()
    _upload(target, b"GIF89a not a png at all")
    not_image = client.post(BASE, json=written(question_image_key=target["key"]), headers=admin["headers"])
    assert not_image.status_code == 422
    assert "not a PNG or JPEG" in not_image.get_json()["details"]["fields"]["question_image_key"][0]


def test_image_upload_url_validation_and_scope(client, admin, make_user, approval_setting):
    approval_setting(True)
    bad = client.post(f"{BASE}/image-upload-url", json={"content_type": "image/gif"}, headers=admin["headers"])
    assert bad.status_code == 422
    assert "content_type" in bad.get_json()["details"]["fields"]
    author, other = make_user("teacher"), make_user("teacher")
    draft = create(client, author, written())
    response = client.post(
        f"{BASE}/image-upload-url",
        json={"content_type": "image/png", "question_id": draft["question_id"]},
        headers=other["headers"],
    )
    assert response.status_code == 404


# ---------------------------------------------------------------------------------------
# Syllabus
# ---------------------------------------------------------------------------------------
def test_syllabus_units_per_class(client, make_user):
    student = make_user("student", student_class="X")
    x = client.get("/api/v1/syllabus/units", query_string={"class": "X"}, headers=student["headers"]).get_json()
    xii = client.get("/api/v1/syllabus/units", query_string={"class": "XII"}, headers=student["headers"]).get_json()
    assert x["class"] == "X" and len(x["units"]) == 14 and x["units"][0] == "Real Numbers"
    assert xii["class"] == "XII" and len(xii["units"]) == 13 and xii["units"][-1] == "Probability"
    bad = client.get("/api/v1/syllabus/units", query_string={"class": "XI"}, headers=student["headers"])
    assert bad.status_code == 422
    assert client.get("/api/v1/syllabus/units", query_string={"class": "X"}).status_code == 401
