"""The question bank: who sees and edits what, versioning, approval, images, search, import.

Visibility: admins see every question; teachers see active questions and their own
(drafts, archived). A question outside that answers 404, like a missing one.
Editing: admins edit any question that is not archived; teachers edit their own. A
teacher's edit returns the question to draft while `question_approval_required` is on,
so an approved question cannot change behind the admin's back.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any
from uuid import UUID

import psycopg

from mathvidya import settings_store
from mathvidya.audit.service import record_event
from mathvidya.authz import Principal
from mathvidya.errors import Forbidden, InvalidQuestionState, NotFound, PayloadTooLarge, ValidationFailed
from mathvidya.questions import aiken, gift, importer, interchange, moodle_xml, repository, rules
from mathvidya.storage import Storage, signed_url_seconds, sniff_content_type

MAX_IMPORT_BYTES = 5 * 1024 * 1024
EXPORT_PAGE_SIZE = 500
EXPORT_MEDIA_TYPES = {
    "gift": ("text/plain; charset=utf-8", "gift"),
    "aiken": ("text/plain; charset=utf-8", "txt"),
    "moodle_xml": ("application/xml; charset=utf-8", "xml"),
    "csv": ("text/csv; charset=utf-8", "csv"),
}
IMAGE_TYPES = {"image/png": "png", "image/jpeg": "jpg"}
IMAGE_URL_FIELDS = {
    "question_image_key": "question_image_url",
    "diagram_image_key": "diagram_image_url",
    "correct_answer_image_key": "correct_answer_image_url",
    "explanation_image_key": "explanation_image_url",
}


# ---------------------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------------------
def setting(conn: psycopg.Connection, key: str) -> Any:
    return settings_store.get_setting(conn, key)


def units_for_class(conn: psycopg.Connection, klass: str) -> list[str]:
    """The class's CBSE unit list (system_config cbse_units_class_x / _xii)."""
    return list(setting(conn, rules.UNIT_SETTING_BY_CLASS[klass]))


def units_by_class(conn: psycopg.Connection) -> dict[str, list[str]]:
    return {klass: units_for_class(conn, klass) for klass in rules.CLASSES}


def approval_required(conn: psycopg.Connection) -> bool:
    return bool(setting(conn, "question_approval_required"))


# ---------------------------------------------------------------------------------------
# Scope
# ---------------------------------------------------------------------------------------
def can_see(principal: Principal, question: Mapping[str, Any]) -> bool:
    if principal.role == "admin":
        return True
    return principal.role == "teacher" and (
        question["status"] == "active" or question["created_by"] == principal.user_id
    )


def _visible(principal: Principal, question: Mapping[str, Any] | None) -> Mapping[str, Any]:
    if question is None or not can_see(principal, question):
        raise NotFound("No such question.")
    return question


def _ensure_editable(principal: Principal, question: Mapping[str, Any]) -> None:
    if principal.role != "admin" and question["created_by"] != principal.user_id:
        raise Forbidden("Only the question's author or an admin can change it.")
    if question["status"] == "archived":
        raise InvalidQuestionState("An archived question cannot be changed.")


def get_question(conn: psycopg.Connection, principal: Principal, question_id: UUID) -> Mapping[str, Any]:
    return _visible(principal, repository.get_question(conn, question_id))


# ---------------------------------------------------------------------------------------
# Create, edit, history
# ---------------------------------------------------------------------------------------
def _clean(question: dict[str, Any]) -> dict[str, Any]:
    """Stored form: tags trimmed and lower-cased, choices without empty parts, blank → None."""
    cleaned = dict(question)
    cleaned["tags"] = rules.clean_tags(tag.lower() for tag in (cleaned.get("tags") or []))
    for field in ("topic", "question_text", "correct_answer_text", "explanation", *rules.IMAGE_KEY_FIELDS):
        value = cleaned.get(field)
        if isinstance(value, str) and not value.strip():
            cleaned[field] = None
    if cleaned.get("question_type") == "MCQ" and cleaned.get("mcq_choices"):
        cleaned["mcq_choices"] = [
            {key: choice[key] for key in ("label", "text", "image_key") if choice.get(key) is not None}
            for choice in cleaned["mcq_choices"]
        ]
    else:
        cleaned["mcq_choices"] = cleaned.get("mcq_choices") or None
    cleaned["mcq_correct_choices"] = cleaned.get("mcq_correct_choices") or None
    cleaned["marking_scheme"] = rules.clean_scheme(cleaned.get("marking_scheme"))
    return cleaned


def _validate(conn: psycopg.Connection, question: Mapping[str, Any]) -> None:
    units = units_for_class(conn, question["class"]) if question.get("class") in rules.CLASSES else None
    problems = rules.question_problems(question, units)
    if problems:
        raise ValidationFailed(problems, "The question breaks the rules named in details.fields.")


