"""Shared marshmallow building blocks: strict bodies, the list envelope, the error body."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_OFFSET = 1_000_000


class StrictSchema(Schema):
    """Every request body refuses unknown fields."""

    class Meta:
        unknown = RAISE


class PageArgsSchema(StrictSchema):
    limit = fields.Integer(load_default=DEFAULT_LIMIT, validate=validate.Range(min=1, max=MAX_LIMIT))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_OFFSET))


def list_schema(item_schema: type[Schema], name: str) -> type[Schema]:
    """The `{items, total, limit, offset}` envelope of every list."""
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item_schema), required=True),
            "total": fields.Integer(required=True),
            "limit": fields.Integer(required=True),
            "offset": fields.Integer(required=True),
        },
        name=name,
    )
