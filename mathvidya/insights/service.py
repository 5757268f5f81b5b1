"""Insights rules: leaderboard refreshes (recorded, reproducible) and reads, the student
dashboard with its predicted board score, the audited parent view, the admin dashboard.

Reads are bounded: the dashboard touches one student's own rows (and the precomputed
exam_unit_scores), the leaderboard reads a stored refresh, the admin dashboard reads the
period through indexes or small live sets (open evaluations, plans).
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID

import psycopg

from mathvidya import business_time, sla_clock
from mathvidya.audit.service import record_event
from mathvidya.authz import Principal, ensure_student_in_scope, signed_in_user
from mathvidya.billing import service as billing
from mathvidya.config import Settings
from mathvidya.errors import NotFound, ValidationFailed
from mathvidya.evaluations import reports
from mathvidya.exams import adaptive
from mathvidya.exams import service as exams
from mathvidya.insights import leaderboard, prediction, recommendations, repository
from mathvidya.questions.template_defaults import adaptive_practice_template, cbse_weights_from, seeded_template_id
from mathvidya.settings_store import InvalidSetting, UnknownSetting, get_setting
from mathvidya.sla_calendar import working_calendar
from mathvidya.storage import url_signer

log = logging.getLogger(__name__)

RECOMMENDATIONS_PATH = "/api/v1/analytics/recommendations"
CLASSES = ("X", "XII")
REFRESH_REASONS = ("evaluation", "nightly", "manual")
ENTRY_RETENTION_DAYS = 7  # whole rankings kept this long (and always each class's latest)
RECENT_EXAMS = 10
DEFAULT_TREND_LENGTH = 10
MAX_DASHBOARD_PERIOD_DAYS = 366
DEFAULT_DASHBOARD_PERIOD_DAYS = 30
TWO_PLACES = Decimal("0.01")
FOUR_PLACES = Decimal("0.0001")


def _two(value: Decimal | float | int | None) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def _share(obtained: Decimal, possible: Decimal) -> Decimal | None:
    """obtained / possible × 100, half up to 2 decimals; None without marks."""
    if not possible:
        return None
    return (Decimal(obtained) * 100 / Decimal(possible)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def _reason(code: str, message: str) -> dict[str, str]:
    return {"code": code, "message": message}


# =========================================================================================
# Leaderboard refresh
# =========================================================================================


@dataclass(frozen=True)
class RefreshResult:
    """One recorded refresh of a class's leaderboard."""

    refresh_id: UUID
    school_class: str
    computed_at: datetime
    as_of: datetime
    eligible_count: int
    exams_counted: int
    ranking_digest: str
    duration_ms: int


@dataclass(frozen=True)
class ReproductionCheck:
    """A recorded refresh recomputed from stored rows and its recorded inputs."""

    refresh_id: UUID
    recorded_digest: str
    recomputed_digest: str
    stored_entries_digest: str | None  # None when the entries were pruned

    @property
    def reproduced(self) -> bool:
        stored_ok = self.stored_entries_digest in (None, self.recorded_digest)
        return self.recomputed_digest == self.recorded_digest and stored_ok


def _check_class(school_class: str) -> None:
    if school_class not in CLASSES:
        raise ValueError(f"unknown class {school_class!r}")


def lock_class_refresh(conn: psycopg.Connection, school_class: str) -> None:
    """Hold the class's refresh lock until the transaction ends (re-entrant)."""
    _check_class(school_class)
    repository.lock_class_refresh(conn, school_class)


def refresh_inputs(conn: psycopg.Connection, school_class: str, as_of: datetime, reason: str) -> dict[str, Any]:
    """Everything besides stored rows that the ranking depends on, as recorded."""
    if as_of.tzinfo is None:
        raise ValueError("as_of must be timezone-aware")
    return {
        "rule_version": leaderboard.RULE_VERSION,
        "class": school_class,
        "as_of": as_of.astimezone(UTC).isoformat(),
        "business_date": business_time.business_date(as_of).isoformat(),
        "leaderboard_plan_types": repository.leaderboard_plan_types(conn),
        "top_n": get_setting(conn, "leaderboard_top_n"),
        "reason": reason,
    }


