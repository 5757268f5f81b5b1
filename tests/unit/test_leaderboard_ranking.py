"""The leaderboard rule: averages, ties sharing a rank (1, 1, 3), the stable order inside
a tie, and the digest of a ranking."""

from __future__ import annotations

import hashlib
import random
import uuid
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mathvidya.insights.leaderboard import (
    Standing,
    average_percentage,
    canonical_lines,
    display_name,
    rank_standings,
    ranking_digest,
)


def sid(n: int) -> uuid.UUID:
    return uuid.UUID(int=n)


def standing(n: int, average: str, exams: int = 1) -> Standing:
    return Standing(sid(n), Decimal(average) * exams, exams)


@pytest.mark.parametrize(
    ("total", "count", "expected"),
    [
        ("100", 1, "100.00"),
        ("250.01", 3, "83.34"),  # 83.336… rounds up
        ("200.01", 2, "100.01"),  # 100.005 → half up
        ("0.01", 2, "0.01"),  # 0.005 → half up
        ("180", 4, "45.00"),
    ],
)
def test_average_is_rounded_half_up_to_two_places(total, count, expected):
    assert average_percentage(Decimal(total), count) == Decimal(expected)


def test_average_needs_an_exam():
    with pytest.raises(ValueError):
        average_percentage(Decimal(0), 0)


def test_ties_share_a_rank_and_the_next_rank_skips():
    ranked = rank_standings([standing(1, "80"), standing(2, "90"), standing(3, "90"), standing(4, "70")])
    assert [(e.student_user_id, e.rank, e.position) for e in ranked] == [
        (sid(2), 1, 1),
        (sid(3), 1, 2),
        (sid(1), 3, 3),
        (sid(4), 4, 4),
    ]


@pytest.mark.parametrize(
    ("averages", "ranks"),
    [
        (["90", "90", "80"], [1, 1, 3]),
        (["90", "80", "80", "80", "70"], [1, 2, 2, 2, 5]),
        (["50", "50", "50"], [1, 1, 1]),
        (["99.99", "99.98"], [1, 2]),
        ([], []),
    ],
)
def test_competition_ranking_table(averages, ranks):
    ranked = rank_standings([standing(i, a) for i, a in enumerate(averages, start=1)])
    assert [e.rank for e in ranked] == ranks


def test_inside_a_tie_more_exams_come_first_then_the_student_id():
    ranked = rank_standings(
        [standing(9, "75", exams=2), standing(3, "75", exams=2), standing(5, "75", exams=6), standing(1, "60")]
    )
    assert [e.student_user_id for e in ranked] == [sid(5), sid(3), sid(9), sid(1)]
    assert [e.rank for e in ranked] == [1, 1, 1, 4]


def test_averages_equal_after_rounding_are_a_tie():
    # 80.004 and 80.001 both show as 80.00: one rank, not two.
    ranked = rank_standings([Standing(sid(1), Decimal("160.008"), 2), Standing(sid(2), Decimal("160.002"), 2)])
    assert [e.rank for e in ranked] == [1, 1]
    assert {e.avg_percentage for e in ranked} == {Decimal("80.00")}


standings_strategy = st.lists(
    st.builds(
        lambda n, avg, exams: Standing(sid(n), Decimal(avg) / 100 * exams, exams),
        st.integers(min_value=1, max_value=10**6),
        st.integers(min_value=0, max_value=10000),
        st.integers(min_value=1, max_value=40),
    ),
    max_size=60,
    unique_by=lambda s: s.student_user_id,
)


@given(standings_strategy, st.randoms(use_true_random=False))
def test_the_ranking_does_not_depend_on_input_order(standings, rnd):
    shuffled = list(standings)
    rnd.shuffle(shuffled)
    first, second = rank_standings(standings), rank_standings(shuffled)
    assert first == second
    assert ranking_digest(first) == ranking_digest(second)


