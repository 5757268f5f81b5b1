"""The orjson provider answers what Flask's own provider would (same JSON, same refusals)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from flask import Flask
from flask.json.provider import DefaultJSONProvider

from mathvidya.json_provider import OrjsonProvider


@dataclass
class Mark:
    question_number: int
    marks: Decimal


def providers() -> tuple[Flask, DefaultJSONProvider]:
    app = Flask("t")
    app.json = OrjsonProvider(app)
    return app, DefaultJSONProvider(Flask("reference"))


VALUES = [
    {"b": 1, "a": [1, 2.5, None, True], "c": {"z": "x", "y": "₹ 499 — गणित"}},
    {"when": datetime(2026, 12, 5, 8, 30, tzinfo=UTC), "day": date(2026, 12, 5)},
    {"price": Decimal("499.50"), "id": uuid.UUID("12345678-1234-5678-1234-567812345678")},
    {"mark": Mark(3, Decimal("1.5")), "marks": [Mark(1, Decimal("0"))]},
    {1: "int keys become strings", 2: "as in the json module"},
    {"lone surrogate": "\ud800 echoed from hostile input"},
    {"huge": 2**70},
    [],
    "text",
]


@pytest.mark.parametrize("value", VALUES, ids=range(len(VALUES)))
def test_the_same_json_as_flasks_provider(value):
    app, reference = providers()
    with app.app_context():
        ours = app.json.response(value)
    expected = reference.dumps(value, separators=(",", ":"))
    assert json.loads(ours.get_data()) == json.loads(expected)
    assert ours.mimetype == "application/json" and ours.get_data().endswith(b"\n")
    assert json.loads(app.json.dumps(value)) == json.loads(expected)


def test_keys_are_sorted_and_separators_compact_like_flask():
    app, reference = providers()
    value = {"b": {"d": 1, "c": 2}, "a": [1, 2]}
    with app.app_context():
        body = app.json.response(value).get_data()
    assert body == b'{"a":[1,2],"b":{"c":2,"d":1}}\n'
    assert body.decode() == reference.dumps(value, separators=(",", ":")) + "\n"


def test_dates_are_http_dates_as_flask_sends_them():
    app, _ = providers()
    with app.app_context():
        body = json.loads(app.json.response({"at": datetime(2026, 12, 5, 8, 30, tzinfo=UTC)}).get_data())
    assert body == {"at": "Sat, 05 Dec 2026 08:30:00 GMT"}


def test_what_neither_can_encode_is_refused_alike():
    app, reference = providers()
    with pytest.raises(TypeError):
        reference.dumps({"x": object()})
    with app.app_context(), pytest.raises(TypeError):
        app.json.response({"x": object()})
    with pytest.raises(TypeError):
        app.json.dumps({"x": object()})


def test_debug_mode_keeps_flasks_indented_output():
    app, _ = providers()
    app.debug = True
    with app.app_context():
        assert app.json.response({"a": 1}).get_data() == b'{\n  "a": 1\n}\n'
