"""Response schemas dumped by a plan compiled once per schema instead of walked per value.

marshmallow's ``Schema.dump`` resolves every field of every nested item on every call
(a 38-question exam is ~900 field lookups, about half of the request's Python time). The
response schemas stay the contract — flask-smorest documents them and every answer goes
through them — but ``compiled_dump(schema)`` turns a schema into a plan of (key, source,
converter) built from the schema's own fields, with the same rules marshmallow applies:
a missing source is left out, ``attribute`` and ``data_key`` are honoured, None stays
None, numbers go through the field's number type, dates through its format function, and
nested schemas and lists recurse. Anything the plan does not know exactly (hooks, custom
accessors, dotted sources, dump defaults, other field kinds) goes through marshmallow
itself, field by field or for the whole schema. tests/unit/test_schema_dump.py checks the
plan against ``Schema.dump`` on generated data for every response schema of the API.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flask_smorest
from flask_smorest.utils import resolve_schema_instance
from marshmallow import Schema, fields
from marshmallow.decorators import POST_DUMP, PRE_DUMP
from marshmallow.utils import get_value, missing

Converter = Callable[[Any], Any]
# Every schema a blueprint's response was compiled for (the equivalence test walks them).
COMPILED_SCHEMAS: list[Schema] = []
_ABSENT = object()


def _text(value: Any) -> Any:
    if type(value) is str or value is None:
        return value
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _to_str(value: Any) -> Any:
    return None if value is None else str(value)


def _unless_none(convert: Callable[[Any], Any]) -> Converter:
    return lambda value: None if value is None else convert(value)


def _number(field: fields.Number) -> Converter | None:
    if field.as_string or type(field)._format_num is not fields.Number._format_num:
        return None
    return _unless_none(field.num_type)


def _temporal(field: Any) -> Converter | None:
    format_func = field.SERIALIZATION_FUNCS.get(field.format or field.DEFAULT_FORMAT)
    return _unless_none(format_func) if format_func else None


def _list(field: fields.List) -> Converter | None:
    inner = _converter(field.inner)
    if inner is None:
        return None
    return lambda value: None if value is None else [inner(item) for item in value]


def _nested(field: fields.Nested) -> Converter:
    schema = field.schema
    dump = compiled_dump(schema)
    many = bool(schema.many or field.many)
    return lambda value: None if value is None else dump(value, many=many)


_CONVERTERS: dict[Any, Callable[[Any], Converter | None]] = {
    fields.String._serialize: lambda _field: _text,
    fields.UUID._serialize: lambda _field: _to_str,
    fields.Number._serialize: _number,
    fields._TemporalField._serialize: _temporal,
    fields.List._serialize: _list,
    fields.Nested._serialize: _nested,
}


def _converter(field: fields.Field) -> Converter | None:
    """The field's value rule as a function of the value alone, or None when only the field
    itself can say (it then serialises through marshmallow)."""
    make = _CONVERTERS.get(type(field)._serialize)
    return make(field) if make is not None else None


def _plain_source(field: fields.Field, attr_name: str) -> str | None:
    """The key read from the object, when marshmallow would read it the plain way."""
    source = field.attribute if field.attribute is not None else attr_name
    plain = (
        field._CHECK_ATTRIBUTE
        and "." not in source
        and field.dump_default is missing
        and type(field).serialize is fields.Field.serialize
        and type(field).get_value is fields.Field.get_value
    )
    return source if plain else None


def _compilable(schema: Schema) -> bool:
    cls = type(schema)
    return (
        not schema._hooks[PRE_DUMP]
        and not schema._hooks[POST_DUMP]
        and cls.dump is Schema.dump
        and cls._serialize is Schema._serialize
        and cls.get_attribute is Schema.get_attribute
        and schema.dict_class is dict
    )


Step = tuple[str, str | None, Converter | None, Callable[[Any, dict], None] | None]


def _field_step(schema: Schema, attr_name: str, field: fields.Field) -> Step:
    """(key, source, converter, None) for a field read the plain way, else
    (key, None, None, through_marshmallow) for one only marshmallow can serialise."""
    key = field.data_key if field.data_key is not None else attr_name
    source = _plain_source(field, attr_name)
    convert = _converter(field) if source is not None else None
    if source is None or convert is None:
        accessor = schema.get_attribute

        def through_marshmallow(obj: Any, out: dict) -> None:
            value = field.serialize(attr_name, obj, accessor=accessor)
            if value is not missing:
                out[key] = value

        return key, None, None, through_marshmallow
    return key, source, convert, None


def compiled_dump(schema: Schema) -> Callable[..., Any]:
    """A function with ``Schema.dump``'s signature and results, for this schema instance."""
    if not _compilable(schema):
        return schema.dump
    steps: list[Step] = []

    def dump_one(obj: Any) -> dict:
        out: dict = {}
        is_dict = type(obj) is dict
        for key, source, convert, through in steps:
            if through is not None:
                through(obj, out)
                continue
            if is_dict:
                value = obj.get(source, _ABSENT)
                if value is _ABSENT:  # as marshmallow: a missing key falls back to the attribute
                    value = getattr(obj, source, missing)
            else:
                value = get_value(obj, source, missing)
            if value is not missing:
                out[key] = convert(value)
        return out

    def dump(obj: Any, *, many: bool | None = None) -> Any:
        if (schema.many if many is None else many) and obj is not None:
            return [dump_one(item) for item in obj]
        return dump_one(obj)

    # Built after dump exists, so a schema nesting itself refers to its own plan.
    steps.extend(_field_step(schema, name, field) for name, field in schema.dump_fields.items())
    return dump


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's Blueprint whose responses are dumped by the compiled plan of their
    schema (the documentation still comes from the schema itself) and whose arguments are
    parsed by one schema instance per endpoint."""

    def response(self, status_code, schema=None, **kwargs):
        if schema is not None:
            schema = resolve_schema_instance(schema)
            schema.dump = compiled_dump(schema)  # this instance only: the one the response uses
            COMPILED_SCHEMAS.append(schema)
        return super().response(status_code, schema, **kwargs)

    def arguments(self, schema, *args, **kwargs):
        """As flask-smorest's, with the schema made an instance once here: given a class,
        webargs would build a new instance on every request (a tenth of a small read's
        time). Loading does not change a schema, so threads can share the instance."""
        return super().arguments(resolve_schema_instance(schema), *args, **kwargs)
