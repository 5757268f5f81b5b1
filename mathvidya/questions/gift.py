"""GIFT (Moodle's plain-text question format): reading and writing (pure).

No maintained GIFT library exists for Python (the PyPI parsers are unmaintained and read
more of GIFT than the bank can hold), so this reads the part the bank uses:

- `$CATEGORY: XII/Integrals` (or `$course$/XII/Integrals`) sets class and unit for what follows;
- questions are separated by blank lines; `//` lines are comments, and a `// mv: …` line in
  a question's block carries its type, marks, difficulty, tags and CBSE year;
- `::title::` is the topic; the text runs to `{`; `{=right ~wrong ~wrong}` is an MCQ (several
  `~%n%` with n > 0 are all correct), `{}` a written question; `####text` inside the braces
  is the explanation; `#feedback` after a choice is dropped.
- Escapes: `\\~ \\= \\# \\{ \\} \\:` are the characters themselves, `\\\\` a backslash,
  `\\n` a line break; any other backslash is kept, so LaTeX such as `\\frac` stays verbatim.

Numbers: an entry's position is the 1-based line where its block starts.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any

from mathvidya.questions import interchange, rules
from mathvidya.questions.interchange import Draft

SPECIALS = "~=#{}:"
# after a backslash, these make an escape; a backslash before them is written doubled
ESCAPE_FOLLOWERS = SPECIALS + "\\n/"
CATEGORY_PREFIX = "$CATEGORY:"
TEXT_FORMATS = ("[html]", "[moodle]", "[plain]", "[markdown]")
MISSING_WORD = "_____"


# ---------------------------------------------------------------------------------------
# Escaping
# ---------------------------------------------------------------------------------------
def escape(text: str) -> str:
    """Text as GIFT writes it: specials and line breaks escaped (CR LF as LF), other backslashes kept."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    out = []
    for position, char in enumerate(text):
        following = text[position + 1] if position + 1 < len(text) else ""
        if char == "\\":
            out.append("\\\\" if following in ESCAPE_FOLLOWERS or not following else "\\")
        elif char in SPECIALS:
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "/" and position == 0:
            out.append("\\/")  # a leading "//" would read as a comment
        else:
            out.append(char)
    return "".join(out)


def unescape(text: str) -> str:
    out = []
    position = 0
    while position < len(text):
        char = text[position]
        following = text[position + 1] if position + 1 < len(text) else ""
        if char == "\\" and following in ESCAPE_FOLLOWERS and following:
            out.append("\n" if following == "n" else following)
            position += 2
        else:
            out.append(char)
            position += 1
    return "".join(out)


def find_unescaped(text: str, target: str, start: int = 0) -> int:
    """Where ``target`` first occurs outside an escape, from ``start``; -1 when it does not."""
    position = start
    while position < len(text):
        if text[position] == "\\":
            position += 2
            continue
        if text.startswith(target, position):
            return position
        position += 1
    return -1


def unescaped_positions(text: str, chars: str) -> list[int]:
    """Where any of ``chars`` occurs outside an escape."""
    positions = []
    position = 0
    while position < len(text):
        if text[position] == "\\":
            position += 2
            continue
        if text[position] in chars:
            positions.append(position)
        position += 1
    return positions


# ---------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------
def read_gift(text: str) -> Iterator[Draft]:
    """Every question block of a GIFT file as a draft (categories applied)."""
    category: tuple[str, str] | None = None
    for block in _blocks(text.split("\n")):
        question_lines: list[tuple[int, str]] = []
        comments: list[str] = []
        for number, line in block:
            stripped = line.strip()
            if stripped.startswith(CATEGORY_PREFIX):
                category = interchange.read_category(stripped[len(CATEGORY_PREFIX) :])
            elif stripped.startswith("//"):
                comments.append(stripped[2:].strip())
                question_lines.append((number, ""))
            else:
                question_lines.append((number, line))
        if not any(line.strip() for _number, line in question_lines):
            continue
        yield _read_question(question_lines, comments, category)


def _blocks(lines: list[str]) -> Iterator[list[tuple[int, str]]]:
    block: list[tuple[int, str]] = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            block.append((number, line))
        elif block:
            yield block
            block = []
    if block:
        yield block


def _read_question(lines: list[tuple[int, str]], comments: list[str], category: tuple[str, str] | None) -> Draft:
    draft = Draft(position=lines[0][0])
    if category is not None:
        draft.described["class"], draft.described["unit"] = category
    for comment in comments:
        if comment.lower().startswith("mv:"):
            interchange.read_mv(comment[3:], draft)
    raw = "\n".join(line for _number, line in lines if line.strip()).strip()
    if raw.startswith("::"):
        end = find_unescaped(raw, "::", 2)
        if end < 0:
            draft.refuse("title", "the ::title:: is not closed")
            return draft
        draft.content["topic"] = unescape(raw[2:end]).strip() or None
        raw = raw[end + 2 :].lstrip()
    for text_format in TEXT_FORMATS:
        if raw.lower().startswith(text_format):
            raw = raw[len(text_format) :]
            break
    opening = find_unescaped(raw, "{")
    if opening < 0:
        draft.refuse("answer", "no answer block: add {=right ~wrong} for an MCQ or {} for a written question")
        return draft
    closing = find_unescaped(raw, "}", opening + 1)
    if closing < 0:
        draft.refuse("answer", "the answer block { … } is not closed")
        return draft
    before, after = unescape(raw[:opening]).strip(), unescape(raw[closing + 1 :]).strip()
    draft.content["question_text"] = f"{before} {MISSING_WORD} {after}".strip() if after else before
    _read_answer(raw[opening + 1 : closing], draft)
    return draft


