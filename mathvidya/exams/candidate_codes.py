"""Candidate codes: how a teacher knows an exam under anonymous marking (pure: no I/O).

A code is ``MV-`` and two groups of four symbols from a 32-symbol alphabet without 0, O, 1
and I, so it can be read aloud or copied by hand without doubt. Symbols are drawn with
``secrets`` (unpredictable: a code says nothing about the student, the exam or the time).
8 symbols give 2**40 codes; the database's unique index is the guarantee and an insert that
meets a taken code draws again (exams/service.py), so a collision costs one more draw,
never a wrong code. The migration's SQL default draws codes of the same shape.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
PREFIX = "MV"
GROUPS = 2
GROUP_LENGTH = 4
CODE_RE = re.compile(rf"^{PREFIX}(-[{ALPHABET}]{{{GROUP_LENGTH}}}){{{GROUPS}}}$")


def new_candidate_code(choose: Callable[[str], str] = secrets.choice) -> str:
    """A fresh code such as ``MV-7K3Q-92FD``; ``choose`` picks one symbol (tests pass their own)."""
    groups = ["".join(choose(ALPHABET) for _ in range(GROUP_LENGTH)) for _ in range(GROUPS)]
    return "-".join([PREFIX, *groups])


def is_candidate_code(text: object) -> bool:
    return isinstance(text, str) and CODE_RE.match(text) is not None
