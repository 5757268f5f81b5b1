"""Request and response bodies of the insights endpoints (dashboards, leaderboard)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from mathvidya.schemas import StrictSchema

Number = fields.Float  # marks and percentages: JSON numbers with at most 2 decimals
CLASSES = ("X", "XII")


class ReasonSchema(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)


# --- the student dashboard ----------------------------------------------------------------------


class DashboardArgsSchema(StrictSchema):
    trend_length = fields.Integer(
        load_default=10,
        validate=validate.Range(min=1, max=50),
        metadata={"description": "How many of the latest evaluated exams the trend shows (default 10)"},
    )


class DashboardStudentSchema(Schema):
    student_user_id = fields.UUID(required=True)
    name = fields.String(required=True)
    class_ = fields.String(data_key="class", attribute="class", required=True)


class DashboardSubscriptionSchema(Schema):
    has_subscription = fields.Boolean(required=True)
    plan_type = fields.String(allow_none=True)
    plan_name = fields.String(allow_none=True)
    end_date = fields.Date(allow_none=True, metadata={"description": "First day no longer covered"})
    leaderboard_eligible = fields.Boolean(required=True)


class ExamsThisPeriodSchema(Schema):
    used = fields.Integer(required=True)
    allowed = fields.Integer(required=True)
    remaining = fields.Integer(required=True)
    period_start = fields.Date(allow_none=True)
    resets_on = fields.Date(allow_none=True, metadata={"description": "When the exam count starts again"})


class TeacherHoursSchema(Schema):
    used = Number(required=True)
    limit = Number(allow_none=True, metadata={"description": "null = unlimited (or no subscription)"})
    unlimited = fields.Boolean(required=True)


class RecentExamSchema(Schema):
    exam_instance_id = fields.UUID(required=True)
    exam_type = fields.String(required=True)
    template_name = fields.String()
    status = fields.String(required=True)
    started_at = fields.DateTime(allow_none=True)
    submitted_at = fields.DateTime(allow_none=True)
    evaluated_at = fields.DateTime(allow_none=True)
    total_marks = Number()
    mcq_score = Number(allow_none=True)
    mcq_total = Number(allow_none=True)
    mcq_percentage = Number(allow_none=True)
    total_score = Number(allow_none=True)
    percentage = Number(allow_none=True)


class ScoresByTypeSchema(Schema):
    exam_type = fields.String(required=True)
    exams = fields.Integer(required=True, metadata={"description": "Evaluated exams of this type"})
    average_percentage = Number(allow_none=True)
    best_percentage = Number(allow_none=True)
    latest_percentage = Number(allow_none=True)


class MarksSchema(Schema):
    obtained = Number(required=True)
    possible = Number(required=True)
    percentage = Number(allow_none=True)


class UnitPerformanceSchema(Schema):
    unit = fields.String(required=True)
    cbse_weight = Number(
        allow_none=True, metadata={"description": "Share of the board paper's marks (null: not a board unit)"}
    )
    marks_obtained = Number(required=True)
    marks_possible = Number(required=True)
    percentage = Number(allow_none=True, metadata={"description": "null until the unit has marks"})
    mcq = fields.Nested(MarksSchema, required=True)
    written = fields.Nested(MarksSchema, required=True)
    questions = fields.Integer(required=True)
    exams = fields.Integer(required=True)


class TrendPointSchema(Schema):
    exam_instance_id = fields.UUID(required=True)
    exam_type = fields.String(required=True)
    evaluated_at = fields.DateTime(allow_none=True)
    percentage = Number(required=True)


class ClassRankSchema(Schema):
    rank = fields.Integer(required=True)
    out_of = fields.Integer(required=True, metadata={"description": "Students ranked in the class"})
    avg_percentage = Number(required=True)
    total_exams = fields.Integer(required=True)
    computed_at = fields.DateTime(required=True, metadata={"description": "When the ranking was refreshed"})


class PredictionSchema(Schema):
    predicted = Number(required=True, metadata={"description": "Predicted board percentage (0–100)"})
    low = Number(required=True, metadata={"description": "Lower end of the 80 % range"})
    high = Number(required=True, metadata={"description": "Upper end of the 80 % range"})
    evidence = fields.Dict(required=True, metadata={"description": "exams_used, units_covered, … (docs/prediction.md)"})


class PredictionReasonSchema(ReasonSchema):
    evidence = fields.Dict()


class PracticeLinksSchema(Schema):
    adaptive_practice_template_id = fields.UUID(
        required=True,
        metadata={"description": "The class's adaptive practice paper: POST /exams/start with it"},
    )
    adaptive_practice_allowed = fields.Boolean(
        required=True, metadata={"description": "Whether the current plan allows it (plans with unit practice)"}
    )
    recommendations_url = fields.String(
        required=True, metadata={"description": "GET this for weak units and what to practise next"}
    )


class DashboardSchema(Schema):
    student = fields.Nested(DashboardStudentSchema, required=True)
    generated_at = fields.DateTime(required=True)
    subscription = fields.Nested(DashboardSubscriptionSchema, required=True)
    exams_this_period = fields.Nested(ExamsThisPeriodSchema, required=True)
    teacher_hours = fields.Nested(TeacherHoursSchema, required=True)
    recent_exams = fields.List(fields.Nested(RecentExamSchema), required=True)
    scores_by_type = fields.List(fields.Nested(ScoresByTypeSchema), required=True)
    unit_performance = fields.List(fields.Nested(UnitPerformanceSchema), required=True)
    trend = fields.List(
        fields.Nested(TrendPointSchema), required=True, metadata={"description": "Oldest first, newest last"}
    )
    practice = fields.Nested(
        PracticeLinksSchema, required=True, metadata={"description": "Adaptive practice and recommendations"}
    )
    class_rank = fields.Nested(ClassRankSchema, allow_none=True)
    class_rank_reason = fields.Nested(ReasonSchema, allow_none=True, metadata={"description": "Why there is no rank"})
    predicted_board_score = fields.Nested(PredictionSchema, allow_none=True)
    predicted_board_score_reason = fields.Nested(
        PredictionReasonSchema, allow_none=True, metadata={"description": "Why there is no prediction"}
    )


# --- recommendations ---------------------------------------------------------------------------


class RecommendationArgsSchema(StrictSchema):
    student_id = fields.UUID(
        metadata={"description": "Parents (a linked child) and admins: required; students: omit or their own id"}
    )


class WeakUnitSchema(Schema):
    unit = fields.String(required=True)
    score_percentage = Number(required=True, metadata={"description": "The student's marks in the unit, %"})
    class_average = Number(
        allow_none=True,
        metadata={"description": "Mean of the class's students' percentages in the unit (nightly); null: none yet"},
    )
    exams = fields.Integer(required=True, metadata={"description": "Evaluated exams with questions of the unit"})


class SuggestionSchema(Schema):
    template_id = fields.UUID(required=True, metadata={"description": "Start it with POST /exams/start"})
    template_name = fields.String(required=True)
    reason = fields.String(required=True, metadata={"description": "Why this, for the student to read"})


class RecommendationsSchema(Schema):
    student_user_id = fields.UUID(required=True)
    generated_at = fields.DateTime(required=True)
    weak_units = fields.List(
        fields.Nested(WeakUnitSchema),
        required=True,
        metadata={"description": "At most 3, weakest first (docs/insights.md says what weak means)"},
    )
    next = fields.List(
        fields.Nested(SuggestionSchema),
        required=True,
        metadata={"description": "At most 5 templates the plan allows, in the order to take them"},
    )
    class_averages_computed_at = fields.DateTime(
        allow_none=True, metadata={"description": "When the class averages were last computed"}
    )


# --- the leaderboard ------------------------------------------------------------------------------


class LeaderboardArgsSchema(StrictSchema):
    school_class = fields.String(
        data_key="class",
        validate=validate.OneOf(CLASSES),
        metadata={"description": "X or XII (admins: required unless student_id names a student)"},
    )
    student_id = fields.UUID(metadata={"description": "Parents (required) and admins: whose rank to show"})


class LeaderboardStudentSchema(Schema):
    rank = fields.Integer(required=True)
    student_name = fields.String(required=True, metadata={"description": "Initials when the student chose them"})
    photo_url = fields.String(allow_none=True)
    avg_percentage = Number(required=True)
    total_exams = fields.Integer(required=True)
    is_you = fields.Boolean(required=True, metadata={"description": "This row is the student asked about"})


class LeaderboardEntrySchema(Schema):
    rank = fields.Integer(required=True)
    avg_percentage = Number(required=True)
    total_exams = fields.Integer(required=True)


class LeaderboardSchema(Schema):
    class_ = fields.String(data_key="class", attribute="class", required=True)
    top_students = fields.List(fields.Nested(LeaderboardStudentSchema), required=True)
    user_rank = fields.Integer(allow_none=True, metadata={"description": "The student's rank, even outside the top"})
    user_eligible = fields.Boolean(required=True)
    user_entry = fields.Nested(LeaderboardEntrySchema, allow_none=True)
    user_rank_reason = fields.Nested(ReasonSchema, allow_none=True)
    eligible_count = fields.Integer(required=True)
    top_n = fields.Integer(required=True)
    refresh_id = fields.UUID(allow_none=True)
    computed_at = fields.DateTime(allow_none=True, metadata={"description": "When this ranking was refreshed"})


# --- the admin dashboard --------------------------------------------------------------------------


class AdminDashboardArgsSchema(StrictSchema):
    from_date = fields.Date(data_key="from", metadata={"description": "First day (India), default 29 days before to"})
    to_date = fields.Date(data_key="to", metadata={"description": "Last day (India), default today"})


class DashboardPeriodSchema(Schema):
    from_ = fields.Date(data_key="from", attribute="from", required=True)
    to = fields.Date(required=True)


class StudentCountsSchema(Schema):
    active_students = fields.Integer(required=True, metadata={"description": "Started an exam in the period"})
    subscribed_students = fields.Integer(required=True, metadata={"description": "Hold a subscription today"})
    student_accounts = fields.Integer(required=True)


class ExamDaySchema(Schema):
    day = fields.Date(required=True)
    exam_type = fields.String(required=True)
    started = fields.Integer(required=True)
    finished = fields.Integer(required=True, metadata={"description": "Handed in (submitted_at) that day"})


class ExamTypeCountSchema(Schema):
    exam_type = fields.String(required=True)
    started = fields.Integer(required=True)
    finished = fields.Integer(required=True)


class ExamActivitySchema(Schema):
    started = fields.Integer(required=True)
    finished = fields.Integer(required=True)
    by_type = fields.List(fields.Nested(ExamTypeCountSchema), required=True)
    by_day = fields.List(fields.Nested(ExamDaySchema), required=True)


class TeacherWorkloadSchema(Schema):
    teacher_user_id = fields.UUID(required=True)
    teacher_name = fields.String(required=True)
    open_evaluations = fields.Integer(required=True)
    in_progress = fields.Integer(required=True)
    past_deadline = fields.Integer(required=True)
    completed_in_period = fields.Integer(required=True)
    average_turnaround_working_hours = Number(allow_none=True)


class EvaluationFiguresSchema(Schema):
    open = fields.Integer(required=True)
    completed_in_period = fields.Integer(required=True)
    average_turnaround_working_hours = Number(
        allow_none=True, metadata={"description": "Submission to completion, SLA working hours"}
    )
    by_teacher = fields.List(fields.Nested(TeacherWorkloadSchema), required=True)


class DashboardComplianceSchema(Schema):
    total_evaluations = fields.Integer(required=True)
    on_time = fields.Integer(required=True)
    breached = fields.Integer(required=True)
    compliance_rate = Number(allow_none=True)


class DashboardPlanComplianceSchema(DashboardComplianceSchema):
    plan_type = fields.String(allow_none=True)


class DashboardSlaComplianceSchema(Schema):
    summary = fields.Nested(DashboardComplianceSchema, required=True)
    by_plan = fields.List(fields.Nested(DashboardPlanComplianceSchema), required=True)


class PlanSubscriptionsSchema(Schema):
    plan_type = fields.String(required=True)
    plan_name = fields.String(required=True)
    active = fields.Integer(required=True)
    new_in_period = fields.Integer(required=True)
    expiring_within_7_days = fields.Integer(required=True)
    revenue_paise = fields.Integer(required=True)


class SubscriptionFiguresSchema(Schema):
    active = fields.Integer(required=True)
    new_in_period = fields.Integer(required=True)
    expiring_within_7_days = fields.Integer(required=True)
    by_plan = fields.List(fields.Nested(PlanSubscriptionsSchema), required=True)


class PlanRevenueSchema(Schema):
    plan_type = fields.String(required=True)
    revenue_paise = fields.Integer(required=True)


class RevenueSchema(Schema):
    total_paise = fields.Integer(required=True)
    by_plan = fields.List(fields.Nested(PlanRevenueSchema), required=True)


class AdminDashboardSchema(Schema):
    period = fields.Nested(DashboardPeriodSchema, required=True)
    generated_at = fields.DateTime(required=True)
    students = fields.Nested(StudentCountsSchema, required=True)
    exams = fields.Nested(ExamActivitySchema, required=True)
    evaluations = fields.Nested(EvaluationFiguresSchema, required=True)
    sla_compliance = fields.Nested(DashboardSlaComplianceSchema, required=True)
    subscriptions = fields.Nested(SubscriptionFiguresSchema, required=True)
    revenue = fields.Nested(RevenueSchema, required=True)
