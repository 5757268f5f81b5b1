"""POST /evaluations/{id}/annotations: the assigned teacher stamps pages; image pages get a
rendered copy beside the original, PDF pages keep the overlay only."""

from __future__ import annotations

import io
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import requests
from PIL import Image
from psycopg.types.json import Jsonb

from mathvidya.storage import storage_for
from tests.exam_fixtures import connect, make_template, private_unit, section


def image_bytes(fmt: str, size=(300, 400)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "white").save(out, fmt)
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture
def page_world(app, settings, make_user):
    """An exam with three uploaded pages (1 PNG, 2 JPEG, 3 PDF) and its open evaluation."""
    student, teacher = make_user("student"), make_user("teacher")
    template = make_template(app, [section("B", "VSA", 1, {private_unit("annot"): 1.0})])
    now = datetime.now(UTC)
    storage = storage_for(settings)
    with connect(app) as conn, conn.transaction():
        exam_id = conn.execute(
            "INSERT INTO exam_instances (student_user_id, template_id, exam_type, class, status, seed, exam_snapshot, "
            "total_marks, duration_minutes, started_at, submitted_at, sla_deadline) VALUES "
            "(%s, %s, 'board_exam', 'XII', 'pending_evaluation', 1, %s, 2, 30, %s, %s, %s) RETURNING exam_instance_id",
            (
                student["user_id"],
                template,
                Jsonb({"template": {"template_name": "Stamp test"}, "questions": []}),
                now - timedelta(hours=2),
                now - timedelta(hours=1),
                now + timedelta(days=2),
            ),
        ).fetchone()["exam_instance_id"]
        pages = {
            1: ("image/png", image_bytes("PNG")),
            2: ("image/jpeg", image_bytes("JPEG")),
            3: ("application/pdf", PDF),
        }
        for number, (content_type, data) in pages.items():
            key = f"answer-sheets/{exam_id}/page-{number}"
            storage.put(key, data, content_type)
            conn.execute(
                "INSERT INTO answer_sheet_uploads (exam_instance_id, page_number, s3_key, content_type, size_bytes) "
                "VALUES (%s, %s, %s, %s, %s)",
                (exam_id, number, key, content_type, len(data)),
            )
        evaluation_id = conn.execute(
            "INSERT INTO evaluations (exam_instance_id, teacher_user_id, sla_deadline) VALUES (%s, %s, %s) "
            "RETURNING evaluation_id",
            (exam_id, teacher["user_id"], now + timedelta(days=2)),
        ).fetchone()["evaluation_id"]
    yield {
        "student": student,
        "teacher": teacher,
        "exam_id": exam_id,
        "evaluation_id": evaluation_id,
        "pages": pages,
        "original_keys": {n: f"answer-sheets/{exam_id}/page-{n}" for n in pages},
    }
    with connect(app) as conn:
        conn.execute("DELETE FROM exam_instances WHERE exam_instance_id = %s", (exam_id,))


def post(client, world, body, user=None):
    return client.post(
        f"/api/v1/evaluations/{world['evaluation_id']}/annotations",
        json=body,
        headers=(user or world["teacher"])["headers"],
    )


def stored(app, world, page_number):
    with connect(app) as conn:
        return conn.execute(
            "SELECT * FROM evaluation_annotations WHERE evaluation_id = %s AND page_number = %s",
            (world["evaluation_id"], page_number),
        ).fetchone()


def red_near(image: Image.Image, x: int, y: int, reach: int = 12) -> bool:
    for px in range(max(0, x - reach), min(image.width, x + reach)):
        for py in range(max(0, y - reach), min(image.height, y + reach)):
            r, g, b = image.getpixel((px, py))[:3]
            if r > 150 and g < 110 and b < 110:
                return True
    return False


def test_png_page_is_stamped_into_a_copy_and_the_original_is_untouched(app, client, settings, page_world):
    stamps = [
        {"type": "stamp", "stamp": "tick", "x": 0.5, "y": 0.25},
        {"type": "stamp", "stamp": "cross", "x": 0.2, "y": 0.8},
    ]
    response = post(client, page_world, {"page_number": 1, "annotations": stamps})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["page_number"] == 1 and body["annotation_data"] == stamps
    fetched = requests.get(body["annotated_image_url"], timeout=10)
    assert fetched.status_code == 200
    copy = Image.open(io.BytesIO(fetched.content))
    assert copy.format == "PNG" and copy.size == (300, 400)
    assert red_near(copy.convert("RGB"), 150, 100) and red_near(copy.convert("RGB"), 60, 320)
    assert copy.convert("RGB").getpixel((299, 0)) == (255, 255, 255)

    storage = storage_for(settings)
    assert storage.read(page_world["original_keys"][1]) == page_world["pages"][1][1]
    row = stored(app, page_world, 1)
    assert row["annotated_s3_key"] == f"teacher-annotations/{page_world['exam_id']}/1.png"
    assert row["annotation_data"] == stamps
    with connect(app) as conn:
        audit = conn.execute(
            "SELECT actor_user_id, details FROM audit_logs "
            "WHERE event_type = 'evaluation.annotated' AND resource_id = %s",
            (str(page_world["evaluation_id"]),),
        ).fetchall()
    assert len(audit) == 1 and audit[0]["details"]["page_number"] == 1 and audit[0]["details"]["stamps"] == 2
    assert str(audit[0]["actor_user_id"]) == str(page_world["teacher"]["user_id"])