def _read_answer(answer: str, draft: Draft) -> None:
    feedback_at = find_unescaped(answer, "####")
    if feedback_at >= 0:
        draft.content["explanation"] = unescape(answer[feedback_at + 4 :]).strip() or None
        answer = answer[:feedback_at]
    answer = answer.strip()
    if not answer:
        draft.described.setdefault("question_type", "")
        return
    kind = _unsupported_kind(answer)
    if kind:
        draft.refuse("answer", f"{kind} questions are not imported (only {{=… ~…}} MCQs and {{}} written ones)")
        return
    draft.described.setdefault("question_type", "MCQ")
    choices, correct = _read_choices(answer, draft)
    draft.content["mcq_choices"] = choices
    draft.content["mcq_correct_choices"] = correct


def _unsupported_kind(answer: str) -> str | None:
    if answer.upper() in ("T", "F", "TRUE", "FALSE"):
        return "true/false"
    if answer.startswith("#"):
        return "numerical"
    if find_unescaped(answer, "->") >= 0:
        return "matching"
    if find_unescaped(answer, "~") < 0:
        return "short-answer (only = answers)"
    return None


def _read_choices(answer: str, draft: Draft) -> tuple[list[dict], list[str]]:
    markers = unescaped_positions(answer, "=~")
    if answer[: markers[0]].strip():
        draft.refuse("answer", "text before the first choice: each choice starts with = or ~")
    labels = rules.expected_labels(len(markers)) if len(markers) <= 26 else []
    if not labels:
        draft.refuse("mcq_choices", f"at most {rules.MAX_CHOICES} choices")
        return [], []
    choices, correct = [], []
    for label, start, end in zip(labels, markers, [*markers[1:], len(answer)], strict=True):
        marker, body = answer[start], answer[start + 1 : end]
        weight, body = _read_weight(body, label, draft)
        feedback_at = find_unescaped(body, "#")
        if feedback_at >= 0:
            body = body[:feedback_at]
        choices.append({"label": label, "text": unescape(body).strip()})
        if (weight is None and marker == "=") or (weight is not None and weight > 0):
            correct.append(label)
    return choices, correct


def _read_weight(body: str, label: str, draft: Draft) -> tuple[Decimal | None, str]:
    stripped = body.lstrip()
    if not stripped.startswith("%"):
        return None, body
    end = stripped.find("%", 1)
    weight = interchange.read_number(stripped[1:end]) if end > 0 else None
    if weight is None:
        draft.refuse("mcq_choices", f"choice {label}: its weight must be %number%, e.g. ~%50%")
        return None, body
    return weight, stripped[end + 1 :]


# ---------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------
def write_gift(questions: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    """A GIFT file, one block per question, with a $CATEGORY line whenever class or unit
    changes (export in class/unit order for few of them)."""
    yield "// Mathvidya question bank export (GIFT). `// mv:` lines carry type, marks and metadata.\n\n"
    category = None
    for question in questions:
        here = (question["class"], question["unit"])
        if here != category:
            category = here
            yield f"{CATEGORY_PREFIX} {question['class']}/{question['unit'].replace('/', '//')}\n\n"
        yield write_question(question)


def write_question(question: Mapping[str, Any]) -> str:
    lines = [f"// mv: {interchange.write_mv(question)}"]
    title = f"::{escape(question['topic'])}::" if question.get("topic") else ""
    text = escape(question["question_text"])
    if text.lower().startswith(TEXT_FORMATS):
        text = "[plain]" + text  # a text beginning "[html]" must not lose it as a format marker
    lines.append(f"{title}{text}{{")
    if question["question_type"] == "MCQ":
        correct = list(question.get("mcq_correct_choices") or [])
        weight = interchange.format_number(Decimal(100) / len(correct)) if len(correct) > 1 else None
        for choice in question.get("mcq_choices") or []:
            lines.append(_write_choice(escape(choice["text"]), choice["label"] in correct, weight))
    if question.get("explanation"):
        lines.append(f"####{escape(question['explanation'])}")
    lines.append("}")
    return "\n".join(lines) + "\n\n"


def _write_choice(text: str, correct: bool, weight: str | None) -> str:
    """`=right`, `~wrong`, or `~%50%right` for one of several right ones; an explicit weight
    also when the text itself begins with %."""
    literal_percent = text.startswith("%")
    if correct and weight:
        return f"~%{weight}%{text}"
    if correct:
        return f"=%100%{text}" if literal_percent else f"={text}"
    return f"~%0%{text}" if literal_percent else f"~{text}"


def write_trailer(skipped: list[tuple[Any, str]]) -> str:
    if not skipped:
        return ""
    lines = [f"// {len(skipped)} question(s) left out: GIFT cannot carry them"]
    lines += [f"// {question_id}: {reason}" for question_id, reason in skipped]
    return "\n".join(lines) + "\n"
