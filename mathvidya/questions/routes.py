"""Question bank and syllabus endpoints."""

from __future__ import annotations

import itertools
from uuid import UUID

from flask import Response, request, stream_with_context
from flask.views import MethodView

from mathvidya import db
from mathvidya.authz import current_principal, roles, signed_in
from mathvidya.config import current_settings
from mathvidya.errors import PayloadTooLarge, ValidationFailed
from mathvidya.questions import schemas, service
from mathvidya.schema_dump import Blueprint
from mathvidya.storage import signed_url_seconds, storage, url_signer

blp = Blueprint("questions", __name__, url_prefix="/api/v1", description="Question bank and syllabus")

EDITORS = ("teacher", "admin")


def _present(row: dict) -> dict:
    return _present_many([row])[0]


def _present_many(rows: list[dict]) -> list[dict]:
    conn = db.request_connection()
    sign, expires_in = url_signer(conn, current_settings()), signed_url_seconds(conn)
    return [service.with_image_urls(row, sign, expires_in) for row in rows]


@blp.route("/questions")
class Questions(MethodView):
    @db.autocommit_reads
    @roles(*EDITORS)
    @blp.arguments(schemas.QuestionSearchArgsSchema, location="query")
    @blp.response(200, schemas.QuestionListSchema)
    def get(self, args):
        """Search the bank: filters, full text `q`, paginated.

        Teachers see active questions and their own; admins see all."""
        items, total = service.search_questions(db.request_connection(), current_principal(), args)
        return {"items": _present_many(items), "total": total, "limit": args["limit"], "offset": args["offset"]}

    @roles(*EDITORS)
    @blp.arguments(schemas.QuestionCreateSchema)
    @blp.response(201, schemas.QuestionSchema)
    def post(self, body):
        """Create a question: active at once for admins; a draft for teachers while
        `question_approval_required`."""
        row = service.create_question(db.request_connection(), current_principal(), body, storage())
        return _present(row)


@blp.route("/questions/<uuid:question_id>")
class QuestionItem(MethodView):
    @roles(*EDITORS)
    @blp.response(200, schemas.QuestionSchema)
    def get(self, question_id: UUID):
        """One question with signed URLs for its images."""
        return _present(dict(service.get_question(db.request_connection(), current_principal(), question_id)))

    @roles(*EDITORS)
    @blp.arguments(schemas.QuestionPatchSchema)
    @blp.response(200, schemas.QuestionSchema)
    @blp.alt_response(403, description="A teacher editing someone else's question")
    @blp.alt_response(409, description="INVALID_QUESTION_STATE: the question is archived")
    def patch(self, changes, question_id: UUID):
        """Edit: bumps `version` and keeps the previous content in the history.

        A teacher's edit returns an active question to draft while approval is required."""
        row = service.update_question(db.request_connection(), current_principal(), question_id, changes, storage())
        return _present(row)


@blp.route("/questions/<uuid:question_id>/versions")
class QuestionVersions(MethodView):
    @roles(*EDITORS)
    @blp.response(200, schemas.QuestionVersionListSchema)
    def get(self, question_id: UUID):
        """Every version of the question, oldest first; the last is the current one."""
        items = service.question_versions(db.request_connection(), current_principal(), question_id)
        return {"items": items, "total": len(items), "limit": len(items), "offset": 0}


@blp.route("/questions/<uuid:question_id>/approve")
class QuestionApproval(MethodView):
    @roles("admin")
    @blp.response(200, schemas.QuestionSchema)
    @blp.alt_response(409, description="INVALID_QUESTION_STATE: already active")
    def post(self, question_id: UUID):
        """Make a draft (or archived) question active: exams may draw it from now on."""
        return _present(service.approve_question(db.request_connection(), current_principal(), question_id))


@blp.route("/questions/<uuid:question_id>/archive")
class QuestionArchive(MethodView):
    @roles("admin")
    @blp.response(200, schemas.QuestionSchema)
    @blp.alt_response(409, description="INVALID_QUESTION_STATE: already archived")
    def post(self, question_id: UUID):
        """Soft delete: the question stays readable but is never drawn into an exam again."""
        return _present(service.archive_question(db.request_connection(), current_principal(), question_id))


