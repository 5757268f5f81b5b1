"""Request and response bodies of the question bank, syllabus and template endpoints.

Schemas check shapes and types; the rules (unit lists, marks per type, choices, weights)
live in rules.py / template_rules.py so the importer and the API share one set of messages.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from mathvidya.questions.interchange import EXPORT_FORMATS, IMPORT_FORMATS
from mathvidya.questions.rules import CLASSES, DIFFICULTIES, QUESTION_TYPES, STATUSES
from mathvidya.questions.template_rules import EXAM_TYPES
from mathvidya.schemas import PageArgsSchema, StrictSchema, list_schema

IMAGE_CONTENT_TYPES = ("image/png", "image/jpeg")


def _class_field(**kw) -> fields.String:
    """The JSON field `class` (a Python keyword) kept as the dict key "class"."""
    return fields.String(data_key="class", attribute="class", validate=validate.OneOf(CLASSES), **kw)


def _text(**kw) -> fields.String:
    return fields.String(allow_none=True, **kw)


# ---------------------------------------------------------------------------------------
# Questions
# ---------------------------------------------------------------------------------------
class ChoiceInSchema(StrictSchema):
    label = fields.String(required=True, metadata={"description": "A, B, C … in order"})
    text = _text(metadata={"description": "LaTeX allowed; stored as given"})
    image_key = _text(metadata={"description": "a key from POST /questions/image-upload-url"})


class SchemeStepInSchema(StrictSchema):
    step = fields.String(required=True, metadata={"description": "what earns the marks, 1 to 300 characters"})
    marks = fields.Float(required=True, metadata={"description": "a positive multiple of 0.5"})


SCHEME_DESCRIPTION = (
    "written questions only: the board-style step-mark scheme, 1 to 10 steps whose marks add up to the "
    "question's marks; null for none. Shown to teachers and admins; to students and parents only in results "
    "after evaluation"
)


class SchemeStepOutSchema(Schema):
    step = fields.String()
    marks = fields.Float()


class QuestionContentSchema(StrictSchema):
    """The content fields a question is created or patched with (null clears an optional one)."""

    question_image_key = _text()
    diagram_image_key = _text()
    mcq_choices = fields.List(fields.Nested(ChoiceInSchema), allow_none=True)
    mcq_correct_choices = fields.List(fields.String(), allow_none=True)
    correct_answer_text = _text()
    correct_answer_image_key = _text()
    explanation = _text()
    explanation_image_key = _text()
    marking_scheme = fields.List(
        fields.Nested(SchemeStepInSchema), allow_none=True, metadata={"description": SCHEME_DESCRIPTION}
    )


class QuestionCreateSchema(QuestionContentSchema):
    klass = _class_field(required=True)
    unit = fields.String(required=True, metadata={"description": "one of GET /syllabus/units?class="})
    topic = _text()
    question_type = fields.String(required=True, validate=validate.OneOf(QUESTION_TYPES))
    marks = fields.Float(required=True, metadata={"description": "MCQ 1, VSA 2, SA 3, LA 5 or 6, CASE 4"})
    difficulty = fields.String(load_default="medium", validate=validate.OneOf(DIFFICULTIES))
    question_text = _text(metadata={"description": "LaTeX allowed; text or question_image_key is required"})
    tags = fields.List(fields.String(), load_default=list)
    cbse_year = fields.Integer(allow_none=True, strict=True)


class QuestionPatchSchema(QuestionContentSchema):
    """Any subset of the question's fields; null clears an optional one."""

    klass = _class_field()
    unit = fields.String()
    topic = _text()
    question_type = fields.String(validate=validate.OneOf(QUESTION_TYPES))
    marks = fields.Float()
    difficulty = fields.String(validate=validate.OneOf(DIFFICULTIES))
    question_text = _text()
    tags = fields.List(fields.String(), allow_none=True)
    cbse_year = fields.Integer(allow_none=True, strict=True)


class ChoiceOutSchema(Schema):
    label = fields.String()
    text = fields.String(allow_none=True)
    image_key = fields.String(allow_none=True)
    image_url = fields.String(allow_none=True, metadata={"description": "signed GET URL, short-lived"})


