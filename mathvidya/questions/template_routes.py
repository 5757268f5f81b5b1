"""Exam template endpoints: the admin's (/admin/exam-templates) and the list every
exam taker reads (GET /exams/templates), which lives here beside the rules it shows."""

from __future__ import annotations

from uuid import UUID

from flask.views import MethodView

from mathvidya import db
from mathvidya.authz import current_principal, roles
from mathvidya.questions import schemas, templates_service
from mathvidya.schema_dump import Blueprint

blp = Blueprint("exam_templates", __name__, url_prefix="/api/v1", description="Exam templates")


@blp.route("/admin/exam-templates")
class AdminTemplates(MethodView):
    @roles("admin")
    @blp.arguments(schemas.AdminTemplateArgsSchema, location="query")
    @blp.response(200, schemas.TemplateListSchema)
    def get(self, args):
        """Every template, active or not (filters: class, exam_type, is_active)."""
        items, total = templates_service.list_templates_for_admin(db.request_connection(), args)
        return {"items": items, "total": total, "limit": args["limit"], "offset": args["offset"]}

    @roles("admin")
    @blp.arguments(schemas.TemplateCreateSchema)
    @blp.response(201, schemas.TemplateSchema)
    def post(self, body):
        """Create a template; refused unless sections add up to total_marks, marks match each
        type, weights are units of the class summing to 1 (±0.001), and a unit_practice
        template names its unit."""
        return templates_service.create_template(db.request_connection(), current_principal(), body)


@blp.route("/admin/exam-templates/<uuid:template_id>")
class AdminTemplateItem(MethodView):
    @roles("admin")
    @blp.response(200, schemas.TemplateSchema)
    def get(self, template_id: UUID):
        """One template."""
        return templates_service.get_template(db.request_connection(), template_id)

    @roles("admin")
    @blp.arguments(schemas.TemplatePatchSchema)
    @blp.response(200, schemas.TemplateSchema)
    def patch(self, changes, template_id: UUID):
        """Change a template (the same rules as creating); `is_active: false` deactivates it."""
        return templates_service.update_template(db.request_connection(), current_principal(), template_id, changes)


@blp.route("/exams/templates")
class ExamTemplates(MethodView):
    @roles("student", "teacher", "admin")
    @blp.arguments(schemas.TemplateArgsSchema, location="query")
    @blp.response(200, schemas.TemplateListSchema)
    def get(self, args):
        """Active templates with their sections. Students see their own class's, each with
        `allowed_by_plan` (and `plan_refusal` when not); teachers and admins see all."""
        items, total = templates_service.list_templates_for(db.request_connection(), current_principal(), args)
        return {"items": items, "total": total, "limit": args["limit"], "offset": args["offset"]}
