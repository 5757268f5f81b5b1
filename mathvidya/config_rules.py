"""Per-key validation of system_config values (pure: no I/O).

Each rule returns None when the value is acceptable, else a sentence naming the rule.
The same rules guard reads (a bad row never reaches a caller) and admin updates.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
EMAIL_FROM_RE = re.compile(r"^([^<>@]+ <[^<>@\s]+@[^<>@\s]+\.[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+\.[^<>@\s]+)$")
KNOWN_MIMETYPES = {"image/jpeg", "image/jpg", "image/png", "application/pdf"}
STAMP_RE = re.compile(r"^[a-z][a-z0-9_]{0,29}$")
MAX_UNITS = 30
MAX_UNIT_NAME = 100

Rule = Callable[[Any], str | None]


def _integer(minimum: int, maximum: int) -> Rule:
    def rule(value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int):
            return "must be a whole number"
        if not minimum <= value <= maximum:
            return f"must be between {minimum} and {maximum}"
        return None

    return rule


def _boolean(value: Any) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def _working_hours(value: Any) -> str | None:
    if not isinstance(value, dict) or set(value) != {"start", "end", "timezone"}:
        return "must be an object with exactly start, end and timezone"
    start, end, zone = value["start"], value["end"], value["timezone"]
    if not (isinstance(start, str) and TIME_RE.match(start) and isinstance(end, str) and TIME_RE.match(end)):
        return "start and end must be HH:MM times"
    if start >= end:
        return "the working window must start before it ends"
    try:
        ZoneInfo(str(zone))
    except (ZoneInfoNotFoundError, ValueError):
        return f"{zone!r} is not an IANA time zone"
    return None


def _working_days(value: Any) -> str | None:
    if not isinstance(value, list) or not value:
        return "must be a non-empty list of weekdays"
    if any(day not in WEEKDAYS for day in value):
        return f"every day must be one of {', '.join(WEEKDAYS)}"
    if len(set(value)) != len(value):
        return "days must not repeat"
    return None


def _non_empty_strings(allowed: set[str] | None = None, max_items: int = 50) -> Rule:
    def rule(value: Any) -> str | None:
        if not isinstance(value, list) or not value:
            return "must be a non-empty list"
        if len(value) > max_items:
            return f"must have at most {max_items} entries"
        if any(not isinstance(item, str) or not item.strip() for item in value):
            return "every entry must be a non-empty string"
        if len(set(value)) != len(value):
            return "entries must not repeat"
        if allowed is not None and not set(value) <= allowed:
            return f"entries must be among {', '.join(sorted(allowed))}"
        return None

    return rule


def _stamps(value: Any) -> str | None:
    """Stamp names travel in annotation requests, so they are short lowercase words."""
    problem = _non_empty_strings(max_items=20)(value)
    if problem:
        return problem
    if any(not STAMP_RE.match(item) for item in value):
        return "every stamp must be a lowercase name (letters, digits, underscore; at most 30 characters)"
    return None


def _unit_list(value: Any) -> str | None:
    """A class's syllabus units: questions and templates name them, so each must be distinct
    even ignoring case, and carry no stray spaces."""
    problem = _non_empty_strings(max_items=MAX_UNITS)(value)
    if problem:
        return problem
    if any(item != item.strip() or len(item) > MAX_UNIT_NAME for item in value):
        return f"every unit must be at most {MAX_UNIT_NAME} characters without leading or trailing spaces"
    if len({item.casefold() for item in value}) != len(value):
        return "units must not repeat (ignoring case)"
    return None


def _email_from(value: Any) -> str | None:
    if not isinstance(value, str) or not EMAIL_FROM_RE.match(value.strip()):
        return 'must be an address like "Name <noreply@example.com>"'
    return None


def _region(value: Any) -> str | None:
    if not isinstance(value, str) or not re.match(r"^[a-z]{2}(-[a-z]+)+-\d$", value):
        return "must be an AWS region name such as ap-south-1"
    return None


RULES: dict[str, Rule] = {
    "sla_working_hours": _working_hours,
    "sla_working_days": _working_days,
    "leaderboard_top_n": _integer(1, 100),
    "max_upload_size_mb": _integer(1, 50),
    "allowed_upload_mimetypes": _non_empty_strings(KNOWN_MIMETYPES),
    "upload_quality_check_enabled": _boolean,
    "upload_min_short_side_px": _integer(100, 4000),
    "evaluation_ui_stamps": _stamps,
    "analytics_refresh_hour": _integer(0, 23),
    "analytics_retention_days": _integer(30, 3650),
    "exam_auto_submit_enabled": _boolean,
    "exam_grace_period_minutes": _integer(0, 60),
    "notifications_enabled": _boolean,
    "notification_email_from": _email_from,
    "question_approval_required": _boolean,
    "session_timeout_minutes": _integer(5, 1440),
    "max_login_attempts": _integer(1, 100),
    "aws_s3_region": _region,
    "s3_signed_url_expiry_minutes": _integer(1, 1440),
    "cbse_units_class_xii": _unit_list,
    "cbse_units_class_x": _unit_list,
    "item_analysis_min_attempts": _integer(1, 100000),
    "anonymous_marking": _boolean,
}

# The same rules in words: GET /admin/config shows them, docs/operations.md lists them.
RULE_TEXT: dict[str, str] = {
    "sla_working_hours": "object {start, end, timezone}: HH:MM times, start before end, an IANA time zone",
    "sla_working_days": "non-empty list of distinct weekdays among Mon, Tue, Wed, Thu, Fri, Sat, Sun",
    "leaderboard_top_n": "whole number 1-100",
    "max_upload_size_mb": "whole number 1-50",
    "allowed_upload_mimetypes": "non-empty list of distinct types among application/pdf, image/jpeg, image/jpg, "
    "image/png",
    "upload_quality_check_enabled": "true or false",
    "upload_min_short_side_px": "whole number 100-4000 (pixels)",
    "evaluation_ui_stamps": "1-20 distinct lowercase names (letters, digits, underscore; at most 30 characters)",
    "analytics_refresh_hour": "whole number 0-23 (hour of the day, Asia/Kolkata)",
    "analytics_retention_days": "whole number 30-3650",
    "exam_auto_submit_enabled": "true or false",
    "exam_grace_period_minutes": "whole number 0-60",
    "notifications_enabled": "true or false",
    "notification_email_from": 'an address, optionally with a display name: "Name <noreply@example.com>"',
    "question_approval_required": "true or false",
    "anonymous_marking": "true or false",
    "session_timeout_minutes": "whole number 5-1440",
    "max_login_attempts": "whole number 1-100",
    "aws_s3_region": "an AWS region name such as ap-south-1",
    "s3_signed_url_expiry_minutes": "whole number 1-1440",
    "item_analysis_min_attempts": "whole number 1-100000 (attempts a question version needs before its "
    "discrimination, difficulty band and flags are stated)",
    "cbse_units_class_xii": f"1-{MAX_UNITS} distinct unit names (ignoring case), each at most {MAX_UNIT_NAME} "
    "characters without surrounding spaces; a unit still named by a question or an active template cannot be "
    "removed",
    "cbse_units_class_x": f"1-{MAX_UNITS} distinct unit names (ignoring case), each at most {MAX_UNIT_NAME} "
    "characters without surrounding spaces; a unit still named by a question or an active template cannot be "
    "removed",
}

UNIT_LIST_CLASS = {"cbse_units_class_xii": "XII", "cbse_units_class_x": "X"}
JSON_TYPES = {"string": str, "boolean": bool, "array": list, "object": dict}


def type_problem(value_type: str, value: Any) -> str | None:
    """The declared JSON type of a key without a rule of its own (keys added later)."""
    if value_type in ("integer", "number"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return "must be a number"
        if value_type == "integer" and not float(value).is_integer():
            return "must be a whole number"
        return None
    expected = JSON_TYPES.get(value_type)
    if expected is None or not isinstance(value, expected):
        return f"must be of type {value_type}"
    return None


def validate_config_value(key: str, value: Any) -> str | None:
    """None when ``value`` is acceptable for ``key``; else the broken rule. Unknown keys raise KeyError."""
    return RULES[key](value)


def units_left_out(in_use: list[str], old: Any, new: list[str]) -> list[str]:
    """Units of the current list, still named by questions or templates, that a new list
    leaves out (exact names, as the question rules compare them)."""
    current = set(old) if isinstance(old, list) else set()
    return sorted((set(in_use) & current) - set(new))
