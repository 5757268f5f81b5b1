"""Bodies of /notifications (notification items)."""

from __future__ import annotations

from marshmallow import Schema, fields

from mathvidya.schemas import PageArgsSchema


class NotificationQuerySchema(PageArgsSchema):
    unread = fields.Boolean(load_default=False, metadata={"description": "true: only unread ones"})


class NotificationSchema(Schema):
    notification_id = fields.UUID(required=True)
    event_type = fields.String(required=True)
    title = fields.String(required=True)
    body = fields.String(required=True)
    resource_type = fields.String(allow_none=True)
    resource_id = fields.String(allow_none=True)
    is_read = fields.Boolean(required=True)
    created_at = fields.DateTime(required=True)
    read_at = fields.DateTime(allow_none=True)


class NotificationListSchema(Schema):
    """The list envelope plus the caller's unread count (whatever the filter)."""

    items = fields.List(fields.Nested(NotificationSchema), required=True)
    total = fields.Integer(required=True)
    limit = fields.Integer(required=True)
    offset = fields.Integer(required=True)
    unread_count = fields.Integer(required=True)


class ReadAllSchema(Schema):
    marked_read = fields.Integer(required=True, metadata={"description": "How many were unread"})
    unread_count = fields.Integer(required=True)
