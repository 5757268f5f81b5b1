"""What a request may be before any view runs, answered in the error shape.

JSON bodies: the one place a body is decoded for safety; anything the decoder cannot take
(bad UTF-8, bad syntax, nesting too deep, numbers too long, NaN/Infinity, too large)
answers 400 or 413. Headers: a field longer than MAX_HEADER_BYTES answers 431 (gunicorn
lets fields up to twice that through: gunicorn.conf.py)."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, request
from webargs.core import is_json

from mathvidya.errors import BadRequest, HeaderTooLarge, NotFound, PayloadTooLarge
from mathvidya.schemas import text_problem

MAX_HEADER_BYTES = 8 * 1024
MAX_JSON_BYTES = 1024 * 1024  # far above any request body the API takes
MAX_DEPTH = 32  # arrays/objects inside each other; real bodies use fewer than 6


class UndecodableJson(Exception):
    """The bytes are not a JSON document this API accepts."""


def _refuse_constant(name: str) -> Any:
    raise UndecodableJson(f"{name} is not a JSON number")


def _nesting_depth(value: Any) -> int:
    """How deep arrays and objects sit inside each other (iterative: no recursion limit)."""
    deepest, stack = 0, [(value, 1)] if isinstance(value, (dict, list)) else []
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


def decode_json(raw: bytes) -> Any:
    """Decode a body or raise UndecodableJson; never anything else."""
    try:
        value = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
    except UndecodableJson:
        raise
    except RecursionError:
        raise UndecodableJson("the JSON nests too deeply") from None
    except UnicodeDecodeError:
        raise UndecodableJson("the body is not UTF-8") from None
    except ValueError as exc:  # JSONDecodeError, and integers longer than Python takes
        raise UndecodableJson(f"the body is not valid JSON ({str(exc)[:80]})") from None
    if _nesting_depth(value) > MAX_DEPTH:
        raise UndecodableJson(f"the JSON nests deeper than {MAX_DEPTH} levels")
    return value


def refuse_undecodable_json() -> None:
    """before_request: webargs decodes the body later with the standard decoder; checking
    it here first means every decoding failure is a clean 4xx, whatever the endpoint."""
    if not is_json(request.mimetype):
        return
    if (request.content_length or 0) > MAX_JSON_BYTES:
        raise PayloadTooLarge(f"JSON bodies are limited to {MAX_JSON_BYTES} bytes.")
    raw = request.get_data(cache=True)
    if not raw:
        return
    if len(raw) > MAX_JSON_BYTES:
        raise PayloadTooLarge(f"JSON bodies are limited to {MAX_JSON_BYTES} bytes.")
    try:
        decode_json(raw)
    except UndecodableJson as exc:
        raise BadRequest(f"The request body is not valid JSON: {exc}") from None


def refuse_oversized_headers() -> None:
    """before_request: a token or cookie this long is never one the API issued."""
    for name, value in request.headers.items():
        if len(value) > MAX_HEADER_BYTES:
            raise HeaderTooLarge(
                f"The {name} header is longer than {MAX_HEADER_BYTES} bytes.", details={"header": name}
            )


def refuse_hostile_paths() -> None:
    """before_request: no resource has NUL or an unpaired surrogate in its address, and
    path parameters never reach a query with one."""
    if text_problem(request.path):
        raise NotFound("Not found.")


def init_app(app: Flask) -> None:
    app.before_request(refuse_oversized_headers)
    app.before_request(refuse_hostile_paths)
    app.before_request(refuse_undecodable_json)
