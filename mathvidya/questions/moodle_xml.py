"""Moodle XML (`<quiz>` of `<question>`s): reading and writing (pure).

Read with defusedxml: a file with a DTD, entity declarations or external references is
refused whole (an "XML bomb" cannot expand). Read: `category` (`$course$/<class>/<unit>`
sets class and unit for what follows), `multichoice` (answers with fraction > 0 are
correct) and `essay` (`graderinfo` is the model answer). `name` is the topic,
`generalfeedback` the explanation, `defaultgrade` the marks, tags are tags — except
`mv:type=SA`, `mv:difficulty=hard` and `mv:cbse_year=2023`, which carry those fields. An
essay's type is its `mv:type` tag, else the import's `question_type`, else the one its
marks name (2 VSA, 3 SA, 4 CASE, 5 or 6 LA). A `<markingscheme>` of `<step marks="1">`
elements (our extension; Moodle ignores it) is the step-mark scheme. Positions are the
1-based index of a question among the file's questions (category entries not counted).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any
from xml.etree.ElementTree import Element, ParseError, SubElement, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from mathvidya.questions import interchange, rules
from mathvidya.questions.interchange import Draft, FileRefused

TYPE_BY_MARKS = {Decimal(2): "VSA", Decimal(3): "SA", Decimal(4): "CASE", Decimal(5): "LA", Decimal(6): "LA"}
MV_TAG = "mv:"


def parse(data: bytes) -> Element:
    """The `<quiz>` element; refuses DTDs, entities, external references and broken XML."""
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise FileRefused("XML with a DTD, entity declarations or external references is refused") from None
    except ParseError as exc:
        line = getattr(exc, "position", (None,))[0]
        raise FileRefused(f"is not well-formed XML (line {line})") from None
    if root.tag != "quiz":
        raise FileRefused(f"a Moodle XML file's root element is <quiz>, not <{root.tag}>")
    return root


def read_moodle_xml(data: bytes, defaults: Mapping[str, Any]) -> Iterator[Draft]:
    """Every question of a Moodle XML file as a draft (categories applied)."""
    root = parse(data)
    category: tuple[str, str] | None = None
    index = 0
    for element in root.iter("question"):
        kind = element.get("type", "")
        if kind == "category":
            category = interchange.read_category(_text(element, "category"))
            continue
        index += 1
        draft = Draft(position=index)
        if category is not None:
            draft.described["class"], draft.described["unit"] = category
        if kind == "multichoice":
            _read_multichoice(element, draft)
        elif kind == "essay":
            _read_essay(element, draft, defaults)
        else:
            draft.refuse("type", f"type {kind!r} is not imported (only multichoice and essay)")
        yield draft


def _text(element: Element, path: str) -> str:
    found = element.find(path)
    if found is None:
        return ""
    inner = found.find("text")
    return ((inner.text if inner is not None else found.text) or "").strip()


def _read_common(element: Element, draft: Draft) -> None:
    draft.content["topic"] = _text(element, "name") or None
    draft.content["question_text"] = _text(element, "questiontext")
    draft.content["explanation"] = _text(element, "generalfeedback") or None
    grade = (element.findtext("defaultgrade") or "").strip()
    if grade:
        draft.described["marks"] = grade
    tags, metadata = [], []
    for tag in element.findall("tags/tag"):
        value = (tag.findtext("text") or "").strip()
        (metadata if value.lower().startswith(MV_TAG) else tags).append(value)
    draft.content["tags"] = tags
    for value in metadata:
        interchange.read_mv(value[len(MV_TAG) :], draft)


def _read_multichoice(element: Element, draft: Draft) -> None:
    _read_common(element, draft)
    draft.described["question_type"] = "MCQ"
    answers = element.findall("answer")
    labels = rules.expected_labels(len(answers)) if len(answers) <= 26 else []
    if not labels:
        draft.refuse("mcq_choices", f"at most {rules.MAX_CHOICES} answers")
        return
    choices, correct = [], []
    for label, answer in zip(labels, answers, strict=True):
        fraction = interchange.read_number(answer.get("fraction", "0"))
        if fraction is None:
            draft.refuse("mcq_choices", f"answer {label}: fraction must be a number")
            continue
        choices.append({"label": label, "text": (answer.findtext("text") or "").strip()})
        if fraction > 0:
            correct.append(label)
    draft.content["mcq_choices"], draft.content["mcq_correct_choices"] = choices, correct


def _read_essay(element: Element, draft: Draft, defaults: Mapping[str, Any]) -> None:
    _read_common(element, draft)
    draft.content["correct_answer_text"] = _text(element, "graderinfo") or None
    if "question_type" not in draft.described and not defaults.get("question_type"):
        marks = interchange.read_number(draft.described.get("marks", "") or str(defaults.get("marks") or ""))
        draft.described["question_type"] = TYPE_BY_MARKS.get(marks, "") if marks is not None else ""
        if not draft.described["question_type"]:
            draft.refuse(
                "question_type",
                "an essay's type comes from an mv:type=… tag, the question_type field, or its marks "
                "(defaultgrade 2 VSA, 3 SA, 4 CASE, 5 or 6 LA)",
            )
    steps = element.findall("markingscheme/step")
    scheme = []
    for number, step in enumerate(steps, start=1):
        marks = interchange.read_number(step.get("marks", ""))
        if marks is None:
            draft.refuse("marking_scheme", f"step {number}: marks must be a number")
            continue
        scheme.append({"step": (step.findtext("text") or "").strip(), "marks": _plain(marks)})
    draft.content["marking_scheme"] = scheme or None


def _plain(amount: Decimal) -> int | float:
    return int(amount) if amount == amount.to_integral_value() else float(amount)


# ---------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------
def write_moodle_xml(questions: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    """The opening of a `<quiz>` and one `<question>` per question, with a category entry
    whenever class or unit changes; the caller ends it with ``write_trailer``."""
    yield '<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n'
    category = None
    for question in questions:
        here = (question["class"], question["unit"])
        if here != category:
            category = here
            entry = Element("question", type="category")
            _with_text(entry, "category", interchange.category_path(*here))
            yield "  " + tostring(entry, encoding="unicode") + "\n"
        yield "  " + tostring(_question_element(question), encoding="unicode") + "\n"


def write_trailer(skipped: list[tuple[Any, str]]) -> str:
    lines = [f"  <!-- {question_id}: left out, {reason} -->" for question_id, reason in skipped]
    return "".join(line + "\n" for line in lines) + "</quiz>\n"


def _with_text(parent: Element, tag: str, text: str, text_format: str | None = None) -> Element:
    element = SubElement(parent, tag)
    if text_format:
        element.set("format", text_format)
    SubElement(element, "text").text = text
    return element


def _question_element(question: Mapping[str, Any]) -> Element:
    is_mcq = question["question_type"] == "MCQ"
    element = Element("question", type="multichoice" if is_mcq else "essay")
    if question.get("topic"):
        _with_text(element, "name", question["topic"])
    _with_text(element, "questiontext", question["question_text"], "plain_text")
    if question.get("explanation"):
        _with_text(element, "generalfeedback", question["explanation"], "plain_text")
    SubElement(element, "defaultgrade").text = interchange.format_number(question["marks"])
    if is_mcq:
        _write_answers(element, question)
    else:
        _write_essay_parts(element, question)
    tags = SubElement(element, "tags")
    for value in _tag_values(question):
        _with_text(tags, "tag", value)
    return element


def _tag_values(question: Mapping[str, Any]) -> list[str]:
    difficulty = question.get("difficulty") or "medium"
    values = [f"{MV_TAG}type={question['question_type']}", f"{MV_TAG}difficulty={difficulty}"]
    if question.get("cbse_year"):
        values.append(f"{MV_TAG}cbse_year={question['cbse_year']}")
    return values + list(question.get("tags") or [])


def _write_answers(element: Element, question: Mapping[str, Any]) -> None:
    correct = list(question.get("mcq_correct_choices") or [])
    SubElement(element, "single").text = "true" if len(correct) == 1 else "false"
    SubElement(element, "shuffleanswers").text = "false"
    SubElement(element, "answernumbering").text = "ABCD"
    share = interchange.format_number(Decimal(100) / max(len(correct), 1))
    for choice in question.get("mcq_choices") or []:
        answer = _with_text(element, "answer", choice["text"], "plain_text")
        answer.set("fraction", share if choice["label"] in correct else "0")


def _write_essay_parts(element: Element, question: Mapping[str, Any]) -> None:
    SubElement(element, "responseformat").text = "editor"
    if question.get("correct_answer_text"):
        _with_text(element, "graderinfo", question["correct_answer_text"], "plain_text")
    if question.get("marking_scheme"):
        scheme = SubElement(element, "markingscheme")
        for step in question["marking_scheme"]:
            item = SubElement(scheme, "step", marks=interchange.format_number(step["marks"]))
            SubElement(item, "text").text = step["step"]