def test_saving_a_page_again_replaces_its_stamps_and_an_empty_list_clears_them(app, client, page_world):
    first = [
        {"type": "stamp", "stamp": "star", "x": 0.1, "y": 0.1},
        {"type": "stamp", "stamp": "half", "x": 0.9, "y": 0.9},
    ]
    assert post(client, page_world, {"page_number": 1, "annotations": first}).status_code == 200
    second = [{"type": "stamp", "stamp": "circle", "x": 0.5, "y": 0.5}]
    response = post(client, page_world, {"page_number": 1, "annotations": second})
    assert response.status_code == 200 and response.get_json()["annotation_data"] == second
    assert stored(app, page_world, 1)["annotation_data"] == second
    copy = Image.open(io.BytesIO(requests.get(response.get_json()["annotated_image_url"], timeout=10).content))
    assert not red_near(copy.convert("RGB"), 30, 40, reach=6)  # the old star is gone from the new copy
    cleared = post(client, page_world, {"page_number": 1, "annotations": []})
    assert cleared.status_code == 200 and cleared.get_json()["annotation_data"] == []
    with connect(app) as conn:
        count = conn.execute(
            "SELECT count(*) AS n FROM evaluation_annotations WHERE evaluation_id = %s", (page_world["evaluation_id"],)
        ).fetchone()["n"]
    assert count == 1


