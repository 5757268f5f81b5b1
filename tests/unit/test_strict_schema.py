"""StrictSchema's rules on a schema of every field shape (the API tests show them per endpoint)."""

from __future__ import annotations

import pytest
from marshmallow import ValidationError, fields, validate

from mathvidya.schemas import NUMBER_BOUND, StrictSchema


class Inner(StrictSchema):
    label = fields.String()


class Everything(StrictSchema):
    count = fields.Integer(validate=validate.Range(min=0))
    share = fields.Float()
    amount = fields.Decimal(places=None)
    day = fields.Date()
    at = fields.AwareDateTime()
    pages = fields.List(fields.Integer())
    mapping = fields.Dict(keys=fields.String(), values=fields.List(fields.Integer()))
    pair = fields.Tuple((fields.Integer(), fields.Date()))
    inner = fields.Nested(Inner)
    anything = fields.Raw()


def _refused(body: dict) -> dict:
    with pytest.raises(ValidationError) as raised:
        Everything().load(body)
    return raised.value.messages


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"count": NUMBER_BOUND + 1}, "count"),
        ({"count": 1.5}, "count"),
        ({"share": 1e300}, "share"),
        ({"amount": 10**30}, "amount"),
        ({"day": "9999-12-31"}, "day"),
        ({"at": "1999-12-31T23:00:00+05:30"}, "at"),
        ({"pages": [1, 2.5]}, "pages"),
        ({"mapping": {"1": [2.0]}}, "mapping"),
        ({"mapping": {"a\x00": [1]}}, "mapping"),
        ({"pair": [1, "2101-01-01"]}, "pair"),
        ({"pair": [1.5, "2030-01-01"]}, "pair"),
        ({"inner": {"label": "x\ud800"}}, "inner"),
        ({"anything": {"deep": [["\x00"]]}}, "anything"),
    ],
)
def test_hostile_values_are_refused_by_field(body, field):
    assert field in _refused(body)


def test_ordinary_values_pass():
    loaded = Everything().load(
        {
            "count": 3,
            "share": 0.5,
            "amount": "2.5",
            "day": "2030-06-01",
            "at": "2030-06-01T10:00:00+05:30",
            "pages": [1, 2],
            "mapping": {"1": [3]},
            "pair": [1, "2030-01-01"],
            "inner": {"label": "नमस्ते"},
            "anything": {"k": ["v", 1]},
        }
    )
    assert loaded["count"] == 3 and loaded["inner"]["label"] == "नमस्ते"
