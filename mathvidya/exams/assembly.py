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
   unseen questions first, then seen ones. With a ``preference`` (adaptive practice: a
   band per question, lower is better) each part is then ordered by band, the shuffle
   deciding only inside a band.
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
7. Internal choice: a section with ``internal_choice_count`` k needs count + k distinct
   questions. The count places are drawn exactly as without choices (same units, same
   questions), so the paper's unit split never depends on k. Each of the k choice
   questions then gets a second alternative (b) from the same unit as its first (a):
   the units that host a choice are apportioned by weight (largest remainder) among units
   with a place and a spare candidate, spare unseen ones first. Only when no unit can pair
   within itself is (b) taken from another unit's spare. The paper lists the plain
   questions first and the choice questions last (both unit by unit), so the last k
   question numbers are the choice questions.
"""

from __future__ import annotations

import random
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from math import floor

QuestionId = Hashable
UNRANKED = 1 << 30  # a question the preference does not rank comes after every ranked one
CandidatePool = Mapping[tuple[str, str], Sequence[QuestionId]]


@dataclass(frozen=True)
class SectionSpec:
    """One section of a template: how many questions of one type, spread over units by weight;
    the last ``internal_choice_count`` of them offer two alternatives each."""

    section_name: str
    question_type: str
    question_count: int
    marks_per_question: int | Decimal
    unit_weightage: Mapping[str, float]
    internal_choice_count: int = 0

    @property
    def questions_needed(self) -> int:
        """Distinct questions the section draws: one per question, two per choice question."""
        return self.question_count + self.internal_choice_count


@dataclass(frozen=True)
class AssembledSection:
    """The questions drawn for a section: ``question_ids`` has one id per question number in
    paper order (alternative (a) for a choice question); ``choice_alternatives`` holds the
    (b) alternatives of the last ``len(choice_alternatives)`` questions, in the same order."""

    section_name: str
    question_type: str
    marks_per_question: int | Decimal
    question_ids: list[QuestionId]
    choice_alternatives: list[QuestionId] = field(default_factory=list)

    @property
    def drawn_ids(self) -> list[QuestionId]:
        """Every question the section uses, alternatives included."""
        return [*self.question_ids, *self.choice_alternatives]

    def alternatives_of(self, position: int) -> tuple[QuestionId, ...]:
        """The alternatives of the question at ``position`` (0-based): one id, or (a, b)."""
        first_choice = len(self.question_ids) - len(self.choice_alternatives)
        if position < first_choice:
            return (self.question_ids[position],)
        return (self.question_ids[position], self.choice_alternatives[position - first_choice])


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
    preference: Mapping[QuestionId, int] | None = None,
) -> AssemblyResult:
    """Draw every section of an exam deterministically from ``seed`` (see the module rules)."""
    used: set[QuestionId] = set()
    assembled: list[AssembledSection] = []
    shortfalls: list[Shortfall] = []
    for position, section in enumerate(sections):
        _check_choice_count(section)
        rng = random.Random(f"mathvidya-exam:{seed}:{position}")
        draw_orders = _draw_orders(section, candidates, recently_seen, used, rng, preference or {})
        available = sum(len(order.unseen) + len(order.seen) for order in draw_orders.values())
        if available < section.questions_needed:
            shortfalls.append(
                Shortfall(section.section_name, section.question_type, section.questions_needed, available)
            )
            continue
        places = _places_per_unit(section, draw_orders)
        drawn = _with_choices(section, draw_orders, places)
        used.update(drawn.drawn_ids)
        assembled.append(drawn)
    if shortfalls:
        return AssemblyResult(shortfalls=shortfalls)
    return AssemblyResult(sections=assembled)


def _check_choice_count(section: SectionSpec) -> None:
    choices = section.internal_choice_count
    if not 0 <= choices <= section.question_count:
        raise ValueError(f"internal_choice_count must be 0 to {section.question_count}, not {choices}")
    if choices and section.question_type == "MCQ":
        raise ValueError("MCQ sections have no internal choice")


def _with_choices(
    section: SectionSpec, orders: Mapping[str, _DrawOrder], places: Mapping[str, int]
) -> AssembledSection:
    """The section's paper: plain questions, then choice questions (a) paired with their (b)."""
    hosts = _choice_hosts(section, orders, places)
    plain: dict[str, list[QuestionId]] = {}
    pairs: list[tuple[QuestionId, QuestionId]] = []
    for unit in section.unit_weightage:
        taken = orders[unit].take(places[unit] + hosts[unit])
        firsts, seconds = taken[: places[unit]], taken[places[unit] :]
        kept = len(firsts) - len(seconds)
        plain[unit] = firsts[:kept]
        pairs.extend(zip(firsts[kept:], seconds, strict=True))
    pairs.extend(_cross_unit_pairs(section, orders, places, hosts, plain))
    plain_ids = [qid for unit in section.unit_weightage for qid in plain[unit]]
    return AssembledSection(
        section.section_name,
        section.question_type,
        section.marks_per_question,
        [*plain_ids, *(a for a, _ in pairs)],
        [b for _, b in pairs],
    )


