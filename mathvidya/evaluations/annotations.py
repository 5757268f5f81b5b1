"""Stamping answer-sheet pages: save a page's stamps and render an annotated copy.

The stamps of a page are saved as data (evaluation_annotations.annotation_data, positions as
fractions of the page) whatever the page's type. Image pages (JPEG, PNG) also get a rendered
copy under teacher-annotations/…; the student's original object is never written. PDF pages
keep the overlay only: clients draw it over the PDF (no rasteriser on the server).
"""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

import psycopg
from psycopg.types.json import Jsonb

from mathvidya.audit.service import record_event
from mathvidya.authz import Principal
from mathvidya.config import Settings
from mathvidya.errors import EvaluationAlreadySubmitted, ValidationFailed
from mathvidya.evaluations import repository
from mathvidya.evaluations import stamps as stamp_drawing
from mathvidya.evaluations.access import evaluation_in_scope
from mathvidya.settings_store import get_setting
from mathvidya.storage import signed_url, storage_for

log = logging.getLogger(__name__)

OPEN_STATUSES = ("assigned", "in_progress")
RENDERED_TYPES = ("image/jpeg", "image/jpg", "image/png")


def annotated_key(exam_instance_id: UUID | str, page_number: int, extension: str) -> str:
    """Beside the original, never over it."""
    return f"teacher-annotations/{exam_instance_id}/{page_number}.{extension}"


def _uploaded_page(conn: psycopg.Connection, exam_instance_id: UUID, page_number: int) -> dict | None:
    return repository.uploaded_page(conn, exam_instance_id=exam_instance_id, page_number=page_number)


def _uploaded_page_numbers(conn: psycopg.Connection, exam_instance_id: UUID) -> list[int]:
    return [row["page_number"] for row in repository.uploaded_page_numbers(conn, exam_instance_id=exam_instance_id)]


def _save(conn: psycopg.Connection, evaluation_id: UUID, page_number: int, data: list[dict], key: str | None) -> dict:
    return repository.save_page_annotations(
        conn, evaluation_id=evaluation_id, page_number=page_number, annotation_data=Jsonb(data), annotated_s3_key=key
    )


def _check_stamps(conn: psycopg.Connection, annotations: list[dict]) -> None:
    allowed = list(get_setting(conn, "evaluation_ui_stamps"))
    problems = {
        f"annotations.{i}.stamp": [f"must be one of: {', '.join(allowed)}"]
        for i, annotation in enumerate(annotations)
        if annotation["stamp"] not in allowed
    }
    if problems:
        raise ValidationFailed(problems)


def _render(settings: Settings, page: dict, exam_instance_id: UUID, annotations: list[dict]) -> str | None:
    """Render and store the annotated copy of an image page; None for a PDF page, or for an
    image that cannot be decoded (the stamps are saved all the same)."""
    if page["content_type"] not in RENDERED_TYPES:
        return None
    storage = storage_for(settings)
    drawn = [stamp_drawing.Stamp(a["stamp"], a["x"], a["y"]) for a in annotations]
    try:
        rendered = stamp_drawing.render_annotated_page(storage.read(page["s3_key"]), drawn)
    except stamp_drawing.UnreadableImage as exc:
        log.warning(
            "answer-sheet page could not be decoded; stamps saved without a rendered copy",
            extra={"exam_instance_id": str(exam_instance_id), "page_number": page["page_number"], "error": str(exc)},
        )
        return None
    key = annotated_key(exam_instance_id, page["page_number"], rendered.extension)
    storage.put(key, rendered.data, rendered.content_type)
    return key


def annotate_page(
    conn: psycopg.Connection, settings: Settings, principal: Principal, evaluation_id: UUID, body: dict
) -> dict[str, Any]:
    """Replace one page's stamps (assigned teacher only, evaluation still open)."""
    evaluation = evaluation_in_scope(conn, principal, evaluation_id, lock=True, teacher_only=True)
    if evaluation["status"] not in OPEN_STATUSES:
        raise EvaluationAlreadySubmitted("This evaluation was already submitted; its annotations can no longer change.")
    annotations = [{"type": a["type"], "stamp": a["stamp"], "x": a["x"], "y": a["y"]} for a in body["annotations"]]
    _check_stamps(conn, annotations)
    exam_instance_id = evaluation["exam_instance_id"]
    page_number = body["page_number"]
    page = _uploaded_page(conn, exam_instance_id, page_number)
    if page is None:
        pages = _uploaded_page_numbers(conn, exam_instance_id)
        raise ValidationFailed({"page_number": [f"is not an uploaded page of this exam (pages: {pages})"]})
    key = _render(settings, page, exam_instance_id, annotations)
    saved = _save(conn, evaluation_id, page_number, annotations, key)
    record_event(
        conn,
        "evaluation.annotated",
        principal.actor,
        "evaluation",
        evaluation_id,
        {"page_number": page_number, "stamps": len(annotations), "annotated_s3_key": key},
    )
    url = signed_url(conn, settings, key, page["content_type"])  # the render keeps the page's format
    return {"page_number": page_number, "annotation_data": saved["annotation_data"], "annotated_image_url": url}
