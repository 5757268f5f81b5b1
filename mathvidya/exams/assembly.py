"""Exam generation from a template (docs/exams.md) — pure: the caller reads the candidates.

The caller samples, per (question type, unit), a bounded list of ACTIVE question ids with
an indexed query (e.g. up to 4× what the split asks for), so the cost here depends only on
those lists, never on the size of the bank.

Rules, per section in template order:

1. The section's count is split over its units by weight (``split_by_weight``, largest
   remainder).
2. Each unit's candidates are de-duplicated, sorted (so input order does not matter), split
   into unseen and recently seen, and each part shuffled with the section's own
   ``random.Random`` (seeded from the exam seed and the section's position); a unit draws
   unseen questions first, then seen ones.
3. Places a unit cannot fill are lent to the section's other units (any key of its
   ``unit_weightage``, weight 0 included) that still have spare candidates: the missing
   places are re-apportioned by largest remainder over those units' weights, each capped at
   its spare, repeating until placed. Spare unseen questions are lent first, then spare
   seen ones; units of weight 0 take places only when no weighted unit has spare left.
4. The paper lists a section's questions unit by unit in the order ``unit_weightage`` names
   them (pass the syllabus order); which questions are drawn never depends on that order.
5. No question appears twice in an exam: a question drawn by an earlier section is not
   available to later ones (sections draw in template order).
6. A section whose available candidates are fewer than its count is a ``Shortfall``; every
   section is checked, so all shortfalls are reported together, and no section is returned
   then.
"""

from __future__ import annotations

import random
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from math import floor

QuestionId = Hashable
CandidatePool = Mapping[tuple[str, str], Sequence[QuestionId]]


@dataclass(frozen=True)
class SectionSpec:
    """One section of a template: how many questions of one type, spread over units by weight."""

    section_name: str
    question_type: str
    question_count: int
    marks_per_question: int | Decimal
    unit_weightage: Mapping[str, float]


@dataclass(frozen=True)
class AssembledSection:
    """The questions drawn for a section, unit by unit in the order ``unit_weightage`` names them."""

    section_name: str
    question_type: str
    marks_per_question: int | Decimal
    question_ids: list[QuestionId]


@dataclass(frozen=True)
class Shortfall:
    """A section that cannot be filled: the details of INSUFFICIENT_QUESTIONS."""

    section_name: str
    question_type: str
    needed: int
    available: int


@dataclass(frozen=True)
class AssemblyResult:
    """Either every section filled (``sections``) or why not (``shortfalls``), never both."""

    sections: list[AssembledSection] = field(default_factory=list)
    shortfalls: list[Shortfall] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.shortfalls


def split_by_weight(count: int, weights: Mapping[str, float | int | Decimal]) -> dict[str, int]:
    """``count`` places over units in proportion to their weights (largest remainder, Hamilton).

    Weights are read by their decimal text (0.1 is exactly a tenth) and need not sum to 1.
    Each unit gets the floor of its quota; the places left go one each to the largest
    remainders, ties to the larger weight, then to the unit name in alphabetical order. The
    result sums exactly to ``count`` and names every unit (0 included).
    """
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ValueError(f"count must be a whole number of at least 0, not {count!r}")
    exact = {unit: _exact_weight(weight) for unit, weight in weights.items()}
    total = sum(exact.values(), Fraction(0))
    if count == 0:
        return dict.fromkeys(exact, 0)
    if total == 0:
        raise ValueError("cannot split places over units whose weights are all 0 (or none)")
    quotas = {unit: count * weight / total for unit, weight in exact.items()}
    places = {unit: floor(quota) for unit, quota in quotas.items()}
    left_over = count - sum(places.values())
    by_remainder = sorted(exact, key=lambda unit: (-(quotas[unit] - places[unit]), -exact[unit], unit))
    for unit in by_remainder[:left_over]:
        places[unit] += 1
    return places


def assemble(
    sections: Sequence[SectionSpec],
    candidates: CandidatePool,
    recently_seen: frozenset[QuestionId],
    seed: int,
) -> AssemblyResult:
    """Draw every section of an exam deterministically from ``seed`` (see the module rules)."""
    used: set[QuestionId] = set()
    assembled: list[AssembledSection] = []
    shortfalls: list[Shortfall] = []
    for position, section in enumerate(sections):
        rng = random.Random(f"mathvidya-exam:{seed}:{position}")
        draw_orders = _draw_orders(section, candidates, recently_seen, used, rng)
        available = sum(len(order.unseen) + len(order.seen) for order in draw_orders.values())
        if available < section.question_count:
            shortfalls.append(Shortfall(section.section_name, section.question_type, section.question_count, available))
            continue
        places = _places_per_unit(section, draw_orders)
        question_ids = [qid for unit in section.unit_weightage for qid in draw_orders[unit].take(places[unit])]
        used.update(question_ids)
        assembled.append(
            AssembledSection(section.section_name, section.question_type, section.marks_per_question, question_ids)
        )
    if shortfalls:
        return AssemblyResult(shortfalls=shortfalls)
    return AssemblyResult(sections=assembled)