class QuestionSchema(Schema):
    question_id = fields.UUID()
    klass = fields.String(data_key="class", attribute="class")
    unit = fields.String()
    topic = fields.String(allow_none=True)
    question_type = fields.String()
    marks = fields.Float()
    difficulty = fields.String()
    question_text = fields.String(allow_none=True)
    question_image_key = fields.String(allow_none=True)
    question_image_url = fields.String(allow_none=True)
    diagram_image_key = fields.String(allow_none=True)
    diagram_image_url = fields.String(allow_none=True)
    mcq_choices = fields.List(fields.Nested(ChoiceOutSchema), allow_none=True)
    mcq_correct_choices = fields.List(fields.String(), allow_none=True)
    correct_answer_text = fields.String(allow_none=True)
    correct_answer_image_key = fields.String(allow_none=True)
    correct_answer_image_url = fields.String(allow_none=True)
    explanation = fields.String(allow_none=True)
    explanation_image_key = fields.String(allow_none=True)
    explanation_image_url = fields.String(allow_none=True)
    tags = fields.List(fields.String())
    cbse_year = fields.Integer(allow_none=True)
    marking_scheme = fields.List(fields.Nested(SchemeStepOutSchema), allow_none=True)
    status = fields.String()
    version = fields.Integer()
    created_by = fields.UUID(allow_none=True)
    approved_by = fields.UUID(allow_none=True)
    approved_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    image_urls_expire_in = fields.Integer(metadata={"description": "seconds the signed URLs stay valid"})


QuestionListSchema = list_schema(QuestionSchema, "QuestionList")


class QuestionSearchArgsSchema(PageArgsSchema):
    klass = _class_field()
    unit = fields.String()
    question_type = fields.String(validate=validate.OneOf(QUESTION_TYPES))
    difficulty = fields.String(validate=validate.OneOf(DIFFICULTIES))
    status = fields.String(validate=validate.OneOf(STATUSES))
    tag = fields.String(validate=validate.Length(min=1, max=50))
    q = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={"description": 'full text (web search syntax: words, "phrases", -exclusions, or)'},
    )


class QuestionVersionSchema(Schema):
    version = fields.Integer()
    is_current = fields.Boolean()
    content = fields.Dict(metadata={"description": "the question's content at this version"})
    superseded_by = fields.UUID(allow_none=True, metadata={"description": "who replaced this version"})
    superseded_at = fields.DateTime(allow_none=True)


QuestionVersionListSchema = list_schema(QuestionVersionSchema, "QuestionVersionList")


class ImageUploadRequestSchema(StrictSchema):
    content_type = fields.String(required=True, validate=validate.OneOf(IMAGE_CONTENT_TYPES))
    question_id = fields.UUID(
        allow_none=True,
        metadata={"description": "the question the image is for; omit for a question not created yet"},
    )


class ImageUploadTargetSchema(Schema):
    key = fields.String(metadata={"description": "put this key in the question's *_image_key field"})
    url = fields.String()
    method = fields.String()
    fields_ = fields.Dict(data_key="fields", attribute="fields", metadata={"description": "form fields to POST"})
    content_type = fields.String()
    max_bytes = fields.Integer()
    expires_in = fields.Integer()


class ImportFormSchema(StrictSchema):
    """The multipart form: `dry_run` is parsed here; `file` is read from the request's files
    (declared here so the OpenAPI document shows both parts)."""

    file = fields.Raw(
        load_default=None,
        metadata={
            "type": "string",
            "format": "binary",
            "description": ".csv (UTF-8), .xlsx, GIFT, Aiken or Moodle XML, at most 5 MB",
        },
    )
    dry_run = fields.Boolean(load_default=False, metadata={"description": "true: check and report, import nothing"})
    format = fields.String(
        load_default=None,
        validate=validate.OneOf(IMPORT_FORMATS),
        metadata={"description": "the file's format; by default from its name (.csv, .xlsx, .gift, .xml)"},
    )
    klass = fields.String(
        data_key="class",
        attribute="class",
        load_default=None,
        validate=validate.OneOf(CLASSES),
        metadata={"description": "GIFT, Aiken, Moodle XML: the class of entries without a category"},
    )
    unit = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=200),
        metadata={"description": "GIFT, Aiken, Moodle XML: the unit of entries without a category"},
    )
    question_type = fields.String(
        load_default=None,
        validate=validate.OneOf(QUESTION_TYPES),
        metadata={"description": "GIFT `{}` and Moodle essay entries without an `mv:type`"},
    )
    marks = fields.Decimal(
        load_default=None,
        as_string=True,
        metadata={"description": "written entries without their own marks (`mv: marks=…`, `defaultgrade`)"},
    )


class RowProblemSchema(Schema):
    row = fields.Integer(metadata={"description": "CSV, XLSX: as a spreadsheet numbers it: header 1, first question 2"})
    line = fields.Integer(metadata={"description": "GIFT, Aiken: the 1-based line where the entry starts"})
    index = fields.Integer(metadata={"description": "Moodle XML: the 1-based position of the question"})
    column = fields.String()
    reason = fields.String()