def rank_from_inputs(conn: psycopg.Connection, inputs: dict[str, Any]) -> list[leaderboard.RankedEntry]:
    """The ranking the rule gives for recorded inputs, from the rows stored now."""
    if inputs.get("rule_version") != leaderboard.RULE_VERSION:
        raise ValueError(f"cannot recompute rule {inputs.get('rule_version')!r}")
    rows = repository.leaderboard_standings(
        conn,
        inputs["class"],
        datetime.fromisoformat(inputs["as_of"]),
        date.fromisoformat(inputs["business_date"]),
        list(inputs["leaderboard_plan_types"]),
    )
    return leaderboard.rank_standings(
        leaderboard.Standing(row["student_user_id"], row["percentage_sum"], row["total_exams"]) for row in rows
    )


def refresh_class_leaderboard(
    conn: psycopg.Connection, school_class: str, as_of: datetime, reason: str = "manual"
) -> RefreshResult:
    """Rank the class as of ``as_of`` and record the refresh (inputs, digest, entries) in
    this transaction. Refreshes of one class are serialised by an advisory lock."""
    if reason not in REFRESH_REASONS:
        raise ValueError(f"unknown refresh reason {reason!r}")
    lock_class_refresh(conn, school_class)
    started = time.perf_counter()
    inputs = refresh_inputs(conn, school_class, as_of, reason)
    ranked = rank_from_inputs(conn, inputs)
    digest = leaderboard.ranking_digest(ranked)
    exams_counted = sum(entry.total_exams for entry in ranked)
    duration_ms = int((time.perf_counter() - started) * 1000)
    row = repository.insert_leaderboard_refresh(
        conn,
        school_class=school_class,
        computed_at=business_time.now(),
        as_of=as_of,
        reason=reason,
        rule_version=leaderboard.RULE_VERSION,
        eligible_count=len(ranked),
        exams_counted=exams_counted,
        inputs=inputs,
        ranking_digest=digest,
        duration_ms=duration_ms,
    )
    repository.insert_leaderboard_entries(
        conn,
        row["refresh_id"],
        positions=[e.position for e in ranked],
        ranks=[e.rank for e in ranked],
        student_user_ids=[e.student_user_id for e in ranked],
        averages=[e.avg_percentage for e in ranked],
        totals=[e.total_exams for e in ranked],
    )
    log.info(
        "leaderboard refreshed",
        extra={"class": school_class, "eligible": len(ranked), "reason": reason, "duration_ms": duration_ms},
    )
    return RefreshResult(
        refresh_id=row["refresh_id"],
        school_class=school_class,
        computed_at=row["computed_at"],
        as_of=row["as_of"],
        eligible_count=len(ranked),
        exams_counted=exams_counted,
        ranking_digest=digest,
        duration_ms=duration_ms,
    )


def reproduce_refresh(conn: psycopg.Connection, refresh_id: UUID) -> ReproductionCheck:
    """Recompute a recorded refresh from its inputs and today's stored rows, and digest its
    stored entries: both must equal the recorded digest."""
    refresh = repository.get_leaderboard_refresh(conn, refresh_id)
    if refresh is None:
        raise NotFound("No such leaderboard refresh.")
    recomputed = leaderboard.ranking_digest(rank_from_inputs(conn, refresh["inputs"]))
    stored = None
    if not refresh["entries_pruned"]:
        stored = leaderboard.ranking_digest(
            [
                leaderboard.RankedEntry(
                    r["position"], r["rank"], r["student_user_id"], r["avg_percentage"], r["total_exams"]
                )
                for r in repository.leaderboard_entries(conn, refresh_id)
            ]
        )
    return ReproductionCheck(refresh_id, refresh["ranking_digest"], recomputed, stored)


def refresh_all_leaderboards(conn: psycopg.Connection, as_of: datetime, reason: str = "nightly") -> int:
    """Refresh every class (each in its own transaction), then prune old rankings; returns
    rows touched (entries written plus entries and records removed)."""
    touched = 0
    for school_class in CLASSES:
        touched += refresh_class_leaderboard(conn, school_class, as_of, reason).eligible_count
        conn.commit()
    touched += repository.prune_leaderboard_entries(conn, as_of - timedelta(days=ENTRY_RETENTION_DAYS))
    retention = get_setting(conn, "analytics_retention_days")
    touched += repository.delete_old_leaderboard_refreshes(conn, as_of - timedelta(days=retention))
    return touched


# =========================================================================================
# Leaderboard reads
# =========================================================================================