@blp.route("/questions/image-upload-url")
class QuestionImageUpload(MethodView):
    @roles(*EDITORS)
    @blp.arguments(schemas.ImageUploadRequestSchema)
    @blp.response(200, schemas.ImageUploadTargetSchema)
    def post(self, body):
        """A signed POST form for one PNG or JPEG: upload it, then put `key` in the question.

        With `question_id`, the key is question-images/{question_id}/{next version}/…; without,
        question-images/new/{uuid}/… (for a question not created yet)."""
        return service.image_upload_target(db.request_connection(), current_principal(), body, storage())


@blp.route("/questions/import")
class QuestionImport(MethodView):
    @roles(*EDITORS)
    @blp.arguments(schemas.ImportFormSchema, location="form", content_type="multipart/form-data")
    @blp.response(200, schemas.ImportReportSchema)
    @blp.alt_response(413, description="PAYLOAD_TOO_LARGE: the file is over 5 MB")
    def post(self, form):
        """Import a CSV (UTF-8), XLSX, GIFT, Aiken or Moodle XML file of questions (multipart:
        `file`, `dry_run`, `format`, and defaults `class`, `unit`, `question_type`, `marks`).

        Every bad entry is reported — by `row` (CSV, XLSX), `line` (GIFT, Aiken: where the
        entry starts) or `index` (Moodle XML), with the column or field and the reason; a real
        run imports the good entries as drafts in one transaction and skips exact duplicates
        (same class, unit, type and normalised text). A Moodle XML file with a DTD or entities
        is refused (422). Formats and the `// mv:` convention: docs/questions.md."""
        upload = request.files.get("file")
        if upload is None:
            raise ValidationFailed({"file": ["Missing data for required field."]})
        data = upload.stream.read(service.MAX_IMPORT_BYTES + 1)
        if len(data) > service.MAX_IMPORT_BYTES:
            raise PayloadTooLarge(f"An import file may be at most {service.MAX_IMPORT_BYTES // (1024 * 1024)} MB.")
        defaults = {key: form.get(key) for key in ("class", "unit", "question_type", "marks")}
        return service.import_questions(
            db.request_connection(),
            current_principal(),
            upload.filename or "",
            data,
            form["dry_run"],
            form["format"],
            defaults,
        )


@blp.route("/questions/export")
class QuestionExport(MethodView):
    @db.autocommit_reads
    @roles(*EDITORS)
    @blp.arguments(schemas.QuestionExportArgsSchema, location="query")
    @blp.alt_response(200, description="The file (`Content-Disposition: attachment`), streamed")
    def get(self, args):
        """Download questions as GIFT, Aiken, Moodle XML or CSV (filters `class`, `unit`, `status`).

        Teachers export active questions and their own; admins everything. The file is
        streamed in keyset pages of 500 questions, never built whole in memory. Questions a
        format cannot carry are left out (GIFT and Moodle XML name them in a closing comment;
        Aiken carries only single-answer MCQs and needs `class` and `unit`). Re-importing the
        file reports every question as a duplicate."""
        conn = db.request_connection()
        filters = service.export_filters(current_principal(), args)
        pages = service.question_pages(conn, filters)
        first = next(pages, [])  # a failure here still answers in the error shape
        body = service.export_body(args["format"], itertools.chain([first], pages))
        media_type, _suffix = service.EXPORT_MEDIA_TYPES[args["format"]]
        file_name = service.export_file_name(args["format"], filters)
        return Response(
            stream_with_context(body),
            content_type=media_type,
            headers={"Content-Disposition": f'attachment; filename="{file_name}"'},
        )


@blp.route("/syllabus/units")
class SyllabusUnits(MethodView):
    @signed_in
    @blp.arguments(schemas.SyllabusArgsSchema, location="query")
    @blp.response(200, schemas.SyllabusSchema)
    def get(self, args):
        """The CBSE units of a class, in syllabus order."""
        klass = args["class"]
        return {"class": klass, "units": service.units_for_class(db.request_connection(), klass)}
