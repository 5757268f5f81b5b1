"""Request and response bodies of /admin/config, /admin/holidays and /admin/audit-logs."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from mathvidya.schemas import PageArgsSchema, StrictSchema, list_schema

# --- settings --------------------------------------------------------------------------------


class ConfigEntrySchema(Schema):
    key = fields.String(required=True)
    value = fields.Raw(required=True, metadata={"description": "The JSON value"})
    type = fields.String(required=True, metadata={"description": "string, integer, boolean, array or object"})
    description = fields.String(allow_none=True)
    rule = fields.String(required=True, metadata={"description": "What an update must satisfy"})
    updated_at = fields.DateTime(required=True)
    updated_by = fields.UUID(allow_none=True)


class ConfigListSchema(Schema):
    items = fields.List(fields.Nested(ConfigEntrySchema), required=True)


class ConfigUpdateSchema(StrictSchema):
    value = fields.Raw(required=True, allow_none=False, metadata={"description": "The new JSON value"})


# --- holidays --------------------------------------------------------------------------------


class HolidayQuerySchema(PageArgsSchema):
    year = fields.Integer(validate=validate.Range(min=2000, max=2100), metadata={"description": "Only this year"})


class HolidayCreateSchema(StrictSchema):
    holiday_date = fields.Date(required=True)
    holiday_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    is_working_day = fields.Boolean(
        load_default=False,
        metadata={"description": "true makes the date a working day (an override), even on a closed weekday"},
    )
    description = fields.String(allow_none=True, validate=validate.Length(max=500))


class HolidaySchema(Schema):
    holiday_id = fields.UUID(required=True)
    holiday_date = fields.Date(required=True)
    holiday_name = fields.String(required=True)
    is_working_day = fields.Boolean(required=True)
    description = fields.String(allow_none=True)
    created_at = fields.DateTime(required=True)


HolidayListSchema = list_schema(HolidaySchema, "HolidayList")


# --- audit trail -----------------------------------------------------------------------------


class AuditLogQuerySchema(PageArgsSchema):
    event_type = fields.String(
        validate=validate.Length(min=1, max=100),
        metadata={"description": "Exact type (config.updated), or a family ending in .* (holiday.*)"},
    )
    actor_user_id = fields.UUID()
    resource_type = fields.String(validate=validate.Length(min=1, max=100))
    resource_id = fields.String(validate=validate.Length(min=1, max=200))
    from_ = fields.AwareDateTime(data_key="from", metadata={"description": "created_at >= from (ISO 8601 with offset)"})
    to = fields.AwareDateTime(metadata={"description": "created_at < to (ISO 8601 with offset)"})


class AuditLogSchema(Schema):
    log_id = fields.UUID(required=True)
    event_type = fields.String(required=True)
    actor_user_id = fields.UUID(allow_none=True, metadata={"description": "null for the system (jobs)"})
    actor_role = fields.String(allow_none=True)
    ip_address = fields.String(allow_none=True)
    resource_type = fields.String(allow_none=True)
    resource_id = fields.String(allow_none=True)
    details = fields.Dict(required=True)
    created_at = fields.DateTime(required=True)


AuditLogListSchema = list_schema(AuditLogSchema, "AuditLogList")