def class_standing(
    conn: psycopg.Connection,
    student: dict,
    refresh: dict | None,
    *,
    has_subscription: bool,
    plan_allows: bool,
    known: dict | None = None,
) -> dict[str, Any]:
    """The student's place in ``refresh`` (the latest of their class), or why there is none.
    ``known``: what ``repository.class_standing`` read for this student and refresh.

    Answers {eligible, entry, reason}; ``reason`` is None when the student is ranked."""
    entry = None
    if plan_allows and refresh is not None:
        entry = (
            known["entry"] if known else repository.leaderboard_entry(conn, refresh["refresh_id"], student["user_id"])
        )
    if known:
        has_evaluated = known["has_evaluated_exam"]
    else:
        has_evaluated = repository.evaluated_exam_count(conn, student["user_id"], student["student_class"]) > 0
    evaluated = bool(entry) or (plan_allows and has_evaluated)
    reason = None
    if not has_subscription:
        reason = _reason("no_subscription", "Ranks are shown on a plan that includes the leaderboard.")
    elif not plan_allows:
        reason = _reason("plan_without_leaderboard", "The current plan does not include the leaderboard.")
    elif not evaluated:
        reason = _reason("no_evaluated_exams", "A rank appears once an exam has been evaluated.")
    elif entry is None:
        reason = _reason("not_yet_ranked", "The next leaderboard refresh will include this student.")
    return {"eligible": plan_allows and evaluated, "entry": entry, "reason": reason}


def _student_or_404(conn: psycopg.Connection, student_user_id: UUID, principal: Principal | None = None) -> dict:
    """The student's row; for the student themself, the row the liveness check read."""
    own = signed_in_user(principal) if principal is not None and principal.user_id == student_user_id else None
    student = own if own is not None else repository.dashboard_student(conn, student_user_id)
    if student is None or student["role"] != "student":
        raise NotFound("No such student.")
    return student


def _user_rank_reason(student: dict | None, standing: dict | None, school_class: str) -> dict | None:
    if standing is not None:
        return standing["reason"]
    if student is None:
        return _reason("no_student", "Name a student (student_id) to see their rank.")
    return _reason("other_class", f"The student is in Class {student['student_class']}, not Class {school_class}.")


def leaderboard_view(
    conn: psycopg.Connection,
    settings: Settings,
    principal: Principal,
    school_class: str | None,
    student_user_id: UUID | None,
    today: date,
) -> dict[str, Any]:
    """GET /leaderboard for a student (own class), a parent (a linked child's class, the
    child on a leaderboard plan) or an admin (any class; a student optional)."""
    if principal.role == "student":
        if student_user_id not in (None, principal.user_id):
            raise NotFound("No such student.")
        student_user_id = principal.user_id
    elif principal.role == "parent" and student_user_id is None:
        raise ValidationFailed({"student_id": ["required for parents: whose leaderboard"]})
    student, has_subscription, plan_allows = None, False, False
    if student_user_id is not None:
        ensure_student_in_scope(principal, student_user_id)
        student = _student_or_404(conn, student_user_id, principal)
        if principal.role != "admin":
            billing.ensure_leaderboard_allowed(conn, student_user_id, today)
            has_subscription = plan_allows = True
        else:
            usage = billing.subscription_overview(conn, student_user_id, today)
            has_subscription, plan_allows = usage["has_subscription"], usage["leaderboard_eligible"]
    if principal.role == "admin":
        school_class = school_class or (student["student_class"] if student else None)
        if school_class is None:
            raise ValidationFailed({"class": ["required: which class's leaderboard"]})
    else:
        if school_class not in (None, student["student_class"]):
            raise NotFound("No such leaderboard.")
        school_class = student["student_class"]

    standing = None
    if student is not None and student["student_class"] == school_class:
        known = repository.class_standing(conn, school_class, student["user_id"])
        refresh = known["refresh"]
        standing = class_standing(
            conn, student, refresh, has_subscription=has_subscription, plan_allows=plan_allows, known=known
        )
    else:
        refresh = repository.latest_leaderboard_refresh(conn, school_class)
    top: list[dict] = []
    if refresh is not None:
        signer = url_signer(conn, settings)
        for row in repository.leaderboard_top(conn, refresh["refresh_id"], refresh["inputs"]["top_n"]):
            as_initials = row["show_on_leaderboard_as_initials"]
            top.append(
                {
                    "rank": row["rank"],
                    "student_name": leaderboard.display_name(row["first_name"], row["last_name"], as_initials),
                    "photo_url": None if as_initials else signer(row["photo_key"]),
                    "avg_percentage": row["avg_percentage"],
                    "total_exams": row["total_exams"],
                    "is_you": student is not None and row["student_user_id"] == student["user_id"],
                }
            )
    entry = standing["entry"] if standing else None
    return {
        "class": school_class,
        "top_students": top,
        "user_rank": entry["rank"] if entry else None,
        "user_eligible": bool(standing and standing["eligible"]),
        "user_entry": (
            {"rank": entry["rank"], "avg_percentage": entry["avg_percentage"], "total_exams": entry["total_exams"]}
            if entry
            else None
        ),
        "user_rank_reason": _user_rank_reason(student, standing, school_class),
        "eligible_count": refresh["eligible_count"] if refresh else 0,
        "top_n": refresh["inputs"]["top_n"] if refresh else get_setting(conn, "leaderboard_top_n"),
        "refresh_id": refresh["refresh_id"] if refresh else None,
        "computed_at": refresh["computed_at"] if refresh else None,
    }


