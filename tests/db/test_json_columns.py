"""json and jsonb columns read back as the json module would parse them (they go through
orjson, set for every connection in mathvidya/db.py). Integers beyond 64 bits are the one
difference (orjson reads them as floats); no column holds one: every number the app
stores is validated to a range first."""

from __future__ import annotations

import json

import pytest
from psycopg.types.json import Json, Jsonb

import mathvidya.db  # noqa: F401  (sets the process's JSON loader)

VALUES = [
    {"questions": [{"question_number": 1, "marks": 1.5, "choices": ["A", "B"], "text": "∫ x² dx — गणित"}]},
    [1, 2.25, -3, None, True, False, "", {"nested": {"deep": [[]]}}],
    {"big": 9_007_199_254_740_993, "negative": -(2**63), "tiny": 1e-7, "exp": 6.02e-23},
    "a plain string",
    0,
]


@pytest.mark.parametrize("value", VALUES, ids=range(len(VALUES)))
def test_json_and_jsonb_columns_read_back_as_the_json_module_parses_them(db, value):
    text = json.dumps(value, ensure_ascii=False)
    row = db.execute("SELECT %s::jsonb AS b, %s::json AS j", (Jsonb(value), Json(value))).fetchone()
    assert row["b"] == json.loads(db.execute("SELECT %s::jsonb::text AS t", (text,)).fetchone()["t"])
    assert row["j"] == json.loads(text) == value
