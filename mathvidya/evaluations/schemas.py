"""Evaluation request and response bodies (evaluations, admin evaluations)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from mathvidya.exams.schemas import SchemeStepSchema
from mathvidya.schemas import PageArgsSchema, StrictSchema, list_schema

Number = fields.Float
STATUSES = ("assigned", "in_progress", "completed")


class QueueArgsSchema(PageArgsSchema):
    status = fields.String(validate=validate.OneOf(STATUSES), metadata={"description": "Default: open ones"})


class AdminListArgsSchema(QueueArgsSchema):
    teacher_user_id = fields.UUID()
    breached = fields.Boolean()


class QueueItemSchema(Schema):
    evaluation_id = fields.UUID()
    exam_instance_id = fields.UUID()
    teacher_user_id = fields.UUID()
    student_name = fields.String(
        metadata={"description": "The student's name; for a teacher under anonymous marking, the candidate code"}
    )
    candidate_code = fields.String(metadata={"description": "The exam's candidate code, e.g. MV-7K3Q-92FD"})
    student_class = fields.String()
    plan_type = fields.String(allow_none=True)
    assigned_at = fields.DateTime()
    sla_deadline = fields.DateTime(allow_none=True, metadata={"description": "null while new pages are awaited"})
    hours_until_deadline = Number(metadata={"description": "Working hours left (negative when overdue)"})
    sla_breached = fields.Boolean()
    status = fields.String()
    total_manual_questions = fields.Integer()
    completed_at = fields.DateTime(allow_none=True)


QueueSchema = list_schema(QueueItemSchema, "EvaluationQueue")


class MarkContentSchema(Schema):
    question_id = fields.String()
    unit = fields.String()
    question_text = fields.String(allow_none=True)
    question_image_url = fields.String(allow_none=True)
    correct_answer_text = fields.String(allow_none=True)
    explanation = fields.String(allow_none=True)
    marking_scheme = fields.List(
        fields.Nested(SchemeStepSchema),
        allow_none=True,
        metadata={"description": "the steps to mark against (step_marks follow this order); null when none"},
    )


class MarkAlternativeSchema(MarkContentSchema):
    choice = fields.String(metadata={"description": '"a" or "b"'})


class MarkQuestionSchema(MarkContentSchema):
    question_number = fields.Integer()
    section_name = fields.String()
    question_type = fields.String()
    marks = Number()
    declared_unanswered = fields.Boolean()
    alternatives = fields.List(
        fields.Nested(MarkAlternativeSchema),
        metadata={"description": "internal choice: both alternatives (then the question has no top-level content)"},
    )
    attempted_choice = fields.String(
        allow_none=True,
        metadata={"description": 'internal choice: what the student declared ("a", "b", "both"; null: nothing)'},
    )


class PageSchema(Schema):
    page_number = fields.Integer()
    content_type = fields.String()
    question_numbers = fields.List(fields.Integer())
    url = fields.String()
    annotations = fields.List(fields.Dict())
    annotated_url = fields.String(allow_none=True)


class EvaluationSchema(Schema):
    evaluation_id = fields.UUID()
    exam_instance_id = fields.UUID()
    teacher_user_id = fields.UUID()
    status = fields.String()
    assigned_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    completed_at = fields.DateTime(allow_none=True)
    sla_deadline = fields.DateTime(allow_none=True, metadata={"description": "null while new pages are awaited"})
    sla_breached = fields.Boolean()
    hours_until_deadline = Number(allow_none=True)
    candidate_code = fields.String(metadata={"description": "The exam's candidate code, e.g. MV-7K3Q-92FD"})
    student_name = fields.String(
        metadata={"description": "The student's name; for a teacher under anonymous marking, the candidate code"}
    )
    student_class = fields.String()
    mcq_score = Number(allow_none=True)
    total_marks = Number()
    questions = fields.List(fields.Nested(MarkQuestionSchema))
    pages = fields.List(fields.Nested(PageSchema))
    unanswered_questions = fields.List(fields.Integer())


class StartedSchema(Schema):
    evaluation_id = fields.UUID()
    status = fields.String()
    started_at = fields.DateTime()


class QuestionMarkSchema(StrictSchema):
    question_number = fields.Integer(required=True, validate=validate.Range(min=1, max=200))
    marks_awarded = fields.Decimal(
        places=None,
        metadata={
            "description": "0 to the question's marks, in steps of 0.5; required unless step_marks is given "
            "(then it may be omitted, and must equal their sum if sent)"
        },
    )
    choice = fields.String(
        validate=validate.OneOf(("a", "b")),
        metadata={
            "description": "internal choice: the alternative this row marks (one row per alternative attempted; "
            "the higher mark counts). May be omitted when the student declared exactly one alternative"
        },
    )
    step_marks = fields.List(
        fields.Decimal(places=None),
        validate=validate.Length(min=1, max=10),
        metadata={
            "description": "marks per step of the question's marking scheme, one entry per step in its order, "
            "each 0 to the step's marks in steps of 0.5"
        },
    )
    teacher_comment = fields.String(validate=validate.Length(max=500), allow_none=True)


class SubmitSchema(StrictSchema):
    question_marks = fields.List(fields.Nested(QuestionMarkSchema), required=True, validate=validate.Length(max=200))


class SubmittedSchema(Schema):
    status = fields.String()
    exam_status = fields.String()
    total_manual_marks = Number()
    total_exam_score = Number()
    percentage = Number()
    sla_breached = fields.Boolean()
    completed_at = fields.DateTime()


class ReassignSchema(StrictSchema):
    teacher_user_id = fields.UUID(required=True)


class ReassignedSchema(Schema):
    evaluation_id = fields.UUID()
    exam_instance_id = fields.UUID()
    teacher_user_id = fields.UUID()
    status = fields.String()
    sla_deadline = fields.DateTime(allow_none=True, metadata={"description": "null while new pages are awaited"})


class ReuploadRequestSchema(StrictSchema):
    pages = fields.List(
        fields.Integer(validate=validate.Range(min=1, max=40)),
        required=True,
        validate=validate.Length(min=1, max=40),
        metadata={"description": "Page numbers of the confirmed answer sheet to photograph again."},
    )
    reason = fields.String(
        required=True,
        validate=validate.Length(min=1, max=1000),
        metadata={"description": "What is wrong with the pages; shown to the student and e-mailed."},
    )


class ReuploadRequestedSchema(Schema):
    evaluation_id = fields.UUID()
    exam_instance_id = fields.UUID()
    status = fields.String(metadata={"description": "The exam's new status: reupload_requested."})
