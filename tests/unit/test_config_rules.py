"""Per-key system_config rules: a table of good and bad values for every key, and
hypothesis properties for the numeric ranges and the SLA working window."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mathvidya import config_rules
from mathvidya.config_rules import RULE_TEXT, RULES, WEEKDAYS, type_problem, units_left_out, validate_config_value

XII = [
    "Relations and Functions",
    "Inverse Trigonometric Functions",
    "Matrices",
    "Determinants",
    "Continuity and Differentiability",
    "Application of Derivatives",
    "Integrals",
    "Application of Integrals",
    "Differential Equations",
    "Vector Algebra",
    "Three Dimensional Geometry",
    "Linear Programming",
    "Probability",
]
X = ["Real Numbers", "Polynomials", "Triangles", "Statistics", "Probability"]
IST = {"start": "09:00", "end": "18:00", "timezone": "Asia/Kolkata"}

GOOD: dict[str, list] = {
    "sla_working_hours": [IST, {"start": "00:00", "end": "23:59", "timezone": "UTC"}],
    "sla_working_days": [["Mon", "Tue", "Wed", "Thu", "Fri", "Sat"], ["Sun"], list(WEEKDAYS)],
    "leaderboard_top_n": [1, 10, 100],
    "max_upload_size_mb": [1, 5, 50],
    "upload_quality_check_enabled": [True, False],
    "upload_min_short_side_px": [100, 600, 4000],
    "allowed_upload_mimetypes": [["image/jpeg", "image/jpg", "image/png", "application/pdf"], ["application/pdf"]],
    "evaluation_ui_stamps": [["tick", "cross", "half", "circle", "star"], ["double_tick", "q2"]],
    "analytics_refresh_hour": [0, 2, 23],
    "analytics_retention_days": [30, 730, 3650],
    "exam_auto_submit_enabled": [True, False],
    "anonymous_marking": [True, False],
    "exam_grace_period_minutes": [0, 5, 60],
    "notifications_enabled": [True, False],
    "notification_email_from": ["Mathvidya <noreply@mathvidya.com>", "noreply@mathvidya.com"],
    "question_approval_required": [True, False],
    "session_timeout_minutes": [5, 60, 1440],
    "max_login_attempts": [1, 5, 100],
    "item_analysis_min_attempts": [1, 30, 100000],
    "aws_s3_region": ["ap-south-1", "us-east-1", "eu-central-2"],
    "s3_signed_url_expiry_minutes": [1, 15, 1440],
    "cbse_units_class_xii": [XII, ["Matrices"]],
    "cbse_units_class_x": [X, ["Real Numbers"]],
}

BAD: dict[str, list[tuple[object, str]]] = {
    "sla_working_hours": [
        ({"start": "18:00", "end": "09:00", "timezone": "Asia/Kolkata"}, "start before it ends"),
        ({"start": "09:00", "end": "09:00", "timezone": "Asia/Kolkata"}, "start before it ends"),
        ({"start": "09:00", "end": "18:00", "timezone": "Mars/Olympus"}, "IANA time zone"),
        ({"start": "9:00", "end": "18:00", "timezone": "Asia/Kolkata"}, "HH:MM"),
        ({"start": "09:00", "end": "24:00", "timezone": "Asia/Kolkata"}, "HH:MM"),
        ({"start": "09:00", "end": "18:00"}, "exactly start, end and timezone"),
        ("09:00-18:00", "exactly start, end and timezone"),
    ],
    "sla_working_days": [
        ([], "non-empty"),
        (["Funday"], "one of Mon"),
        (["mon"], "one of Mon"),
        (["Mon", "Mon"], "must not repeat"),
        ("Mon", "non-empty list"),
    ],
    "leaderboard_top_n": [
        (0, "between 1 and 100"),
        (101, "between 1 and 100"),
        ("10", "whole number"),
        (10.5, "whole number"),
        (True, "whole number"),
    ],
    "max_upload_size_mb": [(0, "between 1 and 50"), (51, "between 1 and 50")],
    "upload_quality_check_enabled": [("true", "true or false"), (1, "true or false")],
    "upload_min_short_side_px": [(99, "between 100 and 4000"), (4001, "between 100 and 4000"), (True, "whole")],
    "allowed_upload_mimetypes": [([], "non-empty"), (["text/html"], "among"), (["image/png", "image/png"], "repeat")],
    "evaluation_ui_stamps": [
        ([], "non-empty"),
        (["Tick!"], "lowercase"),
        (["tick", "tick"], "repeat"),
        ([""], "non-empty string"),
    ],
    "analytics_refresh_hour": [(-1, "between 0 and 23"), (24, "between 0 and 23")],
    "analytics_retention_days": [(29, "between 30 and 3650"), (3651, "between 30 and 3650")],
    "exam_auto_submit_enabled": [("true", "true or false"), (1, "true or false")],
    "anonymous_marking": [("false", "true or false"), (0, "true or false")],
    "exam_grace_period_minutes": [(-1, "between 0 and 60"), (61, "between 0 and 60")],
    "notifications_enabled": [("no", "true or false"), (None, "true or false")],
    "notification_email_from": [("not an address", "address like"), (5, "address like"), ("A <b>", "address like")],
    "question_approval_required": [(0, "true or false")],
    "session_timeout_minutes": [(4, "between 5 and 1440"), (1441, "between 5 and 1440")],
    "max_login_attempts": [(0, "between 1 and 100"), (101, "between 1 and 100")],
    "item_analysis_min_attempts": [(0, "between 1 and 100000"), (100001, "between 1 and 100000"), (2.5, "whole")],
    "aws_s3_region": [("Mumbai", "AWS region"), ("", "AWS region"), (1, "AWS region")],
    "s3_signed_url_expiry_minutes": [(0, "between 1 and 1440"), (1441, "between 1 and 1440")],
    "cbse_units_class_xii": [
        ([], "non-empty"),
        (["Matrices", "matrices"], "ignoring case"),
        ([" Matrices"], "leading or trailing spaces"),
        (["x" * 101], "at most 100 characters"),
        ([f"Unit {i}" for i in range(31)], "at most 30"),
        ("Matrices", "non-empty list"),
    ],
    "cbse_units_class_x": [([], "non-empty"), (["Polynomials", "Polynomials"], "repeat"), ([7], "non-empty string")],
}


def test_every_key_has_a_rule_a_description_and_cases():
    assert set(RULES) == set(RULE_TEXT) == set(GOOD) == set(BAD)
    assert len(RULES) == 23


@pytest.mark.parametrize(("key", "value"), [(k, v) for k, values in GOOD.items() for v in values])
def test_good_values_are_accepted(key, value):
    assert validate_config_value(key, value) is None


@pytest.mark.parametrize(("key", "value", "says"), [(k, v, s) for k, cases in BAD.items() for v, s in cases])
def test_bad_values_are_refused_naming_the_rule(key, value, says):
    problem = validate_config_value(key, value)
    assert problem is not None and says in problem


def test_unknown_keys_raise():
    with pytest.raises(KeyError):
        validate_config_value("no_such_key", 1)


@pytest.mark.parametrize(
    ("key", "low", "high"),
    [
        ("leaderboard_top_n", 1, 100),
        ("max_upload_size_mb", 1, 50),
        ("analytics_refresh_hour", 0, 23),
        ("analytics_retention_days", 30, 3650),
        ("exam_grace_period_minutes", 0, 60),
        ("session_timeout_minutes", 5, 1440),
        ("max_login_attempts", 1, 100),
        ("item_analysis_min_attempts", 1, 100000),
        ("s3_signed_url_expiry_minutes", 1, 1440),
    ],
)
@given(value=st.integers(min_value=-10_000, max_value=10_000))
def test_integer_keys_accept_exactly_their_range(key, low, high, value):
    assert (validate_config_value(key, value) is None) == (low <= value <= high)


times = st.tuples(st.integers(0, 23), st.integers(0, 59)).map(lambda t: f"{t[0]:02d}:{t[1]:02d}")


@given(start=times, end=times)
def test_the_working_window_must_start_before_it_ends(start, end):
    problem = validate_config_value("sla_working_hours", {"start": start, "end": end, "timezone": "Asia/Kolkata"})
    assert (problem is None) == (start < end)


@given(days=st.lists(st.sampled_from(WEEKDAYS), max_size=9))
def test_working_days_are_a_non_empty_subset_of_the_week(days):
    problem = validate_config_value("sla_working_days", days)
    assert (problem is None) == (bool(days) and len(set(days)) == len(days))


@pytest.mark.parametrize(
    ("value_type", "good", "bad"),
    [
        ("integer", 3, 3.5),
        ("integer", 3, True),
        ("number", 2.5, "2.5"),
        ("string", "x", 1),
        ("boolean", False, 0),
        ("array", [], {}),
        ("object", {}, []),
    ],
)
def test_keys_without_a_rule_keep_their_declared_type(value_type, good, bad):
    assert type_problem(value_type, good) is None
    assert type_problem(value_type, bad) is not None


def test_a_unit_in_use_cannot_be_left_out_but_new_and_unused_ones_can_change():
    in_use = ["Matrices", "Probability", "Old Unit Not In The List"]
    assert units_left_out(in_use, XII, XII + ["New Unit"]) == []
    assert units_left_out(in_use, XII, [u for u in XII if u != "Integrals"]) == []
    assert units_left_out(in_use, XII, [u for u in XII if u not in ("Matrices", "Probability")]) == [
        "Matrices",
        "Probability",
    ]
    # Renaming by case is a removal: questions name units exactly.
    assert units_left_out(in_use, XII, [u.lower() if u == "Matrices" else u for u in XII]) == ["Matrices"]


def test_each_class_has_its_unit_list_key():
    assert config_rules.UNIT_LIST_CLASS == {"cbse_units_class_xii": "XII", "cbse_units_class_x": "X"}