# =========================================================================================
# Student dashboard
# =========================================================================================


def cbse_unit_weights(conn: psycopg.Connection, school_class: str) -> dict[str, float]:
    """The CBSE weight of each unit: its share of the seeded board-pattern template's marks
    (as an admin may have edited it); the default template's weights if that row is unusable."""
    row = repository.board_template_config(conn, seeded_template_id(school_class, "board_exam"))
    return cbse_weights_from(row, school_class)


def _syllabus(conn: psycopg.Connection, school_class: str) -> list[str]:
    key = "cbse_units_class_xii" if school_class == "XII" else "cbse_units_class_x"
    try:
        return list(get_setting(conn, key))
    except (UnknownSetting, InvalidSetting):  # a broken setting must not take the dashboard down
        log.warning("syllabus setting unreadable", extra={"key": key})
        return []


def _unit_performance(rows: list[dict], weights: dict[str, float], syllabus: list[str]) -> list[dict]:
    by_unit = {row["unit"]: row for row in rows}
    ordered = list(dict.fromkeys([*syllabus, *weights]))
    ordered += sorted(unit for unit in by_unit if unit not in set(ordered))
    zero = Decimal(0)
    result = []
    for unit in ordered:
        row = by_unit.get(unit, {})
        mcq_o, mcq_p = row.get("mcq_obtained", zero), row.get("mcq_possible", zero)
        wr_o, wr_p = row.get("written_obtained", zero), row.get("written_possible", zero)
        weight = weights.get(unit)
        result.append(
            {
                "unit": unit,
                "cbse_weight": float(Decimal(str(weight)).quantize(FOUR_PLACES, rounding=ROUND_HALF_UP))
                if weight is not None
                else None,
                "marks_obtained": _two(mcq_o + wr_o),
                "marks_possible": _two(mcq_p + wr_p),
                "percentage": _share(mcq_o + wr_o, mcq_p + wr_p),
                "mcq": {"obtained": _two(mcq_o), "possible": _two(mcq_p), "percentage": _share(mcq_o, mcq_p)},
                "written": {"obtained": _two(wr_o), "possible": _two(wr_p), "percentage": _share(wr_o, wr_p)},
                "questions": int(row.get("questions", 0)),
                "exams": int(row.get("exams", 0)),
            }
        )
    return result


def prediction_history(rows: list[dict]) -> list[prediction.ExamEvidence]:
    """Rows of prediction_evidence (oldest exam first, one per exam and unit) → evidence."""
    exams: dict[UUID, dict[str, Any]] = {}
    for row in rows:
        exam = exams.setdefault(
            row["exam_instance_id"],
            {"exam_type": row["exam_type"], "percentage": float(row["percentage"]), "units": {}},
        )
        if row["unit"] is not None:
            exam["units"][row["unit"]] = prediction.UnitMarks(
                float(row["mcq_obtained"]),
                float(row["mcq_possible"]),
                float(row["written_obtained"]),
                float(row["written_possible"]),
            )
    return [prediction.ExamEvidence(e["exam_type"], e["percentage"], e["units"]) for e in exams.values()]


