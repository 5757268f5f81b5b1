"""One error catalogue (mathvidya/errors.py): the OpenAPI document and docs/errors.md say
the same codes with the same HTTP statuses, and no response names a code outside it."""

from __future__ import annotations

import re
from pathlib import Path

from mathvidya import errors

DOCS = Path(__file__).resolve().parent.parent.parent / "docs" / "errors.md"
CODE = re.compile(r"\b[A-Z]{2,}(?:_[A-Z]+)+\b")


def _spec(client) -> dict:
    return client.get("/api/v1/openapi.json").get_json()


def test_codes_named_in_responses_are_catalogued_with_that_status(client):
    named = []
    for path, operations in _spec(client)["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            for status, response in operation.get("responses", {}).items():
                for code in CODE.findall(response.get("description", "")):
                    named.append((f"{method.upper()} {path} {status}", code, int(status)))
    assert named, "the routes document their business codes in alt_response descriptions"
    catalogue = errors.catalogue()
    wrong = [(where, code) for where, code, status in named if catalogue.get(code) != status]
    assert wrong == []


def test_the_openapi_description_lists_the_whole_catalogue(client):
    described = dict(re.findall(r"- `([A-Z_]+)` \((\d{3})\)", _spec(client)["info"]["description"]))
    assert {code: int(status) for code, status in described.items()} == errors.catalogue()


def test_docs_list_the_whole_catalogue():
    rows = re.findall(r"^\| `([A-Z_]+)` \| (\d{3}) \|", DOCS.read_text(), flags=re.M)
    assert {code: int(status) for code, status in rows} == errors.catalogue()


def test_every_code_is_one_class_with_one_status():
    seen: dict[str, type] = {}
    pending = list(errors.AppError.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        assert cls.code not in seen or seen[cls.code] is cls, f"{cls.code} is declared twice"
        seen[cls.code] = cls
        assert 400 <= cls.status <= 599
