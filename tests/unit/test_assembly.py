"""Exam assembly: split_by_weight tables (the board weights included) and hypothesis
properties of assemble — exact counts, the largest-remainder split, lending, determinism,
no duplicates, unseen first, and shortfalls with needed/available."""

from __future__ import annotations

import uuid
from collections import Counter
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mathvidya.exams.assembly import (
    AssembledSection,
    SectionSpec,
    Shortfall,
    assemble,
    split_by_weight,
)
from mathvidya.questions.template_defaults import SYLLABUS_ORDER, chapter_weights

XII_BOARD_MCQ_SPLIT = {
    "Relations and Functions": 1,  # quota 1.00
    "Inverse Trigonometric Functions": 1,  # 1.00
    "Matrices": 1,  # 1.25
    "Determinants": 1,  # 1.25
    "Continuity and Differentiability": 2,  # 1.75 — seven units tie at .75 for six places;
    "Application of Derivatives": 2,  # equal weights, so the names decide and
    "Integrals": 2,  # Vector Algebra (last alphabetically) misses out
    "Application of Integrals": 2,
    "Differential Equations": 2,
    "Vector Algebra": 1,
    "Three Dimensional Geometry": 2,
    "Linear Programming": 1,  # 1.25
    "Probability": 2,  # 2.00
}


def test_twenty_mcq_over_the_xii_board_weights():
    assert split_by_weight(20, chapter_weights("XII")) == XII_BOARD_MCQ_SPLIT


def test_twenty_mcq_over_the_x_board_weights():
    split = split_by_weight(20, chapter_weights("X"))
    assert sum(split.values()) == 20
    # Triangles and Circles (1.875) first, then the four units at 1.5; the 1.375s and 1.25s stay at 1.
    assert {unit for unit, places in split.items() if places == 2} == {
        "Triangles",
        "Circles",
        "Real Numbers",
        "Coordinate Geometry",
        "Introduction to Trigonometry",
        "Some Applications of Trigonometry",
    }


@pytest.mark.parametrize(
    ("count", "weights", "expected"),
    [
        (10, {"a": 0.5, "b": 0.5}, {"a": 5, "b": 5}),
        (1, {"a": 0.5, "b": 0.5}, {"a": 1, "b": 0}),  # exact tie: by name
        (1, {"b": 0.5, "a": 0.5}, {"a": 1, "b": 0}),  # input order never matters
        (2, {"a": 0.3, "b": 0.3, "c": 0.4}, {"a": 1, "b": 0, "c": 1}),  # .6/.6/.8: c, then a before b by name
        (3, {"a": 0.1, "b": 0.2, "c": 0.7}, {"a": 0, "b": 1, "c": 2}),  # floats read as decimals: .3/.6/2.1
        (7, {"only": 1.0}, {"only": 7}),
        (0, {"a": 0.5, "b": 0.5}, {"a": 0, "b": 0}),
        (4, {"a": 1, "b": 1, "c": 2}, {"a": 1, "b": 1, "c": 2}),  # weights need not sum to 1
        (5, {"a": Decimal("0.25"), "b": Decimal("0.75")}, {"a": 1, "b": 4}),  # 1.25/3.75
        (3, {"a": 0, "b": 1}, {"a": 0, "b": 3}),
        (1, {"light": 0.4, "heavy": 0.6}, {"light": 0, "heavy": 1}),
    ],
)
def test_split_by_weight_table(count, weights, expected):
    assert split_by_weight(count, weights) == expected


def test_remainder_tie_goes_to_the_larger_weight_before_the_name():
    # quotas a 0.5 and z 1.5 tie at .5 for the one place left: z is heavier, so z wins despite its name.
    assert split_by_weight(2, {"a": 1, "z": 3}) == {"a": 0, "z": 2}
    # the same remainders and equal weights: the name decides.
    assert split_by_weight(1, {"z": 1, "a": 1}) == {"a": 1, "z": 0}


@pytest.mark.parametrize(
    ("count", "weights"),
    [(-1, {"a": 1}), (3, {}), (3, {"a": 0}), (3, {"a": -0.5, "b": 1.5}), (3, {"a": float("nan")}), (2.0, {"a": 1})],
)
def test_split_by_weight_refuses_nonsense(count, weights):
    with pytest.raises(ValueError):
        split_by_weight(count, weights)


