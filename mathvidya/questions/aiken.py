"""Aiken (single-answer MCQs in plain text): reading and writing (pure).

    What is $\\int_0^1 2x\\,dx$?
    A. 0
    B. 1
    C) 2
    ANSWER: B

The question is its first line (further lines before the first option are kept as more
text); options are `A.` or `A)` and a space; `ANSWER: <letter>` ends the question. Aiken has
no class, unit or comments: the import's `class` and `unit` fields give them, and every
question is a 1-mark MCQ. An entry's position is the 1-based line of its question text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from mathvidya.questions.interchange import Draft

OPTION_RE = re.compile(r"^([A-Z])[.)]\s+(.*)$")
ANSWER_RE = re.compile(r"^ANSWER\s*:\s*(.*)$", re.IGNORECASE)


def read_aiken(text: str) -> Iterator[Draft]:
    """Every question of an Aiken file as a draft."""
    draft: Draft | None = None
    text_lines: list[str] = []
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if draft is None:
            if stripped:
                draft, text_lines = Draft(position=number, described={"question_type": "MCQ"}), [stripped]
                draft.content["mcq_choices"] = []
            continue
        if not stripped:
            if draft.content["mcq_choices"]:
                yield _unfinished(draft, text_lines, "no ANSWER: line after the options")
                draft = None
            continue
        answer = ANSWER_RE.match(stripped)
        option = OPTION_RE.match(stripped)
        if answer:
            yield _finished(draft, text_lines, answer.group(1).strip())
            draft = None
        elif option:
            draft.content["mcq_choices"].append({"label": option.group(1), "text": option.group(2).strip()})
        elif draft.content["mcq_choices"]:
            draft.refuse("options", f"line {number} is neither an option (A. …) nor the ANSWER: line")
        else:
            text_lines.append(stripped)
    if draft is not None:
        yield _unfinished(draft, text_lines, "the file ends before this question's ANSWER: line")


def _finished(draft: Draft, text_lines: list[str], letter: str) -> Draft:
    draft.content["question_text"] = "\n".join(text_lines)
    if not draft.content["mcq_choices"]:
        draft.refuse("options", "no options (A. …, B. …) before the ANSWER: line")
    if len(letter) != 1 or not letter.isalpha():
        draft.refuse("correct", f"ANSWER: must be one option letter, not {letter!r}")
    else:
        draft.content["mcq_correct_choices"] = [letter.upper()]
    return draft


def _unfinished(draft: Draft, text_lines: list[str], reason: str) -> Draft:
    draft.content["question_text"] = "\n".join(text_lines)
    draft.refuse("correct", reason)
    return draft


def write_aiken(questions: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    """Aiken lines: each text flattened onto one line (Aiken has no line breaks inside a question)."""
    for question in questions:
        lines = [_one_line(question["question_text"])]
        lines += [f"{choice['label']}. {_one_line(choice['text'])}" for choice in question["mcq_choices"]]
        lines.append(f"ANSWER: {question['mcq_correct_choices'][0]}")
        yield "\n".join(lines) + "\n\n"


def _one_line(text: str) -> str:
    return " ".join(text.split())
