"""A generated demo question bank for `flask seed-demo`: every chapter of both classes, every
question type, enough for every default template many times over.

Each chapter has one small parametrised problem whose answer is computed, so MCQ keys and
model answers are right; the parameter makes every text unique. Generation is
deterministic, and inserting skips questions already in the bank (the importer's duplicate
rule), so seeding twice adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

import psycopg

from mathvidya.questions import repository, rules
from mathvidya.questions.template_defaults import SYLLABUS_ORDER

PER_CHAPTER = {"MCQ": 40, "VSA": 15, "SA": 12, "LA": 6, "CASE": 5}
MARKS = {"MCQ": 1, "VSA": 2, "SA": 3, "LA": 5, "CASE": 4}
DIFFICULTY_CYCLE = ("easy", "medium", "medium", "hard")
# Step-mark schemes of the written questions, board style (marks add up to the type's marks).
DEMO_SCHEMES = {
    "VSA": [{"step": "Correct method", "marks": 1.5}, {"step": "Correct answer", "marks": 0.5}],
    "SA": [
        {"step": "Sets up the problem", "marks": 1},
        {"step": "Working, step by step", "marks": 1.5},
        {"step": "Correct answer", "marks": 0.5},
    ],
    "LA": [{"step": "Part (a) with reasons", "marks": 2.5}, {"step": "Part (b) with reasons", "marks": 2.5}],
    "CASE": [{"step": "(i)", "marks": 1}, {"step": "(ii)", "marks": 1}, {"step": "(iii)", "marks": 2}],
}
DEMO_TAG = "demo"

Number = int | Fraction
# n → (question stem in LaTeX, answer, how to write an answer in LaTeX)
Problem = tuple[str, Number, Callable[[Number], str]]


def _plain(value: Number) -> str:
    if isinstance(value, Fraction) and value.denominator != 1:
        sign = "-" if value < 0 else ""
        return f"{sign}\\frac{{{abs(value.numerator)}}}{{{value.denominator}}}"
    return str(int(value))


def _pi(value: Number) -> str:
    return f"{_plain(value)}\\pi"


def _units(unit: str) -> Callable[[Number], str]:
    """An answer with its unit, e.g. 12 cm (``unit`` is LaTeX)."""
    return lambda value: f"{_plain(value)}\\ {unit}"


# --- Class XII ---------------------------------------------------------------------------
def _relations(n: int) -> Problem:
    a, b, k = 2 + n % 5, n, 1 + n % 7
    return f"Let $f(x) = {a}x + {b}$ on $\\mathbb{{R}}$. Find $f^{{-1}}({a * k + b})$.", k, _plain


def _inverse_trig(n: int) -> Problem:
    a, b = n + 1, n % 9
    return f"Evaluate $\\tan\\left(\\tan^{{-1}} {a}\\right) + {b}$.", a + b, _plain


def _matrices(n: int) -> Problem:
    a, d = n, n + 3
    stem = f"If $A = \\begin{{pmatrix}} {a} & {n + 1} \\\\ 2 & {d} \\end{{pmatrix}}$, find the trace of $A + A^T$."
    return stem, 2 * (a + d), _plain


def _determinants(n: int) -> Problem:
    a, d = n + 1, n + 2
    return f"Find $\\begin{{vmatrix}} {a} & 2 \\\\ 3 & {d} \\end{{vmatrix}}$.", a * d - 6, _plain


def _continuity(n: int) -> Problem:
    a, k = n + 1, 2 + n % 5
    stem = (
        f"Find $k$ so that $f(x) = \\begin{{cases}} kx & x \\le {a} \\\\ {a * k} & x > {a} \\end{{cases}}$ "
        f"is continuous at $x = {a}$."
    )
    return stem, k, _plain


def _derivatives(n: int) -> Problem:
    a, b = 1 + n % 6, n
    return f"Find the slope of the tangent to $y = x^2 + {b}x$ at $x = {a}$.", 2 * a + b, _plain


def _integrals(n: int) -> Problem:
    a = 1 + n % 5
    return f"Evaluate $\\int_0^{{{a}}} {2 * n}x\\,dx$.", n * a * a, _plain


def _area(n: int) -> Problem:
    a = 1 + n % 4
    stem = f"Find the area bounded by $y = {2 * n}x$, the $x$-axis and the line $x = {a}$."
    return stem, n * a * a, _units("\\text{sq. units}")


def _differential(n: int) -> Problem:
    b = n % 9
    stem = f"If $\\frac{{dy}}{{dx}} = {2 * n}x$ and $y(0) = {b}$, find $y(1)$."
    return stem, n + b, _plain


def _vectors(n: int) -> Problem:
    stem = f"Find $\\vec{{a}} \\cdot \\vec{{b}}$ for $\\vec{{a}} = {n}\\hat{{i}} + 2\\hat{{j}} + 3\\hat{{k}}$ and "
    stem += f"$\\vec{{b}} = \\hat{{i}} + {n + 1}\\hat{{j}} + 2\\hat{{k}}$."
    return stem, n + 2 * (n + 1) + 6, _plain


def _three_d(n: int) -> Problem:
    return f"Find the distance of the point $({n}, {2 * n}, {2 * n})$ from the origin.", 3 * n, _plain


def _linear_programming(n: int) -> Problem:
    p, a = 2 + n % 4, n + 1
    stem = (
        f"The corner points of a feasible region are $(0, 0)$, $({a}, 0)$ and $(0, 2)$. "
        f"Find the maximum of $Z = {p}x + 3y$."
    )
    return stem, max(p * a, 6), _plain


def _probability_xii(n: int) -> Problem:
    m = n + 1
    stem = f"$A$ and $B$ are independent with $P(A) = \\frac{{1}}{{{m}}}$ and $P(B) = \\frac{{1}}{{2}}$. "
    stem += "Find $P(A \\cap B)$."
    return stem, Fraction(1, 2 * m), _plain


# --- Class X -----------------------------------------------------------------------------
def _real_numbers(n: int) -> Problem:
    return f"Find the HCF of ${6 * n}$ and ${4 * n}$.", 2 * n, _plain


def _polynomials(n: int) -> Problem:
    return f"Find the sum of the zeroes of $x^2 - {n + 3}x + {n + 1}$.", n + 3, _plain


def _linear_pair(n: int) -> Problem:
    x, y = n + 2, 1 + n % 5
    return f"Solve $x + y = {x + y}$ and $x - y = {x - y}$ for $x$.", x, _plain


def _quadratic(n: int) -> Problem:
    b, c = n + 2, 1 + n % 4
    return f"Find the discriminant of $x^2 + {b}x + {c} = 0$.", b * b - 4 * c, _plain


def _progressions(n: int) -> Problem:
    return f"Find the 10th term of the AP ${n}, {n + 3}, {n + 6}, \\ldots$", n + 27, _plain


def _triangles(n: int) -> Problem:
    stem = f"The legs of a right triangle are ${3 * n}$ cm and ${4 * n}$ cm. Find its hypotenuse."
    return stem, 5 * n, _units("\\text{cm}")


def _coordinates(n: int) -> Problem:
    return f"Find the distance between $(1, 2)$ and $({1 + 3 * n}, {2 + 4 * n})$.", 5 * n, _plain


def _trigonometry(n: int) -> Problem:
    a, t = n + 1, (7 * n) % 90
    return f"Evaluate ${a}\\sin^2\\theta + {a}\\cos^2\\theta$ for $\\theta = {t}^\\circ$.", a, _plain


def _heights(n: int) -> Problem:
    d = 10 * n
    stem = f"From a point ${d}$ m from the foot of a tower the angle of elevation of its top is $45^\\circ$. "
    stem += "Find its height."
    return stem, d, _units("\\text{m}")


def _circles(n: int) -> Problem:
    stem = f"A point is ${5 * n}$ cm from the centre of a circle of radius ${3 * n}$ cm. Find the tangent's length."
    return stem, 4 * n, _units("\\text{cm}")


def _circle_areas(n: int) -> Problem:
    stem = f"Find the area of a quadrant of a circle of radius ${2 * n}$ cm (in terms of $\\pi$)."
    return stem, n * n, _pi


def _volumes(n: int) -> Problem:
    return f"Find the volume of a cube of edge ${n + 1}$ cm.", (n + 1) ** 3, _units("\\text{cm}^3")


def _statistics(n: int) -> Problem:
    values = ", ".join(str(n + 2 * i) for i in range(5))
    return f"Find the mean of ${values}$.", n + 4, _plain


def _probability_x(n: int) -> Problem:
    stem = f"A bag has ${n}$ red and ${n + 1}$ blue balls. Find the probability that a ball drawn at random is red."
    return stem, Fraction(n, 2 * n + 1), _plain


PROBLEMS: dict[str, dict[str, Callable[[int], Problem]]] = {
    "XII": {
        "Relations and Functions": _relations,
        "Inverse Trigonometric Functions": _inverse_trig,
        "Matrices": _matrices,
        "Determinants": _determinants,
        "Continuity and Differentiability": _continuity,
        "Application of Derivatives": _derivatives,
        "Integrals": _integrals,
        "Application of Integrals": _area,
        "Differential Equations": _differential,
        "Vector Algebra": _vectors,
        "Three Dimensional Geometry": _three_d,
        "Linear Programming": _linear_programming,
        "Probability": _probability_xii,
    },
    "X": {
        "Real Numbers": _real_numbers,
        "Polynomials": _polynomials,
        "Pair of Linear Equations in Two Variables": _linear_pair,
        "Quadratic Equations": _quadratic,
        "Arithmetic Progressions": _progressions,
        "Triangles": _triangles,
        "Coordinate Geometry": _coordinates,
        "Introduction to Trigonometry": _trigonometry,
        "Some Applications of Trigonometry": _heights,
        "Circles": _circles,
        "Areas Related to Circles": _circle_areas,
        "Surface Areas and Volumes": _volumes,
        "Statistics": _statistics,
        "Probability": _probability_x,
    },
}

# Each type draws its parameters from its own range, so no two questions of a chapter repeat.
PARAMETER_BASE = {"MCQ": 1, "VSA": 101, "SA": 201, "LA": 301, "CASE": 401}


def _distractors(answer: Number) -> list[Number]:
    candidates = [answer + 1, answer * 2 if answer not in (0, 1) else answer + 3, answer - 1, answer + 2]
    if isinstance(answer, Fraction) and answer.denominator != 1:
        candidates = [answer * 2, 1 - answer, answer / 2, answer + 1]
    unique = [c for c in dict.fromkeys(candidates) if c != answer]
    return unique[:3]


def _mcq(klass: str, unit: str, problem: Callable[[int], Problem], n: int) -> dict:
    stem, answer, write = problem(PARAMETER_BASE["MCQ"] + n)
    options = [answer, *_distractors(answer)]
    shift = n % 4  # the correct option moves round A–D
    options = options[-shift:] + options[:-shift] if shift else options
    labels = "ABCD"
    correct = labels[options.index(answer)]
    return {
        "class": klass,
        "unit": unit,
        "question_type": "MCQ",
        "marks": 1,
        "question_text": stem,
        "mcq_choices": [
            {"label": label, "text": f"${write(option)}$"} for label, option in zip(labels, options, strict=True)
        ],
        "mcq_correct_choices": [correct],
        "correct_answer_text": f"${write(answer)}$",
        "explanation": f"Working it through gives ${write(answer)}$.",
    }


def _written(klass: str, unit: str, question_type: str, problem: Callable[[int], Problem], n: int) -> dict:
    base = PARAMETER_BASE[question_type] + 3 * n
    parts = {"VSA": 1, "SA": 1, "LA": 2, "CASE": 3}[question_type]
    solved = [problem(base + i) for i in range(parts)]
    if question_type == "VSA":
        text = f"{solved[0][0]} Show your working."
    elif question_type == "SA":
        text = f"{solved[0][0]} Justify each step."
    elif question_type == "LA":
        text = f"(a) {solved[0][0]} (b) {solved[1][0]} Give reasons for each step."
    else:
        text = f"Case study ({unit}). Read the situation and answer: " + " ".join(
            f"({roman}) {stem}" for roman, (stem, _a, _w) in zip(("i", "ii", "iii"), solved, strict=True)
        )
    answers = "; ".join(f"${write(answer)}$" for _stem, answer, write in solved)
    return {
        "class": klass,
        "unit": unit,
        "question_type": question_type,
        "marks": MARKS[question_type],
        "question_text": text,
        "correct_answer_text": answers,
        "explanation": "Model answer: " + answers + ".",
        "marking_scheme": DEMO_SCHEMES[question_type],
    }


def demo_questions(per_chapter: dict[str, int] = PER_CHAPTER) -> list[dict]:
    """The whole generated bank (pure): by default per chapter 40 MCQ, 15 VSA, 12 SA, 6 LA and
    5 CASE; tools/measure_questions.py asks for a bigger one."""
    questions = []
    for klass, chapters in PROBLEMS.items():
        for unit in SYLLABUS_ORDER[klass]:
            problem = chapters[unit]
            for question_type, count in per_chapter.items():
                for n in range(count):
                    if question_type == "MCQ":
                        question = _mcq(klass, unit, problem, n)
                    else:
                        question = _written(klass, unit, question_type, problem, n)
                    question.update(
                        topic=unit,
                        difficulty=DIFFICULTY_CYCLE[n % len(DIFFICULTY_CYCLE)],
                        tags=[DEMO_TAG],
                        question_image_key=None,
                        diagram_image_key=None,
                        mcq_choices=question.get("mcq_choices"),
                        mcq_correct_choices=question.get("mcq_correct_choices"),
                        cbse_year=None,
                    )
                    questions.append(question)
    return questions


def seed_demo_questions(conn: psycopg.Connection) -> list[str]:
    """Insert the demo bank as active questions; questions already present are skipped."""
    questions = demo_questions()
    for question in questions:
        problems = rules.question_problems(question, SYLLABUS_ORDER[question["class"]])
        if problems:  # a generator bug, never a data problem
            raise ValueError(f"demo question breaks the rules: {problems}: {question['question_text']}")
    rows = [{**question, "row_number": index} for index, question in enumerate(questions, start=1)]
    result = repository.insert_questions_skipping_duplicates(
        conn, rows, status="active", created_by=None, approved_by=None
    )
    per_chapter = ", ".join(f"{count} {kind}" for kind, count in PER_CHAPTER.items())
    return [
        f"questions: {result['imported']} added, {len(result['duplicate_rows'])} already present "
        f"({len(questions)} in the demo bank: {per_chapter} per chapter, both classes)"
    ]