def _trend(conn: psycopg.Connection, student_user_id: UUID, evidence: list[dict], trend_length: int) -> list[dict]:
    """The latest evaluated exams, oldest first. The prediction's evidence already holds the
    latest MAX_EXAMS of them in the same order, so a trend no longer than that is cut from it."""
    if trend_length > prediction.MAX_EXAMS:
        return list(reversed(repository.percentage_trend(conn, student_user_id, trend_length)))
    exams: dict[UUID, dict] = {}
    for row in evidence:
        exams.setdefault(
            row["exam_instance_id"],
            {k: row[k] for k in ("exam_instance_id", "exam_type", "evaluated_at", "percentage")},
        )
    return list(exams.values())[-trend_length:]


def student_dashboard(
    conn: psycopg.Connection,
    student_user_id: UUID,
    now: datetime,
    trend_length: int = DEFAULT_TREND_LENGTH,
    principal: Principal | None = None,
) -> dict[str, Any]:
    """The dashboard of one student (docs/insights.md) (the caller checked the scope)."""
    student = _student_or_404(conn, student_user_id, principal)
    school_class = student["student_class"]
    today = business_time.business_date(now)
    usage = billing.subscription_overview(conn, student_user_id, today, with_next=False)
    weights = cbse_unit_weights(conn, school_class)

    evidence = repository.prediction_evidence(conn, student_user_id, prediction.MAX_EXAMS)
    outcome = prediction.predict_board_score(prediction_history(evidence), weights)
    known = repository.class_standing(conn, school_class, student_user_id)
    refresh = known["refresh"]
    standing = class_standing(
        conn,
        student,
        refresh,
        has_subscription=usage["has_subscription"],
        plan_allows=usage["leaderboard_eligible"],
        known=known,
    )
    entry = standing["entry"]
    trend = _trend(conn, student_user_id, evidence, trend_length)
    return {
        "student": {
            "student_user_id": student["user_id"],
            "name": f"{student['first_name']} {student['last_name']}",
            "class": school_class,
        },
        "generated_at": now,
        "subscription": {
            "has_subscription": usage["has_subscription"],
            "plan_type": usage["plan_type"],
            "plan_name": usage["plan_name"],
            "end_date": usage["end_date"],
            "leaderboard_eligible": usage["leaderboard_eligible"],
        },
        "exams_this_period": {
            "used": usage["exams_used_this_month"],
            "allowed": usage["exams_limit_per_month"],
            "remaining": usage["exams_remaining"],
            "period_start": usage["period_start"],
            "resets_on": usage["period_resets_on"],
        },
        "teacher_hours": {
            "used": usage["teacher_hours_used"],
            "limit": usage["teacher_hours_limit"],
            "unlimited": usage["teacher_hours_unlimited"],
        },
        "recent_exams": repository.recent_exams(conn, student_user_id, RECENT_EXAMS),
        "scores_by_type": [
            {**row, "average_percentage": _two(row["average_percentage"])}
            for row in repository.exam_type_summary(conn, student_user_id)
        ],
        "unit_performance": _unit_performance(
            repository.unit_performance(conn, student_user_id), weights, _syllabus(conn, school_class)
        ),
        "trend": trend,
        "practice": practice_links(school_class, usage["plan"], student_user_id, principal),
        "class_rank": (
            {
                "rank": entry["rank"],
                "out_of": refresh["eligible_count"],
                "avg_percentage": entry["avg_percentage"],
                "total_exams": entry["total_exams"],
                "computed_at": refresh["computed_at"],
            }
            if entry
            else None
        ),
        "class_rank_reason": standing["reason"],
        "predicted_board_score": outcome.as_dict() if isinstance(outcome, prediction.Prediction) else None,
        "predicted_board_score_reason": (
            None
            if isinstance(outcome, prediction.Prediction)
            else {**_reason(outcome.reason, prediction.REASON_TEXT[outcome.reason]), "evidence": outcome.evidence}
        ),
    }


def practice_links(
    school_class: str, plan: dict | None, student_user_id: UUID, principal: Principal | None
) -> dict[str, Any]:
    """Where the dashboard sends the student to practise: the class's adaptive practice
    paper (whether the plan allows it) and the recommendations for this student."""
    template = adaptive_practice_template(school_class)
    own = principal is not None and principal.user_id == student_user_id
    return {
        "adaptive_practice_template_id": template["template_id"],
        "adaptive_practice_allowed": recommendations.allowed(plan, template),
        "recommendations_url": RECOMMENDATIONS_PATH if own else f"{RECOMMENDATIONS_PATH}?student_id={student_user_id}",
    }


