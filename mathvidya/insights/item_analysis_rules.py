"""Item analysis judgements (pure): discrimination, the difficulty band and the flags of a
question version from its measured figures (docs/item-analysis.md)."""

from __future__ import annotations

from decimal import Decimal

TOO_EASY_ABOVE = Decimal("0.9")
TOO_HARD_BELOW = Decimal("0.2")
POOR_DISCRIMINATION_BELOW = Decimal("0.1")
EASY_ABOVE = Decimal("0.7")
HARD_BELOW = Decimal("0.4")
FLAGS = ("too_easy", "too_hard", "poor_discrimination", "key_suspect")
KEY_SUSPECT = "key_suspect"


def enough_attempts(attempts: int, min_attempts: int) -> bool:
    """Judgements (discrimination, band, flags) need the configured minimum of attempts."""
    return attempts >= min_attempts


def discrimination(top_facility: Decimal | None, bottom_facility: Decimal | None) -> Decimal | None:
    """Facility in the top group minus facility in the bottom group."""
    if top_facility is None or bottom_facility is None:
        return None
    return top_facility - bottom_facility


def measured_difficulty(facility: Decimal | None) -> str | None:
    """easy > 0.7 >= medium >= 0.4 > hard."""
    if facility is None:
        return None
    if facility > EASY_ABOVE:
        return "easy"
    if facility < HARD_BELOW:
        return "hard"
    return "medium"


def key_suspect(
    is_mcq: bool, discrimination_value: Decimal | None, top_key_picks: int | None, top_distractor_picks: int | None
) -> bool:
    """An MCQ whose discrimination is negative, or whose top group picks one distractor more
    often than the key."""
    if not is_mcq:
        return False
    if discrimination_value is not None and discrimination_value < 0:
        return True
    return (top_distractor_picks or 0) > (top_key_picks or 0)


def item_flags(
    facility: Decimal | None,
    discrimination_value: Decimal | None,
    *,
    is_mcq: bool,
    top_key_picks: int | None = None,
    top_distractor_picks: int | None = None,
) -> list[str]:
    """The flags of a question version with enough attempts, in FLAGS order."""
    flags = []
    if facility is not None and facility > TOO_EASY_ABOVE:
        flags.append("too_easy")
    if facility is not None and facility < TOO_HARD_BELOW:
        flags.append("too_hard")
    if discrimination_value is not None and discrimination_value < POOR_DISCRIMINATION_BELOW:
        flags.append("poor_discrimination")
    if key_suspect(is_mcq, discrimination_value, top_key_picks, top_distractor_picks):
        flags.append(KEY_SUSPECT)
    return flags


def judged_figures(measured: dict, min_attempts: int) -> dict:
    """Discrimination, band and flags of one measured row; null and no flags below the minimum."""
    if not enough_attempts(measured["attempts"], min_attempts):
        return {"discrimination": None, "measured_difficulty": None, "flags": []}
    value = discrimination(measured["top_facility"], measured["bottom_facility"])
    return {
        "discrimination": value,
        "measured_difficulty": measured_difficulty(measured["facility"]),
        "flags": item_flags(
            measured["facility"],
            value,
            is_mcq=measured["is_mcq"],
            top_key_picks=measured.get("top_key_picks"),
            top_distractor_picks=measured.get("top_distractor_picks"),
        ),
    }
