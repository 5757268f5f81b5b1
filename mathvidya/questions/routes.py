"""Question bank and syllabus endpoints."""

from __future__ import annotations

from uuid import UUID

from flask import request
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
        """Import a CSV (UTF-8) or XLSX file of questions (multipart: `file`, `dry_run`).

        Every bad row is reported (row as the spreadsheet numbers it, column, reason);
        a real run imports the good rows as drafts in one transaction and skips exact
        duplicates (same class, unit, type and normalised text)."""
        upload = request.files.get("file")
        if upload is None:
            raise ValidationFailed({"file": ["Missing data for required field."]})
        data = upload.stream.read(service.MAX_IMPORT_BYTES + 1)
        if len(data) > service.MAX_IMPORT_BYTES:
            raise PayloadTooLarge(f"An import file may be at most {service.MAX_IMPORT_BYTES // (1024 * 1024)} MB.")
        return service.import_questions(
            db.request_connection(), current_principal(), upload.filename or "", data, form["dry_run"]
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