def _image_keys(question: Mapping[str, Any]) -> dict[str, str]:
    """Every image key of a question, by the field a problem would be reported on."""
    keys = {field: question[field] for field in rules.IMAGE_KEY_FIELDS if question.get(field)}
    for choice in question.get("mcq_choices") or []:
        if choice.get("image_key"):
            keys[f"mcq_choices.{choice.get('label')}"] = choice["image_key"]
    return keys


def _check_uploaded_images(
    conn: psycopg.Connection, storage: Storage | None, question: Mapping[str, Any], before: Mapping | None
) -> None:
    """New image keys must name an uploaded PNG or JPEG (by its bytes), within the size limit."""
    if storage is None:
        return
    known = set(_image_keys(before).values()) if before else set()
    max_bytes = int(setting(conn, "max_upload_size_mb")) * 1024 * 1024
    problems: dict[str, list[str]] = {}
    for field, key in _image_keys(question).items():
        if key in known:
            continue
        info = storage.head(key)
        if info is None:
            problems.setdefault(field, []).append("no uploaded file at this key (upload it first)")
        elif info.size > max_bytes:
            problems.setdefault(field, []).append(f"the image is larger than {max_bytes // (1024 * 1024)} MB")
        elif sniff_content_type(storage.read_range(key, 0, 16)) not in IMAGE_TYPES:
            problems.setdefault(field, []).append("the uploaded file is not a PNG or JPEG image")
    if problems:
        raise ValidationFailed(problems, "An image key does not name a usable upload.")


def create_question(
    conn: psycopg.Connection, principal: Principal, body: Mapping[str, Any], storage: Storage | None = None
) -> dict:
    """Admins' questions are active at once; teachers' are drafts while approval is required."""
    question = _clean(dict(body))
    _validate(conn, question)
    _check_uploaded_images(conn, storage, question, None)
    if principal.role == "admin":
        status, approved_by = "active", principal.user_id
    else:
        status, approved_by = ("draft" if approval_required(conn) else "active"), None
    values = {field: question.get(field) for field in rules.CONTENT_FIELDS}
    row = repository.insert_question(
        conn, {**values, "status": status, "created_by": principal.user_id, "approved_by": approved_by}
    )
    record_event(
        conn,
        "question.created",
        principal.actor,
        "question",
        row["question_id"],
        {"status": status, "class": row["class"], "unit": row["unit"], "question_type": row["question_type"]},
    )
    return row


def update_question(
    conn: psycopg.Connection,
    principal: Principal,
    question_id: UUID,
    changes: Mapping[str, Any],
    storage: Storage | None = None,
) -> dict:
    """The next version: the previous content goes to question_versions (append-only).
    A change that changes nothing keeps the version."""
    if not changes:
        raise ValidationFailed({"_schema": ["send at least one field to change"]})
    current = _visible(principal, repository.lock_question(conn, question_id))
    _ensure_editable(principal, current)
    merged = _clean({**rules.content_of(current), **changes})
    _validate(conn, merged)
    changed = rules.changed_fields(current, merged)
    if not changed:
        return dict(current)
    _check_uploaded_images(conn, storage, merged, current)
    status = current["status"]
    if principal.role != "admin" and status == "active" and approval_required(conn):
        status = "draft"
    repository.insert_question_version(
        conn, question_id, current["version"], rules.content_of(current), principal.user_id
    )
    values = {field: merged.get(field) for field in rules.CONTENT_FIELDS}
    row = repository.update_question_content(conn, question_id, current["version"], {**values, "status": status})
    record_event(
        conn,
        "question.updated",
        principal.actor,
        "question",
        question_id,
        {
            "from_version": current["version"],
            "to_version": row["version"],
            "changed": changed,
            "status": status,
            "previous_status": current["status"],
        },
    )
    return row


def question_versions(conn: psycopg.Connection, principal: Principal, question_id: UUID) -> list[dict]:
    """Every version, oldest first; the last is the question as it is now."""
    current = get_question(conn, principal, question_id)
    history = [
        {
            "version": row["version"],
            "is_current": False,
            "content": row["content"],
            "superseded_by": row["edited_by"],
            "superseded_at": row["created_at"],
        }
        for row in repository.list_question_versions(conn, question_id)
    ]
    history.append(
        {
            "version": current["version"],
            "is_current": True,
            "content": rules.content_of(current),
            "superseded_by": None,
            "superseded_at": None,
        }
    )
    return history


