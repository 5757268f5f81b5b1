"""The OpenAPI document is valid, and a bounded property-based fuzz run (schemathesis)
finds no 500 and no documented response that breaks its own schema."""

from __future__ import annotations

import os

import schemathesis
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error, response_schema_conformance

EXAMPLES_PER_OPERATION = int(os.environ.get("FUZZ_EXAMPLES", "6"))


def test_openapi_document_is_valid(client):
    validate(client.get("/api/v1/openapi.json").get_json())


def _fuzz(operation, headers):
    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck), database=None
    )
    def run(case):
        response = case.call(headers=headers)
        case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])

    run()


def test_no_server_errors_and_responses_match_the_schema(app, make_user):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    tokens = {role: make_user(role)["headers"] for role in ("student", "admin")}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 50
    failures = []
    for operation in operations:
        for role, headers in tokens.items():
            try:
                _fuzz(operation, headers)
            except Exception as exc:  # collect every operation's failure, then report them all
                failures.append(f"{role} {operation.method.upper()} {operation.path}: {str(exc)[:600]}")
    assert failures == [], "\n\n".join(failures)
