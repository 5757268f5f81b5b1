"""The leaderboard rule (pure, no I/O): average percentage, competition ranking with ties
sharing a rank (1, 1, 3), a stable order inside a tie, and the digest a refresh records.

The order inside a tie is: more evaluated exams first, then the student id. It never
depends on insertion order or timing, so the same inputs always give the same ranking and
the same digest — which is what lets a recorded refresh be recomputed and checked.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from uuid import UUID

RULE_VERSION = "leaderboard-v1"
TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class Standing:
    """One eligible student's evaluated exams, summed: the rule's whole input per student."""

    student_user_id: UUID
    percentage_sum: Decimal
    total_exams: int


@dataclass(frozen=True)
class RankedEntry:
    position: int
    rank: int
    student_user_id: UUID
    avg_percentage: Decimal
    total_exams: int


def average_percentage(percentage_sum: Decimal, total_exams: int) -> Decimal:
    """Mean percentage rounded half up to 2 decimals (the figure shown and ranked on)."""
    if total_exams <= 0:
        raise ValueError("a ranked student has at least one evaluated exam")
    return (Decimal(percentage_sum) / total_exams).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def rank_standings(standings: Iterable[Standing]) -> list[RankedEntry]:
    """Highest average first. Equal (rounded) averages share the rank of the first of them
    and the next distinct average skips as many places (1, 1, 3)."""
    scored = [
        (average_percentage(s.percentage_sum, s.total_exams), s.total_exams, s.student_user_id) for s in standings
    ]
    scored.sort(key=lambda item: (-item[0], -item[1], str(item[2])))
    ranked: list[RankedEntry] = []
    rank = 0
    previous: Decimal | None = None
    for position, (average, total_exams, student_user_id) in enumerate(scored, start=1):
        if average != previous:
            rank, previous = position, average
        ranked.append(RankedEntry(position, rank, student_user_id, average, total_exams))
    return ranked


def canonical_lines(entries: Sequence[RankedEntry]) -> Iterable[str]:
    for entry in entries:
        yield f"{entry.position}|{entry.rank}|{entry.student_user_id}|{entry.avg_percentage:.2f}|{entry.total_exams}\n"


def ranking_digest(entries: Sequence[RankedEntry]) -> str:
    """SHA-256 (hex) of the canonical ranking: one line per entry, in position order."""
    digest = hashlib.sha256()
    for line in canonical_lines(entries):
        digest.update(line.encode("ascii"))
    return digest.hexdigest()


def display_name(first_name: str, last_name: str, as_initials: bool) -> str:
    """Full name, or initials only ("M. S.") for students who chose not to be shown by name."""
    if not as_initials:
        return f"{first_name} {last_name}".strip()
    initials = [part.strip()[0].upper() + "." for part in (first_name, last_name) if part and part.strip()]
    return " ".join(initials) or "—"