# ---------------------------------------------------------------------------------------
# Approval
# ---------------------------------------------------------------------------------------
def approve_question(conn: psycopg.Connection, principal: Principal, question_id: UUID) -> dict:
    """draft (or archived) → active: from now on exams may draw it."""
    current = _visible(principal, repository.lock_question(conn, question_id))
    if current["status"] == "active":
        raise InvalidQuestionState("The question is already active.")
    row = repository.set_question_status(conn, question_id, "active", principal.user_id)
    record_event(
        conn, "question.approved", principal.actor, "question", question_id, {"previous_status": current["status"]}
    )
    return row


def archive_question(conn: psycopg.Connection, principal: Principal, question_id: UUID) -> dict:
    """Soft delete: kept for the exams that used it, never drawn again."""
    current = _visible(principal, repository.lock_question(conn, question_id))
    if current["status"] == "archived":
        raise InvalidQuestionState("The question is already archived.")
    row = repository.set_question_status(conn, question_id, "archived", None)
    record_event(
        conn, "question.archived", principal.actor, "question", question_id, {"previous_status": current["status"]}
    )
    return row


def eligible_question_ids(conn: psycopg.Connection, klass: str, question_type: str, unit: str) -> list[UUID]:
    """Questions exams may draw: active ones only."""
    return repository.eligible_question_ids(conn, klass, question_type, unit)


# ---------------------------------------------------------------------------------------
# Search
# ---------------------------------------------------------------------------------------
def search_questions(conn: psycopg.Connection, principal: Principal, args: Mapping[str, Any]) -> tuple[list[dict], int]:
    problems = rules.nul_problems(args)
    if problems:
        raise ValidationFailed(problems)
    filters = {
        "class": args.get("class"),
        "unit": args.get("unit"),
        "question_type": args.get("question_type"),
        "difficulty": args.get("difficulty"),
        "status": args.get("status"),
        "tag": " ".join(args["tag"].split()).lower() if args.get("tag") else None,
        "q": args.get("q") or None,
        "viewer_id": None if principal.role == "admin" else principal.user_id,
    }
    return repository.search_questions(conn, filters, args["limit"], args["offset"])


# ---------------------------------------------------------------------------------------
# Responses: signed image URLs
# ---------------------------------------------------------------------------------------
def with_image_urls(question: Mapping[str, Any], sign: Callable[[str | None], str | None], expires_in: int) -> dict:
    """The question with a short-lived signed GET URL beside every image key (``sign`` is
    storage.url_signer's, valid ``expires_in`` seconds)."""
    out = dict(question)
    for key_field, url_field in IMAGE_URL_FIELDS.items():
        out[url_field] = sign(out.get(key_field))
    if out.get("mcq_choices"):
        out["mcq_choices"] = [{**choice, "image_url": sign(choice.get("image_key"))} for choice in out["mcq_choices"]]
    out["image_urls_expire_in"] = expires_in
    return out


def image_upload_target(
    conn: psycopg.Connection, principal: Principal, body: Mapping[str, Any], storage: Storage
) -> dict:
    """A signed POST form for one image: question-images/{question_id}/{next version}/… for an
    existing question the caller may edit, else question-images/new/{uuid}/… ."""
    content_type = body["content_type"]
    file_name = f"{uuid.uuid4().hex}.{IMAGE_TYPES[content_type]}"
    question_id = body.get("question_id")
    if question_id is not None:
        question = _visible(principal, repository.get_question(conn, question_id))
        _ensure_editable(principal, question)
        key = f"question-images/{question_id}/{question['version'] + 1}/{file_name}"
    else:
        key = f"question-images/new/{uuid.uuid4()}/{file_name}"
    max_bytes = int(setting(conn, "max_upload_size_mb")) * 1024 * 1024
    expires_in = signed_url_seconds(conn)
    post = storage.presigned_post(key, max_bytes, expires_in)
    return {
        "key": key,
        "url": post["url"],
        "method": "POST",
        "fields": {**post["fields"], "Content-Type": content_type},
        "content_type": content_type,
        "max_bytes": max_bytes,
        "expires_in": expires_in,
    }


# ---------------------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------------------
def _jsonable(question: Mapping[str, Any]) -> dict[str, Any]:
    return {key: (float(value) if isinstance(value, Decimal) else value) for key, value in question.items()}


def read_import_file(
    file_format: str, data: bytes, defaults: Mapping[str, Any], units: Mapping[str, list[str]]
) -> importer.ParsedSheet:
    """Any import format → questions and per-entry problems (FileRefused for a file that
    cannot be read at all)."""
    if file_format in ("csv", "xlsx"):
        header, rows = importer.read_csv(data) if file_format == "csv" else importer.read_xlsx(data)
        return importer.parse_sheet(header, rows, units)
    numbered_by = interchange.NUMBERED_BY[file_format]
    if file_format == "moodle_xml":
        drafts = moodle_xml.read_moodle_xml(data, defaults)
    elif file_format == "gift":
        drafts = gift.read_gift(interchange.decode_text(data, "GIFT"))
    else:
        drafts = aiken.read_aiken(interchange.decode_text(data, "Aiken"))
    return interchange.check_drafts(drafts, defaults, units, numbered_by)