def test_jpeg_page_copy_stays_jpeg(client, page_world):
    response = post(
        client, page_world, {"page_number": 2, "annotations": [{"type": "stamp", "stamp": "tick", "x": 0.5, "y": 0.5}]}
    )
    assert response.status_code == 200
    fetched = requests.get(response.get_json()["annotated_image_url"], timeout=10)
    assert fetched.headers["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(fetched.content)).format == "JPEG"


def test_pdf_page_keeps_the_overlay_only(app, client, settings, page_world):
    stamps = [{"type": "stamp", "stamp": "cross", "x": 0.3, "y": 0.6}]
    response = post(client, page_world, {"page_number": 3, "annotations": stamps})
    assert response.status_code == 200
    assert response.get_json() == {"page_number": 3, "annotation_data": stamps, "annotated_image_url": None}
    row = stored(app, page_world, 3)
    assert row["annotation_data"] == stamps and row["annotated_s3_key"] is None
    assert storage_for(settings).read(page_world["original_keys"][3]) == PDF


def test_the_teachers_view_shows_the_saved_stamps(client, page_world):
    stamps = [{"type": "stamp", "stamp": "tick", "x": 0.25, "y": 0.75}]
    assert post(client, page_world, {"page_number": 1, "annotations": stamps}).status_code == 200
    view = client.get(f"/api/v1/evaluations/{page_world['evaluation_id']}", headers=page_world["teacher"]["headers"])
    assert view.status_code == 200
    page = next(p for p in view.get_json()["pages"] if p["page_number"] == 1)
    assert page["annotations"] == stamps


@pytest.mark.parametrize(
    "body,field",
    [
        ({"page_number": 1, "annotations": [{"type": "stamp", "stamp": "tick", "x": 1.5, "y": 0.5}]}, "annotations"),
        ({"page_number": 1, "annotations": [{"type": "stamp", "stamp": "tick", "x": 0.5, "y": -0.1}]}, "annotations"),
        ({"page_number": 1, "annotations": [{"type": "text", "stamp": "tick", "x": 0.5, "y": 0.5}]}, "annotations"),
        ({"page_number": 1, "annotations": [{"type": "stamp", "stamp": "tick", "x": 0.5}]}, "annotations"),
        (
            {"page_number": 1, "annotations": [{"type": "stamp", "stamp": "tick", "x": 0.5, "y": 0.5, "z": 1}]},
            "annotations",
        ),
        (
            {"page_number": 1, "annotations": [{"type": "stamp", "stamp": "smiley", "x": 0.5, "y": 0.5}]},
            "annotations.0.stamp",
        ),
        ({"page_number": 7, "annotations": []}, "page_number"),
        ({"page_number": 0, "annotations": []}, "page_number"),
        ({"annotations": []}, "page_number"),
        ({"page_number": 1}, "annotations"),
        ({"page_number": 1, "annotations": [], "note": "hi"}, "note"),
    ],
)
def test_bad_bodies_are_422_with_the_field_and_nothing_is_saved(app, client, page_world, body, field):
    response = post(client, page_world, body)
    assert response.status_code == 422, response.get_json()
    payload = response.get_json()
    assert payload["error"] == "VALIDATION_ERROR" and field in json.dumps(payload["details"]["fields"])
    assert stored(app, page_world, body.get("page_number") or 1) is None


def test_a_stamp_added_to_the_configuration_is_accepted_and_drawn_as_a_labelled_box(client, make_user, page_world):
    admin = make_user("admin")
    current = client.get("/api/v1/admin/config/evaluation_ui_stamps", headers=admin["headers"]).get_json()
    original = current["value"]
    try:
        changed = client.put(
            "/api/v1/admin/config/evaluation_ui_stamps",
            json={"value": [*original, "bonus"]},
            headers=admin["headers"],
        )
        assert changed.status_code == 200, changed.get_json()
        response = post(
            client,
            page_world,
            {"page_number": 1, "annotations": [{"type": "stamp", "stamp": "bonus", "x": 0.5, "y": 0.5}]},
        )
        assert response.status_code == 200, response.get_json()
        copy = Image.open(io.BytesIO(requests.get(response.get_json()["annotated_image_url"], timeout=10).content))
        assert red_near(copy.convert("RGB"), 150, 200, reach=30)
    finally:
        restored = client.put(
            "/api/v1/admin/config/evaluation_ui_stamps", json={"value": original}, headers=admin["headers"]
        )
        assert restored.status_code == 200
    refused = post(
        client, page_world, {"page_number": 1, "annotations": [{"type": "stamp", "stamp": "bonus", "x": 0.5, "y": 0.5}]}
    )
    assert refused.status_code == 422


@pytest.mark.parametrize("role", ["student", "parent", "admin"])
def test_other_roles_are_403(client, make_user, page_world, role):
    response = post(client, page_world, {"page_number": 1, "annotations": []}, user=make_user(role))
    assert response.status_code == 403 and response.get_json()["error"] == "FORBIDDEN"


def test_another_teacher_and_a_missing_evaluation_are_404(app, client, make_user, page_world):
    other = make_user("teacher")
    body = {"page_number": 1, "annotations": [{"type": "stamp", "stamp": "tick", "x": 0.5, "y": 0.5}]}
    response = post(client, page_world, body, user=other)
    assert response.status_code == 404 and response.get_json()["error"] == "NOT_FOUND"
    missing = client.post(
        f"/api/v1/evaluations/{uuid.uuid4()}/annotations", json=body, headers=page_world["teacher"]["headers"]
    )
    assert missing.status_code == 404
    assert stored(app, page_world, 1) is None


def test_a_submitted_evaluation_cannot_be_annotated(app, client, page_world):
    with connect(app) as conn:
        conn.execute(
            "UPDATE evaluations SET status = 'completed', completed_at = now() WHERE evaluation_id = %s",
            (page_world["evaluation_id"],),
        )
    response = post(
        client, page_world, {"page_number": 1, "annotations": [{"type": "stamp", "stamp": "tick", "x": 0.5, "y": 0.5}]}
    )
    assert response.status_code == 409 and response.get_json()["error"] == "EVALUATION_ALREADY_SUBMITTED"
    assert stored(app, page_world, 1) is None


def test_an_in_progress_evaluation_can_be_annotated(app, client, page_world):
    with connect(app) as conn:
        conn.execute(
            "UPDATE evaluations SET status = 'in_progress', started_at = now() WHERE evaluation_id = %s",
            (page_world["evaluation_id"],),
        )
    stamps = [{"type": "stamp", "stamp": "tick", "x": 0.5, "y": 0.5}]
    response = post(client, page_world, {"page_number": 3, "annotations": stamps})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["annotation_data"] == stamps
    assert stored(app, page_world, 3)["annotation_data"] == stamps
    with connect(app) as conn:
        status = conn.execute(
            "SELECT status FROM evaluations WHERE evaluation_id = %s", (page_world["evaluation_id"],)
        ).fetchone()["status"]
    assert status == "in_progress"
