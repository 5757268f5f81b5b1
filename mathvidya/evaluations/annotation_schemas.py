"""Bodies of POST /evaluations/{id}/annotations."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from mathvidya.schemas import StrictSchema

MAX_STAMPS_PER_PAGE = 200


class StampAnnotationSchema(StrictSchema):
    type = fields.String(required=True, validate=validate.OneOf(["stamp"]), metadata={"description": '"stamp"'})
    stamp = fields.String(
        required=True,
        validate=validate.Length(min=1, max=30),
        metadata={"description": "One of the system_config evaluation_ui_stamps (tick, cross, half, circle, star)"},
    )
    x = fields.Float(
        required=True,
        validate=validate.Range(min=0, max=1),
        metadata={"description": "Centre, as a fraction of the page's width from the left (0–1)"},
    )
    y = fields.Float(
        required=True,
        validate=validate.Range(min=0, max=1),
        metadata={"description": "Centre, as a fraction of the page's height from the top (0–1)"},
    )


class AnnotatePageSchema(StrictSchema):
    page_number = fields.Integer(
        required=True, validate=validate.Range(min=1, max=40), metadata={"description": "An uploaded page"}
    )
    annotations = fields.List(
        fields.Nested(StampAnnotationSchema),
        required=True,
        validate=validate.Length(max=MAX_STAMPS_PER_PAGE),
        metadata={"description": "The page's complete list: it replaces what was saved (empty clears the page)"},
    )


class StampAnnotationOutSchema(Schema):
    type = fields.String(required=True)
    stamp = fields.String(required=True)
    x = fields.Float(required=True)
    y = fields.Float(required=True)


class AnnotatedPageSchema(Schema):
    page_number = fields.Integer(required=True)
    annotation_data = fields.List(fields.Nested(StampAnnotationOutSchema), required=True)
    annotated_image_url = fields.String(
        allow_none=True,
        metadata={"description": "Signed GET URL of the rendered copy; null for a PDF page (overlay only)"},
    )