def import_questions(
    conn: psycopg.Connection,
    principal: Principal,
    file_name: str,
    data: bytes,
    dry_run: bool,
    file_format: str | None = None,
    defaults: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Check every entry; unless dry_run, insert the good ones as drafts in this transaction,
    skipping exact duplicates (same class, unit, type and normalised text)."""
    if len(data) > MAX_IMPORT_BYTES:
        raise PayloadTooLarge(f"An import file may be at most {MAX_IMPORT_BYTES // (1024 * 1024)} MB.")
    try:
        file_format = interchange.format_of(file_name, file_format)
        parsed = read_import_file(file_format, data, defaults or {}, units_by_class(conn))
    except importer.FileRefused as exc:
        raise ValidationFailed({"file": [str(exc)]}, "The file cannot be imported.") from None
    payload = [_jsonable(question) for question in parsed.questions]
    if dry_run or not payload:
        duplicate_rows = repository.find_duplicate_rows(conn, payload) if payload else []
        imported = 0
    else:
        repository.lock_question_import(conn)
        result = repository.insert_questions_skipping_duplicates(
            conn, payload, status="draft", created_by=principal.user_id, approved_by=None
        )
        imported, duplicate_rows = result["imported"], list(result["duplicate_rows"])
    report = {
        "dry_run": dry_run,
        "file_name": file_name,
        "format": file_format,
        "numbered_by": interchange.NUMBERED_BY[file_format],
        "total_rows": parsed.total_rows,
        "valid_rows": len(parsed.questions),
        "imported": imported,
        "importable": len(parsed.questions) - len(duplicate_rows),
        "duplicates": len(duplicate_rows),
        "duplicate_rows": duplicate_rows,
        "errors": [problem.as_dict() for problem in parsed.errors],
        "warnings": [problem.as_dict() for problem in parsed.warnings],
    }
    if not dry_run:
        record_event(
            conn,
            "question.imported",
            principal.actor,
            "question",
            None,
            {key: report[key] for key in ("file_name", "format", "total_rows", "imported", "duplicates")}
            | {"error_rows": len(parsed.bad_rows)},
        )
    return report


# ---------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------
def export_filters(principal: Principal, args: Mapping[str, Any]) -> dict[str, Any]:
    """What an export covers: the caller's view of the bank (as in search), narrowed."""
    problems = rules.nul_problems(args)
    if args.get("format") == "aiken" and not (args.get("class") and args.get("unit")):
        problems.setdefault("unit", []).append(
            "an Aiken file carries no class or unit: export one class and unit at a time (class=…&unit=…)"
        )
    if problems:
        raise ValidationFailed(problems)
    return {
        "class": args.get("class"),
        "unit": args.get("unit"),
        "status": args.get("status"),
        "viewer_id": None if principal.role == "admin" else principal.user_id,
    }


def question_pages(conn: psycopg.Connection, filters: Mapping[str, Any]) -> Iterator[list[dict]]:
    """The export's questions, one keyset page at a time (never the whole bank in memory)."""
    after = None
    while True:
        page = repository.export_questions_page(conn, dict(filters), after, EXPORT_PAGE_SIZE)
        if page:
            yield page
        if len(page) < EXPORT_PAGE_SIZE:
            return
        after = page[-1]


def export_file_name(export_format: str, filters: Mapping[str, Any]) -> str:
    parts = ["mathvidya-questions", filters.get("class"), filters.get("unit"), filters.get("status")]
    stem = "-".join(re.sub(r"[^A-Za-z0-9]+", "-", part).strip("-") for part in parts if part)
    return f"{stem}.{EXPORT_MEDIA_TYPES[export_format][1]}"


def export_body(export_format: str, pages: Iterable[list[dict]]) -> Iterator[bytes]:
    """The file, in chunks: the questions the format can carry, and (where it has comments)
    a note of those it left out."""
    skipped: list[tuple[Any, str]] = []

    def carried() -> Iterator[dict]:
        for page in pages:
            for row in page:
                question = rules.content_of(row)
                problem = interchange.export_problem(question, export_format)
                if problem:
                    skipped.append((row["question_id"], problem))
                else:
                    yield question

    def pieces() -> Iterator[str]:
        if export_format == "gift":
            yield from gift.write_gift(carried())
            yield gift.write_trailer(skipped)
        elif export_format == "moodle_xml":
            yield from moodle_xml.write_moodle_xml(carried())
            yield moodle_xml.write_trailer(skipped)
        elif export_format == "aiken":
            yield from aiken.write_aiken(carried())
        else:
            yield from importer.export_rows(carried())

    return interchange.chunked(pieces())
