"""Request and response bodies of the billing endpoints."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from mathvidya.schemas import PageArgsSchema, StrictSchema, list_schema

PLAN_TYPES = ("basic", "premium_mcq", "premium", "centum")
BILLING_CYCLES = ("monthly", "annual")
SUBSCRIPTION_STATUSES = ("active", "expired", "cancelled", "pending")


def plan_type_field() -> fields.String:
    return fields.String(
        required=True, validate=validate.OneOf(PLAN_TYPES), metadata={"description": ", ".join(PLAN_TYPES)}
    )


def billing_cycle_field() -> fields.String:
    return fields.String(required=True, validate=validate.OneOf(BILLING_CYCLES))


# --- plans ----------------------------------------------------------------------------


class PlanSchema(Schema):
    plan_type = fields.String(required=True)
    plan_name = fields.String(required=True)
    exams_limit_per_month = fields.Integer(required=True)
    teacher_hours_per_month = fields.Float(
        allow_none=True, metadata={"description": "Hours per billing period; null = unlimited"}
    )
    allows_board_exam = fields.Boolean()
    allows_section_exam = fields.Boolean()
    allows_unit_practice = fields.Boolean()
    manual_evaluation_included = fields.Boolean()
    leaderboard_access = fields.Boolean()
    sla_hours = fields.Integer(metadata={"description": "Working hours to evaluate written answers"})
    monthly_price_paise = fields.Integer()
    annual_price_paise = fields.Integer()


PlanListSchema = list_schema(PlanSchema, "PlanList")


# --- subscriptions --------------------------------------------------------------------


class StudentArgsSchema(StrictSchema):
    student_id = fields.UUID(
        metadata={"description": "The student (required for parents and admins; a student may omit it)"}
    )


class UpcomingSubscriptionSchema(Schema):
    subscription_id = fields.UUID()
    plan_type = fields.String()
    billing_cycle = fields.String()
    start_date = fields.Date()
    end_date = fields.Date()


class SubscriptionUsageSchema(Schema):
    """The current subscription and this billing period's usage (nulls without one)."""

    student_user_id = fields.UUID(required=True)
    has_subscription = fields.Boolean(required=True)
    subscription_id = fields.UUID(allow_none=True)
    plan_type = fields.String(allow_none=True)
    plan_name = fields.String(allow_none=True)
    status = fields.String(allow_none=True)
    start_date = fields.Date(allow_none=True)
    end_date = fields.Date(allow_none=True, metadata={"description": "First day no longer covered"})
    billing_cycle = fields.String(allow_none=True)
    exams_used_this_month = fields.Integer(
        required=True, metadata={"description": "Exams started in the current billing period"}
    )
    exams_limit_per_month = fields.Integer(required=True)
    exams_remaining = fields.Integer(required=True)
    teacher_hours_used = fields.Float(required=True)
    teacher_hours_limit = fields.Float(allow_none=True, metadata={"description": "null = unlimited"})
    teacher_hours_unlimited = fields.Boolean(required=True)
    leaderboard_eligible = fields.Boolean(required=True)
    sla_hours = fields.Integer(allow_none=True)
    period_start = fields.Date(allow_none=True)
    period_resets_on = fields.Date(allow_none=True, metadata={"description": "When the exam count starts again"})
    next_subscription = fields.Nested(UpcomingSubscriptionSchema, allow_none=True)


class SubscriptionSchema(Schema):
    subscription_id = fields.UUID(required=True)
    student_user_id = fields.UUID(required=True)
    plan_type = fields.String(required=True)
    plan_name = fields.String()
    status = fields.String(required=True)
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True, metadata={"description": "First day no longer covered"})
    billing_cycle = fields.String(required=True)
    billing_day_of_month = fields.Integer()
    amount_paid_paise = fields.Integer()
    payment_provider = fields.String(allow_none=True)
    cancelled_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


class AdminSubscriptionSchema(SubscriptionSchema):
    student_email = fields.String()
    student_name = fields.String()


AdminSubscriptionListSchema = list_schema(AdminSubscriptionSchema, "AdminSubscriptionList")


class CancelSubscriptionSchema(StrictSchema):
    reason = fields.String(validate=validate.Length(max=500))


class AdminSubscriptionArgsSchema(PageArgsSchema):
    status = fields.String(validate=validate.OneOf(SUBSCRIPTION_STATUSES))
    plan_type = fields.String(validate=validate.OneOf(PLAN_TYPES))
    student_user_id = fields.UUID()


class GrantSubscriptionSchema(StrictSchema):
    student_user_id = fields.UUID(required=True)
    plan_type = plan_type_field()
    billing_cycle = billing_cycle_field()
    start_date = fields.Date(metadata={"description": "Defaults to today (India)"})


# --- payments -------------------------------------------------------------------------


class CreateOrderSchema(StrictSchema):
    student_user_id = fields.UUID(required=True)
    plan_type = plan_type_field()
    billing_cycle = billing_cycle_field()


class OrderSchema(Schema):
    order_id = fields.String(required=True, metadata={"description": "Gateway order id (order_…)"})
    amount = fields.Integer(required=True, metadata={"description": "Paise"})
    currency = fields.String(required=True)
    key_id = fields.String(required=True, metadata={"description": "Gateway key id for the checkout"})
    student_user_id = fields.String(required=True)
    plan_type = fields.String(required=True)
    billing_cycle = fields.String(required=True)
    status = fields.String(required=True)


class VerifyPaymentSchema(StrictSchema):
    razorpay_order_id = fields.String(required=True, validate=validate.Length(min=1, max=100))
    razorpay_payment_id = fields.String(required=True, validate=validate.Length(min=1, max=100))
    razorpay_signature = fields.String(required=True, validate=validate.Length(min=1, max=200))


# --- teacher sessions -----------------------------------------------------------------


class TeacherSessionRequestSchema(StrictSchema):
    student_user_id = fields.UUID(required=True)
    minutes = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=600))
    notes = fields.String(validate=validate.Length(max=2000), allow_none=True)


class TeacherSessionSchema(Schema):
    session_id = fields.UUID(required=True)
    subscription_id = fields.UUID(required=True)
    student_user_id = fields.UUID(required=True)
    teacher_user_id = fields.UUID(allow_none=True)
    period_start = fields.Date(required=True)
    minutes = fields.Integer(required=True)
    notes = fields.String(allow_none=True)
    created_at = fields.DateTime(required=True)
    teacher_hours_used = fields.Float(required=True, metadata={"description": "This period, after this session"})
    teacher_hours_limit = fields.Float(allow_none=True, metadata={"description": "null = unlimited"})
