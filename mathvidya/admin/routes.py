"""/admin/config, /admin/holidays and /admin/audit-logs (admins only)."""

from __future__ import annotations

from flask.views import MethodView

from mathvidya import db
from mathvidya.admin import schemas, service
from mathvidya.authz import current_principal, roles
from mathvidya.redis_client import redis_conn
from mathvidya.schema_dump import Blueprint

blp = Blueprint("admin", __name__, url_prefix="/api/v1/admin", description="Settings, holiday calendar and audit trail")


@blp.route("/config")
class ConfigList(MethodView):
    @roles("admin")
    @blp.response(200, schemas.ConfigListSchema)
    def get(self):
        """Every business setting: value, type, description, rule, last change and who made it."""
        return {"items": service.list_config(db.request_connection())}


@blp.route("/config/<string:key>")
class ConfigEntry(MethodView):
    @roles("admin")
    @blp.response(200, schemas.ConfigEntrySchema)
    @blp.alt_response(404, description="No such setting")
    def get(self, key):
        """One setting."""
        return service.get_config(db.request_connection(), key)

    @roles("admin")
    @blp.arguments(schemas.ConfigUpdateSchema)
    @blp.response(200, schemas.ConfigEntrySchema)
    @blp.alt_response(404, description="No such setting")
    def put(self, body, key):
        """Replace a setting's value (validated by the key's rule; audited config.updated).
        Every web and worker process uses the new value from its next read."""
        return service.update_config(
            db.request_connection(), redis_conn(), key, body["value"], current_principal().actor
        )


@blp.route("/holidays")
class Holidays(MethodView):
    @roles("admin")
    @blp.arguments(schemas.HolidayQuerySchema, location="query")
    @blp.response(200, schemas.HolidayListSchema)
    def get(self, args):
        """The holiday calendar (optionally one year), by date."""
        return service.list_holidays(db.request_connection(), args.get("year"), args["limit"], args["offset"])

    @roles("admin")
    @blp.arguments(schemas.HolidayCreateSchema)
    @blp.response(201, schemas.HolidaySchema)
    @blp.alt_response(409, description="The same holiday (date and name) is already in the calendar")
    def post(self, body):
        """Add a holiday or a working-day override (audited holiday.created). Several holidays may
        share a date. SLA deadlines already fixed do not move."""
        return service.add_holiday(
            db.request_connection(),
            body["holiday_date"],
            body["holiday_name"],
            body["is_working_day"],
            body.get("description"),
            current_principal().actor,
        )


@blp.route("/holidays/<uuid:holiday_id>")
class Holiday(MethodView):
    @roles("admin")
    @blp.response(204)
    @blp.alt_response(404, description="No such holiday")
    def delete(self, holiday_id):
        """Remove a holiday (audited holiday.deleted). SLA deadlines already fixed do not move."""
        service.delete_holiday(db.request_connection(), holiday_id, current_principal().actor)


@blp.route("/audit-logs")
class AuditLogs(MethodView):
    @roles("admin")
    @blp.arguments(schemas.AuditLogQuerySchema, location="query")
    @blp.response(200, schemas.AuditLogListSchema)
    def get(self, args):
        """The audit trail, newest first, filtered by event type, actor, resource and time."""
        return service.list_audit_logs(db.request_connection(), args)
