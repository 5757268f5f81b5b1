"""Billing endpoints: plans, the caller's subscription, purchases, admin grants,
cancellation and teacher sessions."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView

from mathvidya import business_time, db
from mathvidya.authz import current_principal, ensure_student_in_scope, public, roles
from mathvidya.billing import service
from mathvidya.billing.schemas import (
    AdminSubscriptionArgsSchema,
    AdminSubscriptionListSchema,
    CancelSubscriptionSchema,
    CreateOrderSchema,
    GrantSubscriptionSchema,
    OrderSchema,
    PlanListSchema,
    StudentArgsSchema,
    SubscriptionSchema,
    SubscriptionUsageSchema,
    TeacherSessionRequestSchema,
    TeacherSessionSchema,
    VerifyPaymentSchema,
)
from mathvidya.config import current_settings
from mathvidya.errors import ValidationFailed
from mathvidya.idempotency import run_once
from mathvidya.schema_dump import Blueprint
from mathvidya.schemas import PageArgsSchema

PLAN_CATALOGUE = "mathvidya.plan_catalogue"

blp = Blueprint(
    "billing",
    __name__,
    url_prefix="/api/v1",
    description="Plans, subscriptions, payments and teacher hours",
)


@blp.route("/subscriptions/plans")
class Plans(MethodView):
    @db.autocommit_reads
    @public
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, PlanListSchema)
    def get(self, args):
        """The plans on sale, cheapest first (prices in paise)."""
        return service.list_plans(_plan_catalogue(), db.request_connection, args["limit"], args["offset"])


def _plan_catalogue() -> service.PlanCatalogue:
    """This app's copy of the plans on sale (one per process, kept on the app)."""
    catalogue = current_app.extensions.get(PLAN_CATALOGUE)
    if catalogue is None:
        max_age = current_settings().plans_cache_seconds
        catalogue = current_app.extensions.setdefault(PLAN_CATALOGUE, service.PlanCatalogue(max_age))
    return catalogue


@blp.route("/subscriptions/me")
class MySubscription(MethodView):
    @roles("student", "parent", "admin")
    @blp.arguments(StudentArgsSchema, location="query")
    @blp.response(200, SubscriptionUsageSchema)
    @blp.alt_response(404, description="The student is not yours (or does not exist)")
    def get(self, args):
        """The current subscription and this billing period's usage.

        A student asks for themself; a parent or an admin names the student with
        `?student_id=`. Without a current subscription the answer is still 200, with
        `has_subscription: false`, null subscription fields and zero allowances."""
        principal = current_principal()
        student_id = args.get("student_id")
        if student_id is None:
            if principal.role != "student":
                raise ValidationFailed({"student_id": ["required for parents and admins"]})
            student_id = principal.user_id
        ensure_student_in_scope(principal, student_id)
        return service.subscription_overview(db.request_connection(), student_id, business_time.business_date())


@blp.route("/subscriptions/<uuid:subscription_id>/cancel")
class CancelSubscription(MethodView):
    @roles("student", "parent", "admin")
    @blp.arguments(CancelSubscriptionSchema)
    @blp.response(200, SubscriptionSchema)
    @blp.alt_response(404, description="No such subscription in your scope")
    @blp.alt_response(409, description="SUBSCRIPTION_NOT_ACTIVE: it has already expired")
    def post(self, _body, subscription_id):
        """Cancel at once: the owner student, a linked parent or an admin."""
        return service.cancel_subscription(db.request_connection(), current_principal(), subscription_id)


@blp.route("/payments/orders")
class PaymentOrders(MethodView):
    @roles("student", "parent")
    @blp.arguments(CreateOrderSchema)
    @blp.response(201, OrderSchema)
    @blp.alt_response(404, description="The student is not yours (or does not exist)")
    @blp.alt_response(409, description="IDEMPOTENCY_KEY_REUSED")
    def post(self, body):
        """Create a gateway order for a plan (amount in paise from the plan row).

        Honours `Idempotency-Key`: a retry with the same key answers the same order."""
        principal = current_principal()
        conn = db.request_connection()

        def work() -> tuple[dict, int]:
            return service.create_order(conn, current_settings(), principal, **body), 201

        return run_once(conn, principal.user_id, "POST /payments/orders", body, work)


@blp.route("/payments/verify")
class PaymentVerification(MethodView):
    @roles("student", "parent")
    @blp.arguments(VerifyPaymentSchema)
    @blp.response(200, SubscriptionSchema)
    @blp.alt_response(400, description="PAYMENT_SIGNATURE_INVALID")
    @blp.alt_response(404, description="No such order in your scope")
    @blp.alt_response(409, description="ORDER_ALREADY_PAID (another payment id for a paid order)")
    def post(self, body):
        """Verify the gateway's signature and activate the subscription (replays answer the same one).

        A purchase while a subscription is running starts the day that cover ends."""
        return service.verify_payment(
            db.request_connection(),
            current_settings(),
            current_principal(),
            order_id=body["razorpay_order_id"],
            payment_id=body["razorpay_payment_id"],
            signature=body["razorpay_signature"],
            today=business_time.business_date(),
        )


@blp.route("/admin/subscriptions")
class AdminSubscriptions(MethodView):
    @roles("admin")
    @blp.arguments(AdminSubscriptionArgsSchema, location="query")
    @blp.response(200, AdminSubscriptionListSchema)
    def get(self, args):
        """Every subscription, newest first, filtered by status, plan_type and student."""
        return service.list_subscriptions(
            db.request_connection(),
            status=args.get("status"),
            plan_type=args.get("plan_type"),
            student_user_id=args.get("student_user_id"),
            limit=args["limit"],
            offset=args["offset"],
        )

    @roles("admin")
    @blp.arguments(GrantSubscriptionSchema)
    @blp.response(201, SubscriptionSchema)
    @blp.alt_response(404, description="No such student")
    @blp.alt_response(409, description="SUBSCRIPTION_OVERLAP")
    def post(self, body):
        """Grant a subscription (offline payment): active at once from start_date (default today)."""
        return service.grant_subscription(
            db.request_connection(),
            current_principal(),
            student_user_id=body["student_user_id"],
            plan_type=body["plan_type"],
            billing_cycle=body["billing_cycle"],
            start_date=body.get("start_date"),
            today=business_time.business_date(),
        )


@blp.route("/teacher-sessions")
class TeacherSessions(MethodView):
    @roles("teacher", "admin")
    @blp.arguments(TeacherSessionRequestSchema)
    @blp.response(201, TeacherSessionSchema)
    @blp.alt_response(403, description="SUBSCRIPTION_REQUIRED or TEACHER_HOURS_EXCEEDED (details used/limit)")
    @blp.alt_response(404, description="No such student")
    def post(self, body):
        """Record a one-to-one session; it counts against the plan's teacher hours this period."""
        return service.record_teacher_session(
            db.request_connection(),
            current_principal(),
            student_user_id=body["student_user_id"],
            minutes=body["minutes"],
            notes=body.get("notes"),
            today=business_time.business_date(),
        )