class ImportReportSchema(Schema):
    dry_run = fields.Boolean()
    file_name = fields.String()
    format = fields.String(metadata={"description": "csv, xlsx, gift, aiken or moodle_xml"})
    numbered_by = fields.String(
        metadata={"description": "row, line or index: how errors, warnings and duplicate_rows number entries"}
    )
    total_rows = fields.Integer()
    valid_rows = fields.Integer()
    imported = fields.Integer()
    importable = fields.Integer(metadata={"description": "valid rows that are not duplicates"})
    duplicates = fields.Integer()
    duplicate_rows = fields.List(
        fields.Integer(), metadata={"description": "the duplicates' row, line or index (see numbered_by)"}
    )
    errors = fields.List(fields.Nested(RowProblemSchema))
    warnings = fields.List(fields.Nested(RowProblemSchema))


class QuestionExportArgsSchema(StrictSchema):
    format = fields.String(required=True, validate=validate.OneOf(EXPORT_FORMATS))
    klass = _class_field()
    unit = fields.String(validate=validate.Length(min=1, max=200))
    status = fields.String(validate=validate.OneOf(STATUSES))


class SyllabusArgsSchema(StrictSchema):
    klass = _class_field(required=True)


class SyllabusSchema(Schema):
    klass = fields.String(data_key="class", attribute="class")
    units = fields.List(fields.String())


# ---------------------------------------------------------------------------------------
# Exam templates
# ---------------------------------------------------------------------------------------
class SectionSchema(StrictSchema):
    section_name = fields.String(required=True)
    question_type = fields.String(required=True, validate=validate.OneOf(QUESTION_TYPES))
    question_count = fields.Integer(required=True, strict=True)
    internal_choice_count = fields.Integer(
        strict=True,
        metadata={
            "description": "0 to question_count (default 0; not on MCQ sections): the section's last this many "
            "questions offer two alternatives, (a) or (b), of which the student answers one"
        },
    )
    marks_per_question = fields.Float(required=True)
    unit_weightage = fields.Dict(
        keys=fields.String(), values=fields.Float(), required=True, metadata={"description": "unit → weight"}
    )


class TemplateConfigSchema(StrictSchema):
    total_marks = fields.Float(required=True)
    duration_minutes = fields.Integer(required=True, strict=True, metadata={"description": "1 to 300"})
    sections = fields.List(fields.Nested(SectionSchema), required=True)


class TemplateCreateSchema(StrictSchema):
    template_name = fields.String(required=True)
    klass = _class_field(required=True)
    exam_type = fields.String(required=True, validate=validate.OneOf(EXAM_TYPES))
    specific_unit = _text(metadata={"description": "required for unit_practice; absent otherwise"})
    config = fields.Nested(TemplateConfigSchema, required=True)
    is_active = fields.Boolean(load_default=True)


class TemplatePatchSchema(StrictSchema):
    template_name = fields.String()
    klass = _class_field()
    exam_type = fields.String(validate=validate.OneOf(EXAM_TYPES))
    specific_unit = _text()
    config = fields.Nested(TemplateConfigSchema, metadata={"description": "replaces the whole config"})
    is_active = fields.Boolean(metadata={"description": "false deactivates: no new exams from it"})


class TemplateSchema(Schema):
    template_id = fields.UUID()
    template_name = fields.String()
    klass = fields.String(data_key="class", attribute="class")
    exam_type = fields.String()
    specific_unit = fields.String(allow_none=True)
    total_marks = fields.Float()
    duration_minutes = fields.Integer()
    config = fields.Dict(metadata={"description": "{total_marks, duration_minutes, sections: [...]}"})
    is_active = fields.Boolean()
    created_by = fields.UUID(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    allowed_by_plan = fields.Boolean(
        allow_none=True, metadata={"description": "students: whether their current plan can start it; else null"}
    )
    plan_refusal = fields.String(
        allow_none=True, metadata={"description": "why not: SUBSCRIPTION_REQUIRED or EXAM_TYPE_NOT_IN_PLAN"}
    )


TemplateListSchema = list_schema(TemplateSchema, "TemplateList")


class AdminTemplateArgsSchema(PageArgsSchema):
    klass = _class_field()
    exam_type = fields.String(validate=validate.OneOf(EXAM_TYPES))
    is_active = fields.Boolean()


class TemplateArgsSchema(PageArgsSchema):
    klass = _class_field()
    exam_type = fields.String(validate=validate.OneOf(EXAM_TYPES))
