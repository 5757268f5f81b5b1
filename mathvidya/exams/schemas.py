"""Exam request and response bodies."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from mathvidya.schemas import PageArgsSchema, StrictSchema, list_schema

EXAM_STATUSES = (
    "created",
    "in_progress",
    "submitted_mcq",
    "pending_upload",
    "uploaded",
    "pending_evaluation",
    "evaluated",
)
Number = fields.Float  # marks and percentages: JSON numbers with at most 2 decimals


class StartExamSchema(StrictSchema):
    template_id = fields.UUID(required=True)


class AnswerSchema(StrictSchema):
    question_number = fields.Integer(required=True, validate=validate.Range(min=1, max=200))
    selected_choices = fields.List(
        fields.String(validate=validate.Length(min=1, max=2)), required=True, validate=validate.Length(max=10)
    )


class AnswersSchema(StrictSchema):
    answers = fields.List(fields.Nested(AnswerSchema), required=True, validate=validate.Length(max=200))


class SubmitMcqSchema(StrictSchema):
    answers = fields.List(fields.Nested(AnswerSchema), load_default=list, validate=validate.Length(max=200))


class ExamListArgsSchema(PageArgsSchema):
    student_id = fields.UUID(metadata={"description": "Parents (required) and admins: whose exams"})
    status = fields.String(validate=validate.OneOf(EXAM_STATUSES))


class UploadUrlArgsSchema(StrictSchema):
    page_count = fields.Integer(required=True, validate=validate.Range(min=1, max=40))


class ConfirmUploadSchema(StrictSchema):
    pages_uploaded = fields.List(
        fields.Integer(validate=validate.Range(min=1, max=40)), required=True, validate=validate.Length(max=40)
    )
    unanswered_questions = fields.List(fields.Integer(validate=validate.Range(min=1, max=200)), load_default=list)
    page_question_mapping = fields.Dict(
        keys=fields.String(validate=validate.Regexp(r"^[0-9]{1,3}\Z", error="must be a page number (ASCII digits)")),
        values=fields.List(fields.Integer(validate=validate.Range(min=1, max=200))),
        load_default=dict,
    )
    attempted_choices = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=3)),
        values=fields.String(validate=validate.OneOf(("a", "b", "both"))),
        load_default=dict,
        metadata={
            "description": 'question number (as a string) → "a", "b" or "both": which alternative(s) of each '
            "internal-choice question the student answered"
        },
    )


class ChoiceSchema(Schema):
    label = fields.String()
    text = fields.String(allow_none=True)
    image_url = fields.String(allow_none=True)


class SchemeStepSchema(Schema):
    step = fields.String()
    marks = Number()


class QuestionContentSchema(Schema):
    question_id = fields.String()
    question_type = fields.String()
    marks = Number()
    unit = fields.String()
    topic = fields.String(allow_none=True)
    question_text = fields.String(allow_none=True)
    question_image_url = fields.String(allow_none=True)
    diagram_image_url = fields.String(allow_none=True)
    mcq_choices = fields.List(fields.Nested(ChoiceSchema))
    mcq_correct_choices = fields.List(fields.String(), allow_none=True)
    correct_answer_text = fields.String(allow_none=True)
    explanation = fields.String(allow_none=True)
    explanation_image_url = fields.String(allow_none=True)
    marking_scheme = fields.List(
        fields.Nested(SchemeStepSchema),
        metadata={
            "description": "the step-mark scheme (written questions that have one): for teachers and admins; "
            "students and parents see it in the results once the exam is evaluated"
        },
    )


class AlternativeSchema(QuestionContentSchema):
    choice = fields.String(metadata={"description": '"a" or "b"'})


class ExamQuestionSchema(QuestionContentSchema):
    question_number = fields.Integer()
    section_name = fields.String()
    alternatives = fields.List(
        fields.Nested(AlternativeSchema),
        metadata={
            "description": "internal choice: the two alternatives (a) and (b), of which the student answers one; "
            "such a question has no top-level content"
        },
    )


class SavedAnswerSchema(Schema):
    question_number = fields.Integer()
    selected_choices = fields.List(fields.String())


class ExamScoresSchema(Schema):
    """The marks of an exam, shared by its summary and its results."""

    total_marks = Number()
    mcq_score = Number(allow_none=True)
    mcq_total = Number(allow_none=True)
    mcq_percentage = Number(allow_none=True)
    manual_score = Number(allow_none=True)
    total_score = Number(allow_none=True)
    percentage = Number(allow_none=True)


class ExamSummarySchema(ExamScoresSchema):
    exam_instance_id = fields.UUID()
    student_user_id = fields.UUID()
    template_id = fields.UUID()
    template_name = fields.String()
    exam_type = fields.String()
    school_class = fields.String(data_key="class", attribute="class")
    status = fields.String()
    started_at = fields.DateTime(allow_none=True)
    deadline_at = fields.DateTime(allow_none=True, metadata={"description": "When time runs out (with grace)"})
    mcq_submitted_at = fields.DateTime(allow_none=True)
    submitted_at = fields.DateTime(allow_none=True)
    sla_deadline = fields.DateTime(allow_none=True)
    duration_minutes = fields.Integer()


class EvaluationProgressSchema(Schema):
    status = fields.String(
        metadata={"description": "awaiting_teacher, assigned, in_progress or completed (the marking's progress)"}
    )
    sla_deadline = fields.DateTime(allow_none=True, metadata={"description": "When the marks are due"})
    working_hours_left = Number(
        allow_none=True,
        metadata={
            "description": "Working hours until the deadline (business calendar; at most 2 decimals; negative "
            "when overdue); null once marked"
        },
    )
    teacher_assigned = fields.Boolean(metadata={"description": "A teacher has the answer sheet"})
    on_time = fields.Boolean(
        allow_none=True, metadata={"description": "Marked by the deadline; null while the evaluation is open"}
    )


class ExamListItemSchema(ExamSummarySchema):
    evaluation = fields.Nested(
        EvaluationProgressSchema,
        allow_none=True,
        metadata={"description": "The marking's progress once pages are confirmed (as in GET /exams/{id})"},
    )
    turnaround_working_hours = Number(
        allow_none=True,
        metadata={"description": "Working hours from confirmed submission to marks (at most 2 decimals); once marked"},
    )


class ExamSchema(ExamSummarySchema):
    questions = fields.List(fields.Nested(ExamQuestionSchema))
    answers = fields.List(fields.Nested(SavedAnswerSchema))
    candidate_code = fields.String(
        metadata={"description": "The exam's code under anonymous marking (e.g. MV-7K3Q-92FD): random, stable, unique"}
    )
    evaluation = fields.Nested(
        EvaluationProgressSchema,
        allow_none=True,
        metadata={"description": "Owner, linked parent, admin: the marking's progress once pages are confirmed"},
    )
    turnaround_working_hours = Number(
        allow_none=True,
        metadata={"description": "Working hours from confirmed submission to marks (at most 2 decimals); once marked"},
    )


class SavedSchema(Schema):
    saved = fields.Integer()
    saved_at = fields.DateTime()


class McqResultSchema(Schema):
    question_number = fields.Integer()
    selected_choices = fields.List(fields.String())
    correct_choices = fields.List(fields.String())
    is_correct = fields.Boolean()
    marks_awarded = Number()
    explanation = fields.String(allow_none=True)


class McqSubmissionSchema(Schema):
    status = fields.String()
    mcq_score = Number()
    mcq_total = Number()
    mcq_percentage = Number()
    results = fields.List(fields.Nested(McqResultSchema))


class UploadTargetSchema(Schema):
    page_number = fields.Integer()
    url = fields.String()
    fields_ = fields.Dict(data_key="fields", attribute="fields")
    method = fields.String()
    expires_in = fields.Integer()


class UploadUrlsSchema(Schema):
    upload_urls = fields.List(fields.Nested(UploadTargetSchema))
    max_size_bytes = fields.Integer()
    allowed_content_types = fields.List(fields.String())


class ConfirmedUploadSchema(Schema):
    status = fields.String()
    submitted_at = fields.DateTime()
    sla_deadline = fields.DateTime()


class ResultAlternativeSchema(AlternativeSchema):
    marks_awarded = Number(allow_none=True)
    teacher_comment = fields.String(allow_none=True)
    step_marks = fields.List(Number(), allow_none=True)


class ResultQuestionSchema(ExamQuestionSchema):
    selected_choices = fields.List(fields.String())
    is_correct = fields.Boolean()
    marks_awarded = Number(allow_none=True)
    teacher_comment = fields.String(allow_none=True)
    declared_unanswered = fields.Boolean()
    step_marks = fields.List(
        Number(), allow_none=True, metadata={"description": "marks per step of the marking scheme, once evaluated"}
    )
    attempted_choice = fields.String(
        allow_none=True, metadata={"description": 'choice questions: the student\'s declaration ("a", "b", "both")'}
    )
    counted_choice = fields.String(
        allow_none=True, metadata={"description": "choice questions: the alternative whose marks count (the higher)"}
    )
    alternatives = fields.List(
        fields.Nested(ResultAlternativeSchema),
        metadata={
            "description": "choice questions: each alternative the teacher marked, with its marks; both "
            "alternatives (marks null) while none is marked"
        },
    )


class ResultPageSchema(Schema):
    page_number = fields.Integer()
    question_numbers = fields.List(fields.Integer())
    original_url = fields.String(allow_none=True)
    annotated_url = fields.String(allow_none=True)


class ResultsSchema(ExamScoresSchema):
    exam_instance_id = fields.UUID()
    status = fields.String()
    exam_type = fields.String()
    template_name = fields.String()
    submitted_at = fields.DateTime(allow_none=True)
    sla_deadline = fields.DateTime(allow_none=True)
    questions = fields.List(fields.Nested(ResultQuestionSchema))
    pages = fields.List(fields.Nested(ResultPageSchema))


ExamListSchema = list_schema(ExamListItemSchema, "ExamList")
