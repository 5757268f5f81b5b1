"""/exams: start, list, view, autosave, submit the MCQ part, upload answer sheets, results."""

from __future__ import annotations

from datetime import datetime

from flask import jsonify, make_response
from flask.views import MethodView

from mathvidya import business_time, db, idempotency
from mathvidya.authz import current_principal, roles
from mathvidya.config import current_settings
from mathvidya.exams import schemas, service
from mathvidya.schema_dump import Blueprint

blp = Blueprint("exams", __name__, url_prefix="/api/v1/exams", description="Taking exams")


def _now() -> datetime:
    return business_time.now()


@blp.route("/start")
class StartExam(MethodView):
    @roles("student")
    @blp.arguments(schemas.StartExamSchema)
    @blp.response(201, schemas.ExamSchema)
    @blp.alt_response(
        403,
        description="PARENT_LINK_REQUIRED, SUBSCRIPTION_REQUIRED, SUBSCRIPTION_LIMIT_EXCEEDED, EXAM_TYPE_NOT_IN_PLAN",
    )
    @blp.alt_response(409, description="INSUFFICIENT_QUESTIONS (details per section)")
    def post(self, body):
        """Generate and start an exam; honours Idempotency-Key. Consumes one exam of the quota.

        An `adaptive_practice` template draws from the student's three weakest units (no
        history: the units with the most board weight), preferring questions whose measured
        facility suits the student's level in each unit (docs/exams.md)."""
        principal, conn, settings = current_principal(), db.request_connection(), current_settings()

        def start() -> tuple[dict, int]:
            exam = service.start_exam(conn, settings, principal, body["template_id"], _now())
            view = service.exam_view(conn, settings, principal, exam, saved={})
            return schemas.ExamSchema().dump(view), 201

        payload, status = idempotency.run_once(
            conn, principal.user_id, "exams.start", {"template_id": str(body["template_id"])}, start
        )
        # Already serialised (and possibly replayed from storage): bypass the response schema.
        return make_response(jsonify(payload), status)


@blp.route("")
class Exams(MethodView):
    @roles("student", "parent", "admin")
    @blp.arguments(schemas.ExamListArgsSchema, location="query")
    @blp.response(200, schemas.ExamListSchema)
    def get(self, args):
        """Exams, newest first: a student's own; a parent's linked child (?student_id=); any for admins."""
        return service.list_exams(
            db.request_connection(),
            current_principal(),
            args.get("student_id"),
            args.get("status"),
            args["limit"],
            args["offset"],
        )


@blp.route("/<uuid:exam_id>")
class Exam(MethodView):
    @db.autocommit_reads
    @roles("student", "parent", "teacher", "admin")
    @blp.response(200, schemas.ExamSchema)
    def get(self, exam_id):
        """The exam as its viewer may see it (answers hidden from students until the MCQ part is in).

        Under anonymous marking a teacher gets no `student_user_id`, only the `candidate_code`.
        The owner, a linked parent and admins get `evaluation` (once the pages are confirmed) and
        `turnaround_working_hours` (once marked)."""
        conn, principal = db.request_connection(), current_principal()
        exam = service.visible_exam(conn, principal, exam_id, as_of=_now())
        return service.exam_view(conn, current_settings(), principal, exam)


@blp.route("/<uuid:exam_id>/answers")
class Answers(MethodView):
    @roles("student")
    @blp.arguments(schemas.AnswersSchema)
    @blp.response(200, schemas.SavedSchema)
    @blp.alt_response(409, description="EXAM_TIME_OVER or INVALID_EXAM_STATE")
    def put(self, body, exam_id):
        """Autosave MCQ answers while the exam is in progress."""
        return service.save_answers(db.request_connection(), current_principal(), exam_id, body["answers"], _now())


@blp.route("/<uuid:exam_id>/submit-mcq")
class SubmitMcq(MethodView):
    @roles("student")
    @blp.arguments(schemas.SubmitMcqSchema)
    @blp.response(200, schemas.McqSubmissionSchema)
    @blp.alt_response(409, description="EXAM_TIME_OVER or INVALID_EXAM_STATE (already submitted)")
    def post(self, body, exam_id):
        """Score the MCQ part (exact-set marking); MCQ-only exams are then evaluated."""
        return service.submit_mcq(db.request_connection(), current_principal(), exam_id, body["answers"], _now())


@blp.route("/<uuid:exam_id>/upload-urls")
class UploadUrls(MethodView):
    @roles("student")
    @blp.arguments(schemas.UploadUrlArgsSchema, location="query")
    @blp.response(200, schemas.UploadUrlsSchema)
    def get(self, args, exam_id):
        """Pre-signed POST targets, one per page (answer-sheets/{exam}/page-{n}: no student id in the key).

        Asking again gives fresh forms for the same page numbers: a page not yet confirmed,
        or asked for again by the teacher (reupload_requested), is replaced by posting anew."""
        return service.upload_targets(
            db.request_connection(), current_settings(), current_principal(), exam_id, args["page_count"]
        )


@blp.route("/<uuid:exam_id>/confirm-upload")
class ConfirmUpload(MethodView):
    @roles("student")
    @blp.arguments(schemas.ConfirmUploadSchema)
    @blp.response(200, schemas.ConfirmedUploadSchema)
    @blp.alt_response(
        422,
        description="UPLOAD_MISSING, UPLOAD_TOO_LARGE, UPLOAD_TYPE_NOT_ALLOWED, fields, or UPLOAD_QUALITY with "
        'details.pages: [{page_number, problems: ["too_small"|"blank"|"blurry"]}]',
    )
    def post(self, body, exam_id):
        """Check every page in storage, record pages and unanswered questions, start the SLA clock.

        With upload_quality_check_enabled, each image page must have a shorter side of at
        least upload_min_short_side_px, not be blank and not be blurred; failing pages answer
        422 UPLOAD_QUALITY and nothing changes: upload those pages again and confirm again.
        After a teacher's re-upload request, pages_uploaded must include the pages asked for;
        the confirmation sets a new submitted_at and deadline and the same teacher keeps it."""
        return service.confirm_upload(
            db.request_connection(), current_settings(), current_principal(), exam_id, body, _now()
        )


@blp.route("/<uuid:exam_id>/results")
class Results(MethodView):
    @db.autocommit_reads
    @roles("student", "parent", "admin")
    @blp.response(200, schemas.ResultsSchema)
    def get(self, exam_id):
        """Scores, question-wise marks and comments, explanations, original and annotated pages."""
        return service.results(db.request_connection(), current_settings(), current_principal(), exam_id)