@dataclass(frozen=True)
class _DrawOrder:
    """One unit's candidates in the order they are drawn: shuffled unseen, then shuffled seen."""

    unseen: tuple[QuestionId, ...]
    seen: tuple[QuestionId, ...]

    def take(self, count: int) -> list[QuestionId]:
        return list((self.unseen + self.seen)[:count])


def _draw_orders(
    section: SectionSpec,
    candidates: CandidatePool,
    recently_seen: frozenset[QuestionId],
    used: set[QuestionId],
    rng: random.Random,
) -> dict[str, _DrawOrder]:
    """Each unit's draw order, units taken alphabetically (so the order of ``unit_weightage``
    never changes what is drawn); an id listed under two units counts for the first only."""
    claimed = set(used)
    orders: dict[str, _DrawOrder] = {}
    for unit in sorted(section.unit_weightage):
        pool = sorted(set(candidates.get((section.question_type, unit), ())) - claimed, key=_sort_key)
        claimed.update(pool)
        unseen = [qid for qid in pool if qid not in recently_seen]
        seen = [qid for qid in pool if qid in recently_seen]
        rng.shuffle(unseen)
        rng.shuffle(seen)
        orders[unit] = _DrawOrder(tuple(unseen), tuple(seen))
    return orders


def _places_per_unit(section: SectionSpec, orders: Mapping[str, _DrawOrder]) -> dict[str, int]:
    """The weighted split, with places a unit cannot fill lent to units with spare candidates."""
    wanted = split_by_weight(section.question_count, section.unit_weightage)
    places = {unit: min(wanted[unit], len(orders[unit].unseen) + len(orders[unit].seen)) for unit in orders}
    missing = section.question_count - sum(places.values())
    for spare_of in (_spare_unseen, _spare_any):
        if missing == 0:
            break
        lent = _lend(missing, {unit: spare_of(orders[unit], places[unit]) for unit in orders}, section.unit_weightage)
        for unit, extra in lent.items():
            places[unit] += extra
        missing -= sum(lent.values())
    return places


def _spare_unseen(order: _DrawOrder, taken: int) -> int:
    return max(0, len(order.unseen) - taken)


def _spare_any(order: _DrawOrder, taken: int) -> int:
    return len(order.unseen) + len(order.seen) - taken


def _lend(missing: int, spare: Mapping[str, int], weights: Mapping[str, float]) -> dict[str, int]:
    """Up to ``missing`` places over units with spare, by largest remainder of their weights, capped.

    Each round re-splits what is still missing over the units with spare left (weighted units
    first; weight-0 units, counted equally, only once no weighted unit has spare), so each
    round either places everything or exhausts at least one unit.
    """
    lent = dict.fromkeys(spare, 0)
    while missing > 0:
        open_units = [unit for unit in sorted(spare) if spare[unit] > lent[unit]]
        if not open_units:
            break
        weighted = [unit for unit in open_units if _exact_weight(weights[unit]) > 0]
        round_weights = {unit: weights[unit] for unit in weighted} if weighted else dict.fromkeys(open_units, 1)
        for unit, share in split_by_weight(missing, round_weights).items():
            given = min(share, spare[unit] - lent[unit])
            lent[unit] += given
            missing -= given
    return lent


def _exact_weight(weight: float | int | Decimal) -> Fraction:
    if isinstance(weight, bool) or not isinstance(weight, int | float | Decimal):
        raise ValueError(f"a unit weight must be a number, not {weight!r}")
    decimal = weight if isinstance(weight, Decimal) else Decimal(str(weight))
    if not decimal.is_finite() or decimal < 0:
        raise ValueError(f"a unit weight must be a finite number of at least 0, not {weight!r}")
    return Fraction(decimal)


def _sort_key(question_id: QuestionId) -> tuple[str, str]:
    """Ids may be str or UUID (or a mix): sort by type name then text, a total order either way."""
    return type(question_id).__name__, str(question_id)