@given(
    st.integers(0, 200),
    st.dictionaries(st.text(min_size=1, max_size=3), st.integers(1, 1000), min_size=1, max_size=12),
)
def test_split_sums_exactly_and_stays_within_one_of_the_quota(count, weights):
    split = split_by_weight(count, weights)
    assert sum(split.values()) == count
    total = sum(weights.values())
    for unit, places in split.items():
        quota = count * weights[unit] / total
        assert quota - 1 < places < quota + 1


# --- assemble ---------------------------------------------------------------------------


def pool(question_type: str, unit: str, size: int, start: int = 0) -> list[str]:
    return [f"{question_type}/{unit}/{n}" for n in range(start, start + size)]


def unit_of(question_id: str) -> str:
    return question_id.split("/")[1]


def test_board_paper_from_an_ample_bank():
    weights = chapter_weights("XII")
    sections = [
        SectionSpec("Section A", "MCQ", 20, 1, weights),
        SectionSpec("Section B", "VSA", 5, 2, weights),
        SectionSpec("Section C", "SA", 6, 3, weights),
        SectionSpec("Section D", "LA", 4, 5, weights),
        SectionSpec("Section E", "CASE", 3, 4, weights),
    ]
    candidates = {(kind, unit): pool(kind, unit, 8) for kind in ("MCQ", "VSA", "SA", "LA", "CASE") for unit in weights}
    result = assemble(sections, candidates, frozenset(), seed=42)
    assert result.ok and not result.shortfalls
    assert [len(s.question_ids) for s in result.sections] == [20, 5, 6, 4, 3]
    mcq = result.sections[0]
    assert mcq == AssembledSection("Section A", "MCQ", 1, mcq.question_ids)
    assert Counter(map(unit_of, mcq.question_ids)) == +Counter(XII_BOARD_MCQ_SPLIT)
    # unit by unit, in the order the template names its units
    order = [SYLLABUS_ORDER["XII"].index(unit_of(qid)) for qid in mcq.question_ids]
    assert order == sorted(order)


def test_a_short_unit_lends_its_places_by_weight():
    weights = {"heavy": 0.5, "middle": 0.3, "light": 0.2}
    section = SectionSpec("A", "MCQ", 10, 1, weights)
    # heavy wants 5 but has 1; its 4 places go 0.3:0.2 → 2.4/1.6 → middle 2, light 2 (light's .6 wins).
    candidates = {
        ("MCQ", "heavy"): pool("MCQ", "heavy", 1),
        **{("MCQ", u): pool("MCQ", u, 10) for u in ("middle", "light")},
    }
    result = assemble([section], candidates, frozenset(), seed=1)
    assert Counter(map(unit_of, result.sections[0].question_ids)) == {"heavy": 1, "middle": 5, "light": 4}


def test_lending_caps_a_lender_and_passes_the_rest_on():
    weights = {"a": 0.4, "b": 0.4, "c": 0.2}
    section = SectionSpec("A", "SA", 10, 3, weights)
    candidates = {("SA", "a"): pool("SA", "a", 0), ("SA", "b"): pool("SA", "b", 5), ("SA", "c"): pool("SA", "c", 9)}
    result = assemble([section], candidates, frozenset(), seed=1)
    assert Counter(map(unit_of, result.sections[0].question_ids)) == {"b": 5, "c": 5}


def test_lent_places_go_to_unseen_spare_before_seen_spare():
    weights = {"a": 0.5, "b": 0.25, "c": 0.25}
    section = SectionSpec("A", "MCQ", 8, 1, weights)
    candidates = {
        ("MCQ", "a"): pool("MCQ", "a", 1),
        ("MCQ", "b"): pool("MCQ", "b", 6),
        ("MCQ", "c"): pool("MCQ", "c", 6),
    }
    seen = frozenset(pool("MCQ", "b", 6))  # b has spare, but all seen
    result = assemble([section], candidates, seen, seed=3)
    assert Counter(map(unit_of, result.sections[0].question_ids)) == {"a": 1, "b": 2, "c": 5}


def test_weight_zero_units_only_lend_when_no_weighted_unit_can():
    weights = {"a": 0.5, "b": 0.5, "z": 0}
    section = SectionSpec("A", "MCQ", 6, 1, weights)
    candidates = {
        ("MCQ", "a"): pool("MCQ", "a", 2),
        ("MCQ", "b"): pool("MCQ", "b", 5),
        ("MCQ", "z"): pool("MCQ", "z", 5),
    }
    assert Counter(map(unit_of, assemble([section], candidates, frozenset(), 9).sections[0].question_ids)) == {
        "a": 2,
        "b": 4,
    }
    section = SectionSpec("A", "MCQ", 9, 1, weights)
    assert Counter(map(unit_of, assemble([section], candidates, frozenset(), 9).sections[0].question_ids)) == {
        "a": 2,
        "b": 5,
        "z": 2,
    }


