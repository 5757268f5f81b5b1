"""Request and response bodies of the item analysis endpoints."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from mathvidya.insights.item_analysis_rules import FLAGS
from mathvidya.schemas import PageArgsSchema, StrictSchema, list_schema

CLASSES = ("X", "XII")
DIFFICULTIES = ("easy", "medium", "hard")


class QuestionAnalysisArgsSchema(StrictSchema):
    version = fields.Integer(
        validate=validate.Range(min=1, max=100_000),
        metadata={"description": "The question version (default: the current one)"},
    )


class ItemAnalysisArgsSchema(PageArgsSchema):
    school_class = fields.String(data_key="class", validate=validate.OneOf(CLASSES))
    unit = fields.String(validate=validate.Length(min=1, max=100))
    flag = fields.String(validate=validate.OneOf(FLAGS))


class QuestionAnalysisSchema(Schema):
    question_id = fields.UUID(required=True)
    question_version = fields.Integer(required=True)
    attempts = fields.Integer(required=True, metadata={"description": "Attempts in evaluated exams"})
    facility = fields.Float(allow_none=True, metadata={"description": "Mean marks / max marks, 0-1"})
    discrimination = fields.Float(
        allow_none=True,
        metadata={"description": "Top-group minus bottom-group facility; null below item_analysis_min_attempts"},
    )
    choice_shares = fields.Dict(
        keys=fields.String(), values=fields.Float(), allow_none=True, metadata={"description": "MCQs: label → share"}
    )
    step_award_rates = fields.List(
        fields.Float(), allow_none=True, metadata={"description": "Schemed questions: mean step marks / step marks"}
    )
    flags = fields.List(fields.String(validate=validate.OneOf(FLAGS)), required=True)
    measured_difficulty = fields.String(allow_none=True, validate=validate.OneOf(DIFFICULTIES))
    declared_difficulty = fields.String(required=True)
    computed_at = fields.DateTime(allow_none=True, metadata={"description": "The run's instant; null before any run"})


class ItemAnalysisEntrySchema(QuestionAnalysisSchema):
    school_class = fields.String(data_key="class", attribute="class", allow_none=True)
    unit = fields.String(allow_none=True)
    question_type = fields.String(required=True)


ItemAnalysisListSchema = list_schema(ItemAnalysisEntrySchema, "ItemAnalysisList")
