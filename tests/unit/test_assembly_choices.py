"""Internal choice in exam assembly: the last k questions of a section carry a second,
distinct alternative of the same type (same unit when the bank allows), the paper's unit
split is the one without choices, and the draw stays deterministic."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mathvidya.exams.assembly import SectionSpec, Shortfall, assemble, split_by_weight
from mathvidya.questions.template_defaults import BOARD_CHOICES, chapter_weights
from tests.unit.test_assembly import UNITS, pool, seeds, unit_of


def _without_choices(section: SectionSpec) -> SectionSpec:
    return SectionSpec(
        section.section_name,
        section.question_type,
        section.question_count,
        section.marks_per_question,
        section.unit_weightage,
    )


def test_the_board_paper_with_its_choices():
    weights = chapter_weights("XII")
    choices = BOARD_CHOICES["XII"]
    sections = [
        SectionSpec("Section A", "MCQ", 20, 1, weights),
        SectionSpec("Section B", "VSA", 5, 2, weights, choices["Section B"]),
        SectionSpec("Section C", "SA", 6, 3, weights, choices["Section C"]),
        SectionSpec("Section D", "LA", 4, 5, weights, choices["Section D"]),
        SectionSpec("Section E", "CASE", 3, 4, weights, choices["Section E"]),
    ]
    candidates = {(kind, unit): pool(kind, unit, 8) for kind in ("MCQ", "VSA", "SA", "LA", "CASE") for unit in weights}
    result = assemble(sections, candidates, frozenset(), seed=7)
    assert result.ok
    assert [len(s.question_ids) for s in result.sections] == [20, 5, 6, 4, 3]
    assert [len(s.choice_alternatives) for s in result.sections] == [0, 2, 3, 2, 3]
    every = [qid for s in result.sections for qid in s.drawn_ids]
    assert len(every) == len(set(every)) == 38 + 10
    for drawn in result.sections[1:]:
        k = len(drawn.choice_alternatives)
        for position in range(len(drawn.question_ids)):
            alternatives = drawn.alternatives_of(position)
            assert len(alternatives) == (2 if position >= len(drawn.question_ids) - k else 1)
            # an ample bank: both alternatives of a choice question come from one unit
            assert len({unit_of(qid) for qid in alternatives}) == 1
            assert all(qid.startswith(drawn.question_type + "/") for qid in alternatives)
    # the same questions, in the same places, as the paper without choices
    plain = assemble([_without_choices(s) for s in sections], candidates, frozenset(), seed=7)
    for with_choice, without in zip(result.sections, plain.sections, strict=True):
        assert Counter(map(unit_of, with_choice.question_ids)) == Counter(map(unit_of, without.question_ids))


def test_a_choice_section_needs_count_plus_choices_questions():
    section = SectionSpec("C", "SA", 3, 3, {"u1": 1.0}, internal_choice_count=2)
    short = assemble([section], {("SA", "u1"): pool("SA", "u1", 4)}, frozenset(), seed=1)
    assert short.shortfalls == [Shortfall("C", "SA", 5, 4)]
    enough = assemble([section], {("SA", "u1"): pool("SA", "u1", 5)}, frozenset(), seed=1)
    assert enough.ok and len(set(enough.sections[0].drawn_ids)) == 5


def test_alternatives_pair_across_units_only_when_no_unit_can_pair_within_itself():
    # u1 and u2 hold exactly their one place each; only u3 (weight 0) has spare questions.
    section = SectionSpec("B", "VSA", 2, 2, {"u1": 0.5, "u2": 0.5, "u3": 0}, internal_choice_count=1)
    candidates = {("VSA", "u1"): pool("VSA", "u1", 1), ("VSA", "u2"): pool("VSA", "u2", 1)}
    candidates[("VSA", "u3")] = pool("VSA", "u3", 3)
    drawn = assemble([section], candidates, frozenset(), seed=3).sections[0]
    assert Counter(map(unit_of, drawn.question_ids)) == {"u1": 1, "u2": 1}
    assert [unit_of(qid) for qid in drawn.choice_alternatives] == ["u3"]


def test_the_second_alternative_prefers_unseen_questions():
    section = SectionSpec("B", "VSA", 1, 2, {"u1": 1.0}, internal_choice_count=1)
    candidates = {("VSA", "u1"): pool("VSA", "u1", 4)}
    seen = frozenset(pool("VSA", "u1", 2))
    for seed in range(20):
        drawn = assemble([section], candidates, seen, seed).sections[0]
        assert not set(drawn.drawn_ids) & seen


@pytest.mark.parametrize(("question_type", "choices"), [("MCQ", 1), ("VSA", 3), ("VSA", -1)])
def test_impossible_choice_counts_are_refused(question_type, choices):
    section = SectionSpec("S", question_type, 2, 1, {"u1": 1.0}, internal_choice_count=choices)
    with pytest.raises(ValueError):
        assemble([section], {(question_type, "u1"): pool(question_type, "u1", 9)}, frozenset(), seed=1)


@st.composite
def choice_exams(draw):
    """One to three VSA sections with choices over a few units, and candidate pools."""
    sections = []
    for position in range(draw(st.integers(1, 3))):
        units = draw(st.lists(st.sampled_from(UNITS), min_size=1, max_size=len(UNITS), unique=True))
        weights = {unit: draw(st.integers(1, 10)) / 10 for unit in units}
        count = draw(st.integers(0, 6))
        sections.append(SectionSpec(f"S{position}", "VSA", count, 2, weights, draw(st.integers(0, count))))
    candidates = {("VSA", unit): pool("VSA", unit, draw(st.integers(0, 12))) for unit in UNITS}
    every_id = sorted(qid for ids in candidates.values() for qid in ids)
    seen = draw(st.frozensets(st.sampled_from(every_id))) if every_id else frozenset()
    return sections, candidates, seen


@given(choice_exams(), seeds)
def test_choices_never_repeat_a_question_and_keep_the_split_of_the_paper(exam, seed):
    sections, candidates, seen = exam
    result = assemble(sections, candidates, seen, seed)
    if not result.ok:
        assert result.sections == []
        return
    every = [qid for s in result.sections for qid in s.drawn_ids]
    assert len(every) == len(set(every)) == sum(s.questions_needed for s in sections)
    for spec, drawn in zip(sections, result.sections, strict=True):
        assert len(drawn.question_ids) == spec.question_count
        assert len(drawn.choice_alternatives) == spec.internal_choice_count
        assert {unit_of(qid) for qid in drawn.drawn_ids} <= set(spec.unit_weightage)
    if len(sections) == 1 and all(len(candidates[("VSA", u)]) >= 12 for u in sections[0].unit_weightage):
        wanted = split_by_weight(sections[0].question_count, sections[0].unit_weightage)
        assert Counter(map(unit_of, result.sections[0].question_ids)) == +Counter(wanted)


@given(choice_exams(), seeds)
def test_choices_are_deterministic_and_leave_the_plain_draw_unchanged(exam, seed):
    sections, candidates, seen = exam
    result = assemble(sections, candidates, seen, seed)
    assert result == assemble(sections, candidates, seen, seed)
    if len(sections) == 1 and result.ok:
        plain = assemble([_without_choices(sections[0])], candidates, seen, seed)
        assert set(result.sections[0].question_ids) == set(plain.sections[0].question_ids)


@given(choice_exams(), seeds, st.randoms(use_true_random=False))
def test_which_questions_pair_never_depends_on_the_order_units_are_named(exam, seed, rnd):
    sections, candidates, seen = exam
    reordered = [
        SectionSpec(
            s.section_name,
            s.question_type,
            s.question_count,
            s.marks_per_question,
            dict(rnd.sample(sorted(s.unit_weightage.items()), len(s.unit_weightage))),
            s.internal_choice_count,
        )
        for s in sections
    ]
    first, second = assemble(sections, candidates, seen, seed), assemble(reordered, candidates, seen, seed)
    for one, other in zip(first.sections, second.sections, strict=True):
        pairs = {one.alternatives_of(i) for i in range(len(one.question_ids))}
        assert pairs == {other.alternatives_of(i) for i in range(len(other.question_ids))}