def test_units_outside_the_section_never_lend():
    section = SectionSpec("A", "MCQ", 3, 1, {"a": 1.0})
    candidates = {("MCQ", "a"): pool("MCQ", "a", 2), ("MCQ", "other"): pool("MCQ", "other", 9)}
    result = assemble([section], candidates, frozenset(), seed=0)
    assert not result.ok and result.sections == []
    assert result.shortfalls == [Shortfall("A", "MCQ", needed=3, available=2)]


def test_every_shortfall_is_reported():
    weights = {"a": 1.0}
    sections = [
        SectionSpec("A", "MCQ", 5, 1, weights),
        SectionSpec("B", "VSA", 5, 2, weights),
        SectionSpec("C", "SA", 5, 3, weights),
    ]
    candidates = {("MCQ", "a"): pool("MCQ", "a", 2), ("VSA", "a"): pool("VSA", "a", 5)}
    result = assemble(sections, candidates, frozenset(), seed=0)
    assert result.sections == []
    assert result.shortfalls == [Shortfall("A", "MCQ", 5, 2), Shortfall("C", "SA", 5, 0)]


def test_two_sections_of_one_type_never_share_a_question():
    weights = {"a": 1.0}
    sections = [SectionSpec("A", "MCQ", 4, 1, weights), SectionSpec("A2", "MCQ", 4, 1, weights)]
    candidates = {("MCQ", "a"): pool("MCQ", "a", 8)}
    result = assemble(sections, candidates, frozenset(), seed=5)
    first, second = (set(s.question_ids) for s in result.sections)
    assert not first & second and first | second == set(pool("MCQ", "a", 8))
    # one question fewer: the second section is the one reported short, with what was left
    short = assemble(sections, {("MCQ", "a"): pool("MCQ", "a", 7)}, frozenset(), seed=5)
    assert short.shortfalls == [Shortfall("A2", "MCQ", 4, 3)]


def test_uuid_ids_and_duplicated_candidates_are_handled():
    ids = [uuid.uuid4() for _ in range(6)]
    section = SectionSpec("A", "MCQ", 6, 1, {"a": 1.0})
    result = assemble([section], {("MCQ", "a"): ids + ids[:3]}, frozenset(), seed=11)
    assert sorted(result.sections[0].question_ids, key=str) == sorted(ids, key=str)


def test_seed_changes_the_draw():
    section = SectionSpec("A", "MCQ", 5, 1, {"a": 1.0})
    candidates = {("MCQ", "a"): pool("MCQ", "a", 40)}
    draws = {tuple(assemble([section], candidates, frozenset(), seed).sections[0].question_ids) for seed in range(10)}
    assert len(draws) > 1


# --- properties -------------------------------------------------------------------------

UNITS = ("u1", "u2", "u3", "u4", "u5")
TYPES = ("MCQ", "VSA")


@st.composite
def exams(draw, min_pool: int = 0, max_pool: int = 12):
    """Random sections over a few units, a candidate pool per (type, unit) and a seen set."""
    section_count = draw(st.integers(1, 3))
    sections = []
    for position in range(section_count):
        units = draw(st.lists(st.sampled_from(UNITS), min_size=1, max_size=len(UNITS), unique=True))
        weights = {unit: draw(st.integers(1, 10)) / 10 for unit in units}
        sections.append(SectionSpec(f"S{position}", draw(st.sampled_from(TYPES)), draw(st.integers(0, 8)), 1, weights))
    candidates = {
        (kind, unit): pool(kind, unit, draw(st.integers(min_pool, max_pool))) for kind in TYPES for unit in UNITS
    }
    every_id = sorted(qid for ids in candidates.values() for qid in ids)
    seen = draw(st.frozensets(st.sampled_from(every_id))) if every_id else frozenset()
    return sections, candidates, seen


seeds = st.integers(0, 2**63)


