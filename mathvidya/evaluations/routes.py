"""/evaluations (teachers) and /admin/evaluations."""

from __future__ import annotations

from datetime import datetime

from flask.views import MethodView

from mathvidya import business_time, db
from mathvidya.authz import current_principal, roles
from mathvidya.config import current_settings
from mathvidya.evaluations import schemas, service
from mathvidya.schema_dump import Blueprint

blp = Blueprint("evaluations", __name__, url_prefix="/api/v1", description="Marking answer sheets")


def _now() -> datetime:
    return business_time.now()


@blp.route("/evaluations/queue")
class Queue(MethodView):
    @db.autocommit_reads
    @roles("teacher", "admin")
    @blp.arguments(schemas.QueueArgsSchema, location="query")
    @blp.response(200, schemas.QueueSchema)
    def get(self, args):
        """Open evaluations by deadline, then plan priority (a teacher's own; all for admins).

        Under anonymous marking (`anonymous_marking`, default on) a teacher's `student_name` holds
        the exam's `candidate_code`; admins always see the name and the code."""
        principal = current_principal()
        teacher = principal.user_id if principal.role == "teacher" else None
        return service.queue(
            db.request_connection(),
            principal,
            teacher,
            args.get("status"),
            None,
            args["limit"],
            args["offset"],
            _now(),
        )


@blp.route("/evaluations/<uuid:evaluation_id>")
class Evaluation(MethodView):
    @roles("teacher", "admin")
    @blp.response(200, schemas.EvaluationSchema)
    def get(self, evaluation_id):
        """Questions to mark with answers, pages with signed URLs, the unanswered list, the deadline."""
        return service.evaluation_view(
            db.request_connection(), current_settings(), current_principal(), evaluation_id, _now()
        )


@blp.route("/evaluations/<uuid:evaluation_id>/start")
class StartEvaluation(MethodView):
    @roles("teacher")
    @blp.response(200, schemas.StartedSchema)
    @blp.alt_response(409, description="EVALUATION_ALREADY_SUBMITTED")
    def post(self, evaluation_id):
        """Open the answer sheet for marking (assigned → in_progress)."""
        return service.start_evaluation(db.request_connection(), current_principal(), evaluation_id, _now())


@blp.route("/evaluations/<uuid:evaluation_id>/submit")
class SubmitEvaluation(MethodView):
    @roles("teacher")
    @blp.arguments(schemas.SubmitSchema)
    @blp.response(200, schemas.SubmittedSchema)
    @blp.alt_response(409, description="EVALUATION_ALREADY_SUBMITTED")
    def post(self, body, evaluation_id):
        """Marks for every written question; final and atomic."""
        return service.submit_evaluation(
            db.request_connection(),
            current_settings(),
            current_principal(),
            evaluation_id,
            body["question_marks"],
            _now(),
        )


@blp.route("/evaluations/<uuid:evaluation_id>/request-reupload")
class RequestReupload(MethodView):
    @roles("teacher")
    @blp.arguments(schemas.ReuploadRequestSchema)
    @blp.response(200, schemas.ReuploadRequestedSchema)
    @blp.alt_response(
        409,
        description="INVALID_EXAM_STATE (the exam is not awaiting evaluation), "
        "EVALUATION_ALREADY_SUBMITTED, or REUPLOAD_LIMIT_REACHED (two requests already)",
    )
    def post(self, body, evaluation_id):
        """The assigned teacher asks for new photos of some pages (at most twice per exam).

        The exam goes to reupload_requested and its SLA deadline is cleared; the student is
        told in-app and by e-mail which pages and why. Confirming the new pages starts a new
        deadline and the same teacher keeps the evaluation. Another teacher's evaluation: 404."""
        return service.request_reupload(
            db.request_connection(),
            current_settings(),
            current_principal(),
            evaluation_id,
            body["pages"],
            body["reason"],
            _now(),
        )


@blp.route("/admin/evaluations")
class AdminEvaluations(MethodView):
    @roles("admin")
    @blp.arguments(schemas.AdminListArgsSchema, location="query")
    @blp.response(200, schemas.QueueSchema)
    def get(self, args):
        """Every evaluation, filtered by status (default open), teacher and breach."""
        return service.queue(
            db.request_connection(),
            current_principal(),
            args.get("teacher_user_id"),
            args.get("status"),
            args.get("breached"),
            args["limit"],
            args["offset"],
            _now(),
        )


@blp.route("/admin/evaluations/<uuid:evaluation_id>/reassign")
class Reassign(MethodView):
    @roles("admin")
    @blp.arguments(schemas.ReassignSchema)
    @blp.response(200, schemas.ReassignedSchema)
    @blp.alt_response(409, description="EVALUATION_ALREADY_SUBMITTED")
    def post(self, body, evaluation_id):
        """Move an open evaluation to another active teacher; the deadline stays."""
        return service.reassign(
            db.request_connection(),
            current_settings(),
            current_principal(),
            evaluation_id,
            body["teacher_user_id"],
            _now(),
        )
