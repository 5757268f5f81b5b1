"""/evaluations/{id}/annotations: the assigned teacher stamps answer-sheet pages."""

from __future__ import annotations

from flask.views import MethodView

from mathvidya import db
from mathvidya.authz import current_principal, roles
from mathvidya.config import current_settings
from mathvidya.evaluations import annotation_schemas as schemas
from mathvidya.evaluations import annotations
from mathvidya.schema_dump import Blueprint

blp = Blueprint(
    "evaluation_annotations", __name__, url_prefix="/api/v1/evaluations", description="Stamping answer sheets"
)


@blp.route("/<uuid:evaluation_id>/annotations")
class EvaluationAnnotations(MethodView):
    @roles("teacher")
    @blp.arguments(schemas.AnnotatePageSchema)
    @blp.response(200, schemas.AnnotatedPageSchema)
    @blp.alt_response(404, description="No such evaluation assigned to the caller")
    @blp.alt_response(409, description="EVALUATION_ALREADY_SUBMITTED")
    @blp.alt_response(422, description="VALIDATION_ERROR: a stamp not in evaluation_ui_stamps, a page not uploaded")
    def post(self, body, evaluation_id):
        """Replace one page's stamps; image pages get a rendered annotated copy (PDF pages: overlay only)."""
        return annotations.annotate_page(
            db.request_connection(), current_settings(), current_principal(), evaluation_id, body
        )