@given(standings_strategy)
def test_ranks_are_competition_ranks(standings):
    ranked = rank_standings(standings)
    assert [e.position for e in ranked] == list(range(1, len(ranked) + 1))
    for before, after in zip(ranked, ranked[1:], strict=False):
        assert before.avg_percentage >= after.avg_percentage
        if before.avg_percentage == after.avg_percentage:
            assert after.rank == before.rank
            assert (before.total_exams, str(after.student_user_id)) >= (after.total_exams, str(before.student_user_id))
        else:
            assert after.rank == after.position
    assert all(1 <= e.rank <= e.position for e in ranked)


def test_the_digest_changes_with_any_entry():
    base = rank_standings([standing(1, "90"), standing(2, "80")])
    changed = rank_standings([standing(1, "90"), standing(2, "80.01")])
    swapped = rank_standings([standing(1, "80"), standing(2, "90")])
    digests = {ranking_digest(base), ranking_digest(changed), ranking_digest(swapped), ranking_digest([])}
    assert len(digests) == 4
    assert all(len(d) == 64 for d in digests)


# A recorded refresh keeps its ranking's digest: if the canonical form or the hash ever
# changed, every stored digest would stop matching. These values are fixed on purpose.
GOLDEN_TEXT = (
    "1|1|00000000-0000-0000-0000-000000000002|90.00|1\n"
    "2|1|00000000-0000-0000-0000-000000000003|90.00|1\n"
    "3|3|00000000-0000-0000-0000-000000000001|80.00|1\n"
    "4|4|00000000-0000-0000-0000-000000000004|70.00|3\n"
)
GOLDEN_DIGEST = "06b99c3baba8effba6df494b9bd8b0c0e8d7496b27485f830188b44e855bc75c"
EMPTY_DIGEST = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"  # SHA-256 of nothing


def test_digest_of_a_known_ranking_is_the_recorded_golden_value():
    standings = [standing(1, "80"), standing(2, "90"), standing(3, "90"), standing(4, "70", exams=3)]
    for order in (standings, list(reversed(standings))):
        ranked = rank_standings(order)
        assert "".join(canonical_lines(ranked)) == GOLDEN_TEXT
        assert ranking_digest(ranked) == GOLDEN_DIGEST
    assert hashlib.sha256(GOLDEN_TEXT.encode("ascii")).hexdigest() == GOLDEN_DIGEST
    assert ranking_digest([]) == EMPTY_DIGEST


def test_digest_does_not_depend_on_the_input_order():
    rng = random.Random(7)
    standings = [standing(i, str(rng.randint(0, 100))) for i in range(1, 50)]
    shuffled = standings[:]
    rng.shuffle(shuffled)
    assert ranking_digest(rank_standings(standings)) == ranking_digest(rank_standings(shuffled))


@pytest.mark.parametrize(
    ("first", "last", "initials", "shown"),
    [
        ("Meera", "Sharma", False, "Meera Sharma"),
        ("Meera", "Sharma", True, "M. S."),
        ("meera", " sharma", True, "M. S."),
        ("Arjun", "", True, "A."),
    ],
)
def test_display_name(first, last, initials, shown):
    assert display_name(first, last, initials) == shown


def test_a_refresh_refuses_what_it_cannot_record_before_touching_the_database():
    """Guards of the refresh: an unknown reason or class, a naive instant, an unknown rule
    version are programming errors, refused before any query (no connection is needed)."""
    from datetime import UTC, datetime

    from mathvidya.insights import service

    now = datetime.now(UTC)
    with pytest.raises(ValueError, match="reason"):
        service.refresh_class_leaderboard(None, "XII", now, reason="whim")
    with pytest.raises(ValueError, match="timezone"):
        service.refresh_inputs(None, "XII", datetime(2026, 1, 1), "manual")
    with pytest.raises(ValueError, match="rule"):
        service.rank_from_inputs(None, {"rule_version": "no-such-rule"})
    with pytest.raises(ValueError, match="class"):
        service.lock_class_refresh(None, "XI")