@given(exams(), seeds)
def test_filled_sections_have_exact_counts_and_no_duplicates(exam, seed):
    sections, candidates, seen = exam
    result = assemble(sections, candidates, seen, seed)
    if result.ok:
        assert [len(s.question_ids) for s in result.sections] == [s.question_count for s in sections]
        assert [(s.section_name, s.question_type) for s in result.sections] == [
            (s.section_name, s.question_type) for s in sections
        ]
        every = [qid for s in result.sections for qid in s.question_ids]
        assert len(every) == len(set(every))
        for spec, drawn in zip(sections, result.sections, strict=True):
            assert {unit_of(qid) for qid in drawn.question_ids} <= set(spec.unit_weightage)
            assert all(qid.startswith(spec.question_type + "/") for qid in drawn.question_ids)
    else:
        assert result.sections == [] and result.shortfalls


@given(exams(), seeds, st.randoms(use_true_random=False))
def test_same_seed_same_exam_whatever_the_candidate_order(exam, seed, rnd):
    sections, candidates, seen = exam
    shuffled = {}
    for key in rnd.sample(sorted(candidates), len(candidates)):
        ids = list(candidates[key])
        rnd.shuffle(ids)
        shuffled[key] = ids
    assert assemble(sections, candidates, seen, seed) == assemble(sections, shuffled, seen, seed)


@given(exams(min_pool=8), seeds)
def test_ample_pool_gives_the_largest_remainder_split(exam, seed):
    sections, candidates, seen = exam
    sections = sections[:1]  # a single section: nothing drawn earlier
    result = assemble(sections, candidates, seen, seed)
    expected = split_by_weight(sections[0].question_count, sections[0].unit_weightage)
    assert Counter(map(unit_of, result.sections[0].question_ids)) == +Counter(expected)


@st.composite
def one_section_exams(draw):
    units = draw(st.lists(st.sampled_from(UNITS), min_size=1, max_size=len(UNITS), unique=True))
    weights = {unit: draw(st.integers(0, 10)) / 10 for unit in units}
    if not any(weights.values()):
        weights[units[0]] = 1.0
    section = SectionSpec("S", "MCQ", draw(st.integers(0, 20)), 1, weights)
    candidates = {("MCQ", unit): pool("MCQ", unit, draw(st.integers(0, 10))) for unit in UNITS}
    seen = draw(st.frozensets(st.sampled_from(sorted(qid for ids in candidates.values() for qid in ids) or ["x"])))
    return section, candidates, seen


@given(one_section_exams(), seeds)
def test_section_is_filled_exactly_when_its_units_hold_enough(exam, seed):
    section, candidates, seen = exam
    available = sum(len(candidates[("MCQ", unit)]) for unit in section.unit_weightage)
    result = assemble([section], candidates, seen, seed)
    if available >= section.question_count:
        drawn = Counter(map(unit_of, result.sections[0].question_ids))
        assert sum(drawn.values()) == section.question_count
        wanted = split_by_weight(section.question_count, section.unit_weightage)
        for unit in section.unit_weightage:
            has = len(candidates[("MCQ", unit)])
            # a unit gives all it has when short, and never less than its share otherwise
            assert drawn[unit] >= min(wanted[unit], has)
            assert drawn[unit] <= has
    else:
        assert result.shortfalls == [Shortfall("S", "MCQ", section.question_count, available)]


@given(one_section_exams(), seeds)
def test_unseen_questions_come_first_within_each_unit(exam, seed):
    section, candidates, seen = exam
    result = assemble([section], candidates, seen, seed)
    if not result.ok:
        return
    drawn = result.sections[0].question_ids
    for unit in section.unit_weightage:
        from_unit = [qid for qid in drawn if unit_of(qid) == unit]
        unseen_available = [qid for qid in candidates[("MCQ", unit)] if qid not in seen]
        seen_used = [qid for qid in from_unit if qid in seen]
        # a seen question only when the unit's unseen ones ran out
        assert len(seen_used) == max(0, len(from_unit) - len(unseen_available))


@given(one_section_exams(), seeds)
def test_no_seen_question_when_every_unit_has_enough_unseen(exam, seed):
    section, candidates, seen = exam
    wanted = split_by_weight(section.question_count, section.unit_weightage)
    unseen = {unit: [qid for qid in candidates[("MCQ", unit)] if qid not in seen] for unit in section.unit_weightage}
    result = assemble([section], candidates, seen, seed)
    if all(len(unseen[unit]) >= wanted[unit] for unit in section.unit_weightage):
        assert result.ok
        assert not set(result.sections[0].question_ids) & seen
