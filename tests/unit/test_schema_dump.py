"""The compiled response dump equals marshmallow's Schema.dump — same keys, same order, same
values — for every response schema of the API, on generated data: so the contract the
OpenAPI document shows cannot drift from what the endpoints send."""

from __future__ import annotations

import importlib
import json
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import Schema, fields

from mathvidya.app import BLUEPRINT_MODULES
from mathvidya.schema_dump import COMPILED_SCHEMAS, compiled_dump
from mathvidya.schema_dump import Blueprint as CompiledBlueprint

for _module in BLUEPRINT_MODULES:
    importlib.import_module(_module)

SCALARS = {
    fields.UUID: st.one_of(st.uuids(), st.uuids().map(str)),
    fields.String: st.one_of(st.text(max_size=8), st.integers(), st.uuids()),
    fields.Integer: st.one_of(st.integers(-1000, 1000), st.decimals(-100, 100, places=1)),
    fields.Float: st.one_of(
        st.integers(-1000, 1000), st.decimals(-100, 100, places=2), st.floats(-1e6, 1e6, allow_nan=False)
    ),
    fields.Boolean: st.one_of(st.booleans(), st.sampled_from([0, 1, "true", "no"])),
    fields.DateTime: st.datetimes(timezones=st.just(UTC)) | st.datetimes(),
    fields.Date: st.dates(min_value=date(2000, 1, 1)),
}
ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=6,
)


def value_for(field: fields.Field, depth: int = 0) -> st.SearchStrategy:
    if isinstance(field, fields.Nested):
        item = object_for(field.schema, depth + 1)
        return st.none() | (st.lists(item, max_size=3) if (field.many or field.schema.many) else item)
    if isinstance(field, fields.List):
        return st.none() | st.lists(value_for(field.inner, depth + 1), max_size=3)
    if isinstance(field, fields.Dict):
        return st.none() | st.dictionaries(st.text(max_size=3), st.integers(), max_size=3)
    for kind in type(field).__mro__:
        if kind in SCALARS:
            return st.none() | SCALARS[kind]
    return ANY_JSON


def object_for(schema: Schema, depth: int = 0) -> st.SearchStrategy:
    """A dict holding some of the schema's sources (others absent), values of every shape."""
    if depth > 4:
        return st.just({})
    entries = {
        (field.attribute or name): value_for(field, depth)
        for name, field in schema.dump_fields.items()
        if not isinstance(field, (fields.Method, fields.Function, fields.Constant))
    }
    return st.fixed_dictionaries({}, optional=entries)


def _dumped_alike(schema: Schema, obj) -> None:
    try:
        expected = Schema.dump(schema, obj)  # marshmallow itself, not the instance's compiled dump
    except Exception as refused:  # e.g. a list view's absent "items" key reads dict.items: both fail
        with pytest.raises(type(refused)):
            compiled_dump(schema)(obj)
        return
    got = compiled_dump(schema)(obj)
    assert json.dumps(got, default=str) == json.dumps(expected, default=str)
    assert got == expected


RESPONSE_SCHEMAS = {f"{type(s).__module__}.{type(s).__name__}": s for s in COMPILED_SCHEMAS}


def test_every_response_of_the_api_is_dumped_by_a_compiled_plan():
    assert len(RESPONSE_SCHEMAS) > 40
    assert all(s.dump is not Schema.dump.__get__(s) for s in COMPILED_SCHEMAS)


@pytest.mark.parametrize("name", sorted(RESPONSE_SCHEMAS))
@settings(max_examples=25)
@given(data=st.data())
def test_the_compiled_dump_equals_marshmallows(name, data):
    schema = RESPONSE_SCHEMAS[name]
    _dumped_alike(schema, data.draw(object_for(schema), label="object"))


def test_a_realistic_exam_view_dumps_alike():
    from mathvidya.exams.schemas import ExamSchema

    question = {
        "question_number": 1,
        "section_name": "A",
        "question_id": uuid.uuid4(),
        "question_type": "MCQ",
        "marks": Decimal("1.0"),
        "unit": "Calculus",
        "topic": None,
        "question_text": "$x^2$",
        "mcq_choices": [{"label": "A", "text": "1", "image_url": None}],
        "mcq_correct_choices": ["A"],
        "alternatives": [{"choice": "a", "question_id": "q", "marks": 2}],
    }
    exam = {
        "exam_instance_id": uuid.uuid4(),
        "class": "XII",
        "status": "in_progress",
        "started_at": datetime.now(UTC),
        "deadline_at": datetime.now(UTC) + timedelta(hours=3),
        "total_marks": Decimal("80.0"),
        "mcq_score": None,
        "duration_minutes": 180,
        "questions": [question] * 3,
        "answers": [{"question_number": 1, "selected_choices": ["A"]}],
    }
    _dumped_alike(ExamSchema(), exam)


class WithHook(Schema):
    a = fields.String()

    def get_attribute(self, obj, attr, default):
        return "custom"


class Odd(Schema):
    dotted = fields.String(attribute="a.b")
    defaulted = fields.Integer(dump_default=7)
    method = fields.Method("_m")
    keys = fields.String()

    def _m(self, obj):
        return "m"


def test_what_the_plan_does_not_know_goes_through_marshmallow():
    assert compiled_dump(WithHook())({"a": "x"}) == {"a": "custom"}
    odd = Odd()
    for obj in ({"a": {"b": "deep"}}, {}, {"keys": "k"}):
        _dumped_alike(odd, obj)


@pytest.mark.parametrize("module_name", BLUEPRINT_MODULES)
def test_every_api_blueprint_sends_its_responses_through_the_compiled_dump(module_name):
    """A routes module on flask-smorest's own Blueprint would silently fall back to the slow path."""

    assert isinstance(importlib.import_module(module_name).blp, CompiledBlueprint), module_name
