"""Shared marshmallow building blocks: strict bodies, the list envelope, the error body."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_OFFSET = 1_000_000

# Every number a request carries fits a PostgreSQL integer; fields narrow this further.
NUMBER_BOUND = 2**31 - 1
# Every date or instant a request carries lies in this span (docs/security.md).
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


def text_problem(text: str) -> str | None:
    """Why a string cannot be stored or shown safely: NUL (PostgreSQL refuses it) or an
    unpaired surrogate (not encodable as UTF-8)."""
    if "\x00" in text:
        return "must not contain NUL characters"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "must not contain unpaired surrogate characters"
    return None


def _value_problem(field: fields.Field | None, value: Any) -> str | None:
    """The first hostile thing in one raw value: bad text anywhere (keys included), or a
    fractional number where the field takes integers."""
    if isinstance(value, str):
        return text_problem(value)
    if isinstance(value, float) and isinstance(field, fields.Integer):
        return "Not a valid integer."
    if isinstance(value, Mapping):
        keys = getattr(field, "key_field", None)
        values = getattr(field, "value_field", None)
        for key, item in value.items():
            problem = _value_problem(keys, key) or _value_problem(values, item)
            if problem:
                return problem
    elif isinstance(value, (list, tuple)):
        inner = getattr(field, "inner", None)
        per_item = list(getattr(field, "tuple_fields", ())) or [inner] * len(value)
        for item_field, item in zip(per_item, value, strict=False):
            problem = _value_problem(item_field, item)
            if problem:
                return problem
    return None


def _within_number_bound(value: Any) -> None:
    if not -NUMBER_BOUND <= value <= NUMBER_BOUND:
        raise ValidationError(f"must lie between {-NUMBER_BOUND} and {NUMBER_BOUND}")


def _within_calendar(value: Any) -> None:
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValidationError(f"must lie between {EARLIEST_YEAR}-01-01 and {LATEST_YEAR}-12-31")


def _bounded_both_ways(field: fields.Field) -> bool:
    return any(isinstance(v, validate.Range) and v.min is not None and v.max is not None for v in field.validators)


def _bound(field: fields.Field) -> None:
    """Give a field (and the fields inside it) the bounds every request value obeys."""
    if isinstance(field, fields.Decimal):
        field.validators.append(_within_number_bound)  # a Range would be documented as strings
    elif isinstance(field, fields.Number) and not _bounded_both_ways(field):
        field.validators.append(validate.Range(min=-NUMBER_BOUND, max=NUMBER_BOUND))
    elif isinstance(field, (fields.Date, fields.DateTime)):
        field.validators.append(_within_calendar)
    for inner in (
        getattr(field, "inner", None),
        getattr(field, "key_field", None),
        getattr(field, "value_field", None),
    ):
        if isinstance(inner, fields.Field):
            _bound(inner)
    for inner in getattr(field, "tuple_fields", ()):
        _bound(inner)


class StrictSchema(Schema):
    """Every request schema: unknown fields refused; no NUL or unpaired surrogate
    in any string, key or value, at any depth; integers exact; numbers and dates bounded."""

    class Meta:
        unknown = RAISE

    def on_bind_field(self, _field_name: str, field_obj: fields.Field) -> None:
        _bound(field_obj)

    @pre_load
    def refuse_hostile_values(self, data: Any, **_kwargs: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        by_key = {field.data_key or name: field for name, field in self.load_fields.items()}
        problems: dict[str, list[str]] = {}
        for key in data:
            problem = _value_problem(None, key) or _value_problem(by_key.get(key), data[key])
            if problem:
                problems[key if text_problem(key) is None else repr(key)] = [problem]
        if problems:
            raise ValidationError(problems)
        return data


class PageArgsSchema(StrictSchema):
    limit = fields.Integer(load_default=DEFAULT_LIMIT, validate=validate.Range(min=1, max=MAX_LIMIT))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_OFFSET))


def list_schema(item_schema: type[Schema], name: str) -> type[Schema]:
    """The `{items, total, limit, offset}` envelope of every list."""
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item_schema), required=True),
            "total": fields.Integer(required=True),
            "limit": fields.Integer(required=True),
            "offset": fields.Integer(required=True),
        },
        name=name,
    )
