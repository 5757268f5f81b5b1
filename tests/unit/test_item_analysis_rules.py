"""The pure judgements of item analysis: bands, flags and the minimum of attempts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mathvidya.insights.item_analysis_rules import (
    discrimination,
    item_flags,
    judged_figures,
    measured_difficulty,
)


@pytest.mark.parametrize(
    ("facility", "band"),
    [
        (Decimal("0.7001"), "easy"),
        (Decimal("0.7"), "medium"),
        (Decimal("0.4"), "medium"),
        (Decimal("0.3999"), "hard"),
        (None, None),
    ],
)
def test_difficulty_bands_follow_the_boundaries(facility, band):
    assert measured_difficulty(facility) == band


@pytest.mark.parametrize(
    ("facility", "disc", "is_mcq", "key", "distractor", "flags"),
    [
        (Decimal("0.9001"), Decimal("0.2"), True, 5, 1, ["too_easy"]),
        (Decimal("0.9"), Decimal("0.2"), True, 5, 1, []),
        (Decimal("0.1999"), Decimal("0.1"), False, None, None, ["too_hard"]),
        (Decimal("0.2"), Decimal("0.0999"), False, None, None, ["poor_discrimination"]),
        (Decimal("0.5"), Decimal("-0.01"), False, None, None, ["poor_discrimination"]),  # written: never key_suspect
        (Decimal("0.5"), Decimal("-0.01"), True, 5, 1, ["poor_discrimination", "key_suspect"]),
        (Decimal("0.5"), Decimal("0.3"), True, 3, 4, ["key_suspect"]),  # top group prefers a distractor
        (Decimal("0.5"), Decimal("0.3"), True, 4, 4, []),  # a tie is not "more often"
        (Decimal("0.5"), None, True, None, None, []),
    ],
)
def test_flags(facility, disc, is_mcq, key, distractor, flags):
    assert item_flags(facility, disc, is_mcq=is_mcq, top_key_picks=key, top_distractor_picks=distractor) == flags


def test_discrimination_is_top_minus_bottom():
    assert discrimination(Decimal("1.0000"), Decimal("0.3333")) == Decimal("0.6667")
    assert discrimination(None, Decimal("0.5")) is None


def test_below_the_minimum_no_judgement_is_made():
    measured = {
        "attempts": 29,
        "facility": Decimal("0.05"),
        "top_facility": Decimal("0"),
        "bottom_facility": Decimal("1"),
        "is_mcq": True,
        "top_key_picks": 0,
        "top_distractor_picks": 9,
    }
    assert judged_figures(measured, 30) == {"discrimination": None, "measured_difficulty": None, "flags": []}
    judged = judged_figures({**measured, "attempts": 30}, 30)
    assert judged["discrimination"] == Decimal("-1")
    assert judged["measured_difficulty"] == "hard"
    assert judged["flags"] == ["too_hard", "poor_discrimination", "key_suspect"]
