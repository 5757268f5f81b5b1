"""Item analysis endpoints: one question's figures, and the admin list."""

from __future__ import annotations

from flask.views import MethodView

from mathvidya import db
from mathvidya.authz import roles
from mathvidya.insights import item_analysis
from mathvidya.insights.item_analysis_schemas import (
    ItemAnalysisArgsSchema,
    ItemAnalysisListSchema,
    QuestionAnalysisArgsSchema,
    QuestionAnalysisSchema,
)
from mathvidya.schema_dump import Blueprint

blp = Blueprint(
    "item_analysis",
    __name__,
    url_prefix="/api/v1",
    description="Item analysis: how each question version performs (facility, discrimination, flags)",
)


@blp.route("/questions/<uuid:question_id>/analysis")
class QuestionAnalysis(MethodView):
    @db.autocommit_reads
    @roles("teacher", "admin")
    @blp.arguments(QuestionAnalysisArgsSchema, location="query")
    @blp.response(200, QuestionAnalysisSchema)
    @blp.alt_response(404, description="NOT_FOUND: no such question, or a version it never had")
    def get(self, args, question_id):
        """The latest item analysis of a question version (default: its current version).

        Before any run, or for a version no run measured: attempts 0, null figures, no
        flags; computed_at is the latest run's instant (null before the first run)."""
        return item_analysis.question_analysis(db.request_connection(), question_id, args.get("version"))


@blp.route("/admin/item-analysis")
class ItemAnalysisList(MethodView):
    @db.autocommit_reads
    @roles("admin")
    @blp.arguments(ItemAnalysisArgsSchema, location="query")
    @blp.response(200, ItemAnalysisListSchema)
    def get(self, args):
        """Every measured question version of the latest run, filtered by class, unit and flag."""
        return item_analysis.list_item_analysis(db.request_connection(), args)
