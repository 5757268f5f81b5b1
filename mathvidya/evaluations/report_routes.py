"""/admin/reports/sla-compliance (admins) and /analytics/teacher (a teacher's own figures)."""

from __future__ import annotations

from flask.views import MethodView

from mathvidya import business_time, db
from mathvidya.authz import current_principal, roles
from mathvidya.evaluations import report_schemas as schemas
from mathvidya.evaluations import reports
from mathvidya.schema_dump import Blueprint

blp = Blueprint("evaluation_reports", __name__, url_prefix="/api/v1", description="SLA compliance and teacher figures")


@blp.route("/admin/reports/sla-compliance")
class SlaCompliance(MethodView):
    @roles("admin")
    @blp.arguments(schemas.ReportPeriodArgsSchema, location="query")
    @blp.response(200, schemas.SlaComplianceSchema)
    def get(self, args):
        """Evaluations of exams submitted in the period (Asia/Kolkata dates): on time, breached, by plan, teacher."""
        return reports.sla_compliance(
            db.request_connection(), args["start_date"], args["end_date"], business_time.now()
        )


@blp.route("/analytics/teacher")
class TeacherAnalytics(MethodView):
    @roles("teacher")
    @blp.response(200, schemas.TeacherAnalyticsSchema)
    def get(self):
        """The caller's workload, completions, working-hours turnaround and breach rate."""
        return reports.teacher_analytics(db.request_connection(), current_principal().user_id, business_time.now())
