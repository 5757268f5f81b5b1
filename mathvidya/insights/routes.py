"""Insights endpoints: the student dashboard, the parent view, the leaderboard and the
admin dashboard."""

from __future__ import annotations

from flask.views import MethodView

from mathvidya import business_time, db
from mathvidya.authz import current_principal, roles
from mathvidya.config import current_settings
from mathvidya.insights import service
from mathvidya.insights.schemas import (
    AdminDashboardArgsSchema,
    AdminDashboardSchema,
    DashboardArgsSchema,
    DashboardSchema,
    LeaderboardArgsSchema,
    LeaderboardSchema,
    RecommendationArgsSchema,
    RecommendationsSchema,
)
from mathvidya.schema_dump import Blueprint

blp = Blueprint(
    "insights",
    __name__,
    url_prefix="/api/v1",
    description="Dashboards, the predicted board score and class leaderboards",
)


@blp.route("/analytics/dashboard")
class StudentDashboard(MethodView):
    @db.autocommit_reads
    @roles("student")
    @blp.arguments(DashboardArgsSchema, location="query")
    @blp.response(200, DashboardSchema)
    def get(self, args):
        """The student's own dashboard.

        Exams used / allowed this period and when the count resets; recent exams and scores
        by type; marks per unit with each unit's CBSE weight; the trend of the latest
        percentages; teacher hours; class rank (null with a reason when there is none);
        the predicted board score (null with a reason on too little evidence)."""
        principal = current_principal()
        return service.student_dashboard(
            db.request_connection(),
            principal.user_id,
            business_time.now(),
            args["trend_length"],
            principal=principal,
        )


@blp.route("/analytics/parent-view/<uuid:student_id>")
class ParentView(MethodView):
    @roles("parent", "admin")
    @blp.arguments(DashboardArgsSchema, location="query")
    @blp.response(200, DashboardSchema)
    @blp.alt_response(404, description="Not your child (or no such student)")
    def get(self, args, student_id):
        """A linked child's dashboard, read-only (admins: any student).

        Every view is recorded in the audit log as `student.data_viewed`."""
        return service.parent_view(
            db.request_connection(),
            current_principal(),
            student_id,
            business_time.now(),
            args["trend_length"],
        )


@blp.route("/analytics/recommendations")
class Recommendations(MethodView):
    @roles("student", "parent", "admin")
    @blp.arguments(RecommendationArgsSchema, location="query")
    @blp.response(200, RecommendationsSchema)
    @blp.alt_response(404, description="Not your child (or no such student)")
    def get(self, args):
        """Weak units and what to practise next.

        `weak_units`: at most three units whose score is under 60 %, or 5 points or more under
        the class average (a unit is judged after 5 marks of questions), weakest first.
        `next`: templates the student's plan allows, each with a reason — adaptive practice
        first when there are weak units (its questions come from the three weakest units, at
        the student's level), then the unit practice of each weak unit, then the board paper
        after 3 practice papers; with no history, the board paper then adaptive practice.
        Students see their own; parents name a linked child (`?student_id=`), admins any
        student; those views are audited as `student.data_viewed`."""
        return service.student_recommendations(
            db.request_connection(), current_principal(), args.get("student_id"), business_time.now()
        )


@blp.route("/leaderboard")
class Leaderboard(MethodView):
    @db.autocommit_reads
    @roles("student", "parent", "admin")
    @blp.arguments(LeaderboardArgsSchema, location="query")
    @blp.response(200, LeaderboardSchema)
    @blp.alt_response(403, description="LEADERBOARD_NOT_AVAILABLE: the student's plan has no leaderboard")
    @blp.alt_response(404, description="Not your child, or another class than the student's")
    def get(self, args):
        """A class's ranking by average percentage, as of its latest refresh (`computed_at`).

        Students see their own class; parents name an eligible linked child
        (`?student_id=`); admins any class (`?class=`), optionally with a student. Ties
        share a rank (1, 1, 3); the caller's own rank is given even outside the top."""
        return service.leaderboard_view(
            db.request_connection(),
            current_settings(),
            current_principal(),
            args.get("school_class"),
            args.get("student_id"),
            business_time.business_date(),
        )


@blp.route("/admin/dashboard")
class AdminDashboard(MethodView):
    @roles("admin")
    @blp.arguments(AdminDashboardArgsSchema, location="query")
    @blp.response(200, AdminDashboardSchema)
    def get(self, args):
        """The business at a glance over a period of India dates (`?from=&to=`, both included,
        default the last 30 days, at most 366): students, exams started and finished by
        day and type, teacher workload and working-hours turnaround, SLA compliance,
        subscriptions by plan (new, expiring within 7 days) and revenue in paise."""
        return service.admin_dashboard(
            db.request_connection(), args.get("from_date"), args.get("to_date"), business_time.now()
        )