def _choice_hosts(section: SectionSpec, orders: Mapping[str, _DrawOrder], places: Mapping[str, int]) -> dict[str, int]:
    """How many choice questions each unit pairs within itself (by weight, capped by its
    places and its spare candidates; spare unseen questions first)."""
    hosts = dict.fromkeys(orders, 0)
    missing = section.internal_choice_count
    for spare_of in (_spare_unseen, _spare_any):
        if missing == 0:
            break
        room = {
            unit: min(places[unit] - hosts[unit], spare_of(orders[unit], places[unit] + hosts[unit])) for unit in orders
        }
        lent = _lend(missing, room, section.unit_weightage)
        for unit, extra in lent.items():
            hosts[unit] += extra
        missing -= sum(lent.values())
    return hosts


def _cross_unit_pairs(
    section: SectionSpec,
    orders: Mapping[str, _DrawOrder],
    places: Mapping[str, int],
    hosts: Mapping[str, int],
    plain: dict[str, list[QuestionId]],
) -> list[tuple[QuestionId, QuestionId]]:
    """Choice questions no unit could pair within itself: (a) is a plain question (the last
    drawn of each unit, units by name), (b) a spare question of another unit. Moves those
    (a)s out of ``plain``; nothing here depends on the order ``unit_weightage`` names units."""
    missing = section.internal_choice_count - sum(hosts.values())
    if missing == 0:
        return []
    used = {unit: places[unit] + hosts[unit] for unit in orders}
    seconds: list[QuestionId] = []
    for spare_of in (_spare_unseen, _spare_any):
        if len(seconds) == missing:
            break
        room = {unit: spare_of(orders[unit], used[unit]) for unit in orders}
        for unit, extra in sorted(_lend(missing - len(seconds), room, section.unit_weightage).items()):
            seconds.extend(orders[unit].take(used[unit] + extra)[used[unit] :])
            used[unit] += extra
    firsts: list[QuestionId] = []
    for unit in sorted(plain):
        while plain[unit] and len(firsts) < missing:
            firsts.append(plain[unit].pop())
    return list(zip(firsts, seconds, strict=True))


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
    preference: Mapping[QuestionId, int],
) -> dict[str, _DrawOrder]:
    """Each unit's draw order, units taken alphabetically (so the order of ``unit_weightage``
    never changes what is drawn); an id listed under two units counts for the first only.
    A preference orders each shuffled part by band (a stable sort keeps the shuffle inside one)."""
    claimed = set(used)
    orders: dict[str, _DrawOrder] = {}
    for unit in sorted(section.unit_weightage):
        pool = sorted(set(candidates.get((section.question_type, unit), ())) - claimed, key=_sort_key)
        claimed.update(pool)
        unseen = [qid for qid in pool if qid not in recently_seen]
        seen = [qid for qid in pool if qid in recently_seen]
        rng.shuffle(unseen)
        rng.shuffle(seen)
        if preference:
            unseen.sort(key=lambda qid: preference.get(qid, UNRANKED))
            seen.sort(key=lambda qid: preference.get(qid, UNRANKED))
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