def parent_view(
    conn: psycopg.Connection,
    principal: Principal,
    student_user_id: UUID,
    now: datetime,
    trend_length: int = DEFAULT_TREND_LENGTH,
) -> dict[str, Any]:
    """The dashboard, read-only, for a linked parent or an admin; every view is audited
    (student.data_viewed) in the request's transaction."""
    ensure_student_in_scope(principal, student_user_id)
    view = student_dashboard(conn, student_user_id, now, trend_length)
    record_event(
        conn,
        "student.data_viewed",
        principal.actor,
        "student",
        student_user_id,
        {"view": "dashboard", "viewer_role": principal.role},
    )
    return view


# =========================================================================================
# Recommendations
# =========================================================================================


def _recommendation_subject(principal: Principal, student_user_id: UUID | None) -> UUID:
    """Whose recommendations: a student's own; a parent's linked child or, for an admin, any
    student (both name one: 422 without); anyone else's → 404."""
    if principal.role == "student":
        if student_user_id not in (None, principal.user_id):
            raise NotFound("No such student.")
        return principal.user_id
    if student_user_id is None:
        raise ValidationFailed({"student_id": ["required: whose recommendations"]})
    ensure_student_in_scope(principal, student_user_id)
    return student_user_id


def student_recommendations(
    conn: psycopg.Connection, principal: Principal, student_user_id: UUID | None, now: datetime
) -> dict[str, Any]:
    """GET /analytics/recommendations: weak units and what to practise next (docs/insights.md).
    A parent's or an admin's view is audited as student.data_viewed, like the parent view."""
    subject = _recommendation_subject(principal, student_user_id)
    student = _student_or_404(conn, subject, principal)
    school_class = student["student_class"]
    evidence = exams.adaptive_evidence(conn, subject, school_class)
    weak = adaptive.weak_units(evidence.units, evidence.board_weights)
    context = repository.recommendation_context(conn, subject, school_class)
    plan = billing.subscription_overview(conn, subject, business_time.business_date(now), with_next=False)["plan"]
    suggestions = recommendations.next_steps(
        weak=weak,
        practice_units=adaptive.practice_units(evidence.units, evidence.board_weights),
        has_history=context["has_evaluated_exam"],
        practices_since_board=context["practices_since_board"],
        templates=repository.suggestible_templates(conn, school_class),
        plan=plan,
        seeded_ids={kind: seeded_template_id(school_class, kind) for kind in ("board_exam", "adaptive_practice")},
    )
    if principal.role != "student":
        record_event(
            conn,
            "student.data_viewed",
            principal.actor,
            "student",
            subject,
            {"view": "recommendations", "viewer_role": principal.role},
        )
    return {
        "student_user_id": subject,
        "generated_at": now,
        "weak_units": [recommendations.weak_unit_view(unit) for unit in weak],
        "next": suggestions,
        "class_averages_computed_at": context["class_averages_computed_at"],
    }


def refresh_unit_class_averages(conn: psycopg.Connection, as_of: datetime) -> int:
    """The nightly class averages per unit (every class at once); returns rows touched."""
    return repository.refresh_unit_class_averages(conn, as_of, adaptive.MIN_MARKS_JUDGED)


# =========================================================================================
# Admin dashboard
# =========================================================================================


def dashboard_period(from_date: date | None, to_date: date | None, today: date) -> tuple[date, date]:
    """The period's first and last day (both included): default the last 30 days to today."""
    to_date = to_date or (from_date + timedelta(days=DEFAULT_DASHBOARD_PERIOD_DAYS - 1) if from_date else today)
    from_date = from_date or to_date - timedelta(days=DEFAULT_DASHBOARD_PERIOD_DAYS - 1)
    if to_date < from_date:
        raise ValidationFailed({"to": ["must not be before from"]})
    if (to_date - from_date).days + 1 > MAX_DASHBOARD_PERIOD_DAYS:
        raise ValidationFailed({"to": [f"the period may span at most {MAX_DASHBOARD_PERIOD_DAYS} days"]})
    return from_date, to_date


def _period_instants(from_date: date, to_date: date) -> tuple[datetime, datetime]:
    start = datetime.combine(from_date, clock_time(0), tzinfo=business_time.BUSINESS_TZ)
    end = datetime.combine(to_date + timedelta(days=1), clock_time(0), tzinfo=business_time.BUSINESS_TZ)
    return start, end


