"""Exam templates: admins create and change them (audited); students see their class's
active ones, each flagged with whether their current plan can start it."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from uuid import UUID

import psycopg

from mathvidya.audit.service import record_event
from mathvidya.authz import Principal
from mathvidya.errors import NotFound, ValidationFailed
from mathvidya.questions import template_repository as repository
from mathvidya.questions.rules import CLASSES
from mathvidya.questions.service import units_for_class
from mathvidya.questions.template_rules import internal_choice_count, template_problems

TEMPLATE_FIELDS = ("template_name", "class", "exam_type", "specific_unit", "config", "is_active")


def _number(value: Any) -> int | float:
    """JSON numbers as written by people: 1 rather than 1.0."""
    exact = Decimal(str(value))
    return int(exact) if exact == exact.to_integral_value() else float(value)


def _normalised_config(config: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "total_marks": _number(config["total_marks"]),
        "duration_minutes": config["duration_minutes"],
        "sections": [_normalised_section(section) for section in config["sections"]],
    }


def _normalised_section(section: Mapping[str, Any]) -> dict[str, Any]:
    """A section as stored; internal_choice_count only when some questions offer a choice."""
    normalised = {
        "section_name": section["section_name"].strip(),
        "question_type": section["question_type"],
        "question_count": section["question_count"],
        "marks_per_question": _number(section["marks_per_question"]),
        "unit_weightage": {unit: float(weight) for unit, weight in section["unit_weightage"].items()},
    }
    if internal_choice_count(section):
        normalised["internal_choice_count"] = internal_choice_count(section)
    return normalised


def _validated(conn: psycopg.Connection, template: dict[str, Any]) -> dict[str, Any]:
    if isinstance(template.get("specific_unit"), str) and not template["specific_unit"].strip():
        template["specific_unit"] = None
    units = units_for_class(conn, template["class"]) if template.get("class") in CLASSES else None
    problems = template_problems(template, units)
    if problems:
        raise ValidationFailed(problems, "The template breaks the rules named in details.fields.")
    template["template_name"] = template["template_name"].strip()
    template["config"] = _normalised_config(template["config"])
    return template


def _row_values(template: Mapping[str, Any]) -> dict[str, Any]:
    return {
        **{field: template[field] for field in TEMPLATE_FIELDS},
        "total_marks": template["config"]["total_marks"],
        "duration_minutes": template["config"]["duration_minutes"],
    }


def create_template(conn: psycopg.Connection, principal: Principal, body: Mapping[str, Any]) -> dict:
    template = _validated(conn, {field: body.get(field) for field in TEMPLATE_FIELDS})
    row = repository.insert_template(conn, {**_row_values(template), "created_by": principal.user_id})
    record_event(
        conn,
        "template.created",
        principal.actor,
        "exam_template",
        row["template_id"],
        {"template_name": row["template_name"], "class": row["class"], "exam_type": row["exam_type"]},
    )
    return row


def update_template(
    conn: psycopg.Connection, principal: Principal, template_id: UUID, changes: Mapping[str, Any]
) -> dict:
    """Change any field (a new config replaces the old one whole); is_active=false deactivates.
    Exams already generated keep the pattern in their snapshot."""
    if not changes:
        raise ValidationFailed({"_schema": ["send at least one field to change"]})
    current = repository.lock_template(conn, template_id)
    if current is None:
        raise NotFound("No such template.")
    template = _validated(conn, {field: changes.get(field, current[field]) for field in TEMPLATE_FIELDS})
    changed = [field for field in TEMPLATE_FIELDS if template[field] != current[field]]
    if not changed:
        return dict(current)
    row = repository.update_template(conn, template_id, _row_values(template))
    record_event(
        conn,
        "template.updated",
        principal.actor,
        "exam_template",
        template_id,
        {"changed": changed, "is_active": row["is_active"]},
    )
    return row


def get_template(conn: psycopg.Connection, template_id: UUID) -> dict:
    row = repository.get_template(conn, template_id)
    if row is None:
        raise NotFound("No such template.")
    return row


def list_templates_for_admin(conn: psycopg.Connection, args: Mapping[str, Any]) -> tuple[list[dict], int]:
    return repository.list_templates(
        conn, args.get("class"), args.get("exam_type"), args.get("is_active"), args["limit"], args["offset"]
    )


def list_templates_for(
    conn: psycopg.Connection, principal: Principal, args: Mapping[str, Any]
) -> tuple[list[dict], int]:
    """Students: their own class's active templates with `allowed_by_plan`; teachers and
    admins: every active template (the flag is null for them)."""
    student_id = principal.user_id if principal.role == "student" else None
    rows, total = repository.list_active_templates(
        conn, args.get("class"), args.get("exam_type"), student_id, args["limit"], args["offset"]
    )
    for row in rows:
        row["allowed_by_plan"] = None if student_id is None else row["plan_refusal"] is None
    return rows, total
