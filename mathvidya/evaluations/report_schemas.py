"""Bodies of GET /admin/reports/sla-compliance and GET /analytics/teacher."""

from __future__ import annotations

from marshmallow import Schema, fields

from mathvidya.schemas import StrictSchema

Rate = fields.Float  # percentages: JSON numbers with at most 2 decimals


class ReportPeriodArgsSchema(StrictSchema):
    start_date = fields.Date(required=True, metadata={"description": "First day (YYYY-MM-DD), Asia/Kolkata"})
    end_date = fields.Date(
        required=True, metadata={"description": "Last day, included; the period spans at most 366 days"}
    )


class PeriodSchema(Schema):
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)


class ComplianceFiguresSchema(Schema):
    total_evaluations = fields.Integer(required=True, metadata={"description": "Open ones included"})
    on_time = fields.Integer(required=True, metadata={"description": "Completed by the deadline"})
    breached = fields.Integer(
        required=True, metadata={"description": "Completed after the deadline, or still open with it passed"}
    )
    compliance_rate = Rate(
        required=True,
        allow_none=True,
        metadata={"description": "on_time / (on_time + breached) × 100, 2 decimals; null when both are 0"},
    )


class PlanComplianceSchema(ComplianceFiguresSchema):
    plan_type = fields.String(
        required=True, allow_none=True, metadata={"description": "null: an exam without a subscription"}
    )


class TeacherComplianceSchema(ComplianceFiguresSchema):
    teacher_user_id = fields.UUID(required=True)
    teacher_name = fields.String(required=True, allow_none=True)


class SlaComplianceSchema(Schema):
    period = fields.Nested(PeriodSchema, required=True)
    summary = fields.Nested(ComplianceFiguresSchema, required=True)
    by_plan = fields.List(fields.Nested(PlanComplianceSchema), required=True)
    by_teacher = fields.List(fields.Nested(TeacherComplianceSchema), required=True)


class TeacherAnalyticsSchema(Schema):
    open_evaluations = fields.Integer(required=True, metadata={"description": "Assigned or in progress"})
    in_progress = fields.Integer(required=True)
    completed = fields.Integer(required=True, metadata={"description": "All time"})
    completed_last_30_days = fields.Integer(required=True)
    average_turnaround_working_hours = Rate(
        required=True,
        allow_none=True,
        metadata={"description": "Mean working hours from submission to completion (completed in the last 90 days)"},
    )
    breach_rate = Rate(
        required=True,
        allow_none=True,
        metadata={
            "description": "Late completions (last 90 days) plus open evaluations past their deadline, "
            "as a percentage of those completions plus those open ones; null when there are none"
        },
    )
    next_deadline = fields.DateTime(required=True, allow_none=True, metadata={"description": "Nearest open deadline"})