def _turnarounds(conn: psycopg.Connection, rows: list[dict], now: datetime) -> list[tuple[dict, int]]:
    """Working minutes from the exam's submission to the evaluation's completion."""
    timed = [row for row in rows if row["submitted_at"] is not None and row["completed_at"] is not None]
    if not timed:
        return []
    first = min(row["submitted_at"] for row in timed).date() - timedelta(days=1)
    calendar = working_calendar(conn, first, now.date() + timedelta(days=1))
    return [
        (row, sla_clock.working_minutes_between(row["submitted_at"], row["completed_at"], calendar)) for row in timed
    ]


def admin_dashboard(
    conn: psycopg.Connection, from_date: date | None, to_date: date | None, now: datetime
) -> dict[str, Any]:
    today = business_time.business_date(now)
    from_date, to_date = dashboard_period(from_date, to_date, today)
    period_start, period_end = _period_instants(from_date, to_date)

    activity = repository.admin_exam_activity(conn, period_start, period_end)
    by_type: dict[str, dict[str, int]] = defaultdict(lambda: {"started": 0, "finished": 0})
    for row in activity:
        by_type[row["exam_type"]]["started"] += row["started"]
        by_type[row["exam_type"]]["finished"] += row["finished"]

    teachers: dict[UUID, dict[str, Any]] = {}

    def teacher(row: dict) -> dict[str, Any]:
        return teachers.setdefault(
            row["teacher_user_id"],
            {
                "teacher_user_id": row["teacher_user_id"],
                "teacher_name": row["teacher_name"],
                "open_evaluations": 0,
                "in_progress": 0,
                "past_deadline": 0,
                "completed_in_period": 0,
                "minutes": [],
            },
        )

    for row in repository.admin_open_evaluations(conn, now):
        entry = teacher(row)
        entry.update(
            open_evaluations=row["open_evaluations"], in_progress=row["in_progress"], past_deadline=row["past_deadline"]
        )
    completed = repository.admin_completed_evaluations(conn, period_start, period_end)
    for row in completed:
        teacher(row)["completed_in_period"] += 1
    all_minutes = []
    for row, minutes in _turnarounds(conn, completed, now):
        teacher(row)["minutes"].append(minutes)
        all_minutes.append(minutes)
    by_teacher = sorted(
        (
            {
                **{k: v for k, v in t.items() if k != "minutes"},
                "average_turnaround_working_hours": reports.average_hours(t["minutes"]),
            }
            for t in teachers.values()
        ),
        key=lambda t: (-t["open_evaluations"], t["teacher_name"], str(t["teacher_user_id"])),
    )

    sla = reports.sla_compliance(conn, from_date, to_date, now)
    plans = repository.admin_subscriptions_by_plan(conn, today, period_start, period_end)
    counts = repository.admin_student_counts(conn, today, period_start, period_end)
    return {
        "period": {"from": from_date, "to": to_date},
        "generated_at": now,
        "students": {
            "active_students": counts["active_students"],
            "subscribed_students": counts["subscribed_students"],
            "student_accounts": counts["student_accounts"],
        },
        "exams": {
            "started": sum(t["started"] for t in by_type.values()),
            "finished": sum(t["finished"] for t in by_type.values()),
            "by_type": [{"exam_type": k, **v} for k, v in sorted(by_type.items())],
            "by_day": activity,
        },
        "evaluations": {
            "open": sum(t["open_evaluations"] for t in by_teacher),
            "completed_in_period": len(completed),
            "average_turnaround_working_hours": reports.average_hours(all_minutes),
            "by_teacher": by_teacher,
        },
        "sla_compliance": {"summary": sla["summary"], "by_plan": sla["by_plan"]},
        "subscriptions": {
            "active": sum(p["active"] for p in plans),
            "new_in_period": sum(p["new_in_period"] for p in plans),
            "expiring_within_7_days": sum(p["expiring_within_7_days"] for p in plans),
            "by_plan": plans,
        },
        "revenue": {
            "total_paise": sum(int(p["revenue_paise"]) for p in plans),
            "by_plan": [{"plan_type": p["plan_type"], "revenue_paise": int(p["revenue_paise"])} for p in plans],
        },
    }
