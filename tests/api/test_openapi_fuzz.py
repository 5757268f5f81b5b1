"""The OpenAPI document is valid, and a bounded property-based fuzz run (schemathesis)
finds no 500 and no documented response that breaks its own schema."""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error, response_schema_conformance

# per operation and role: four roles at 4 cost about what two roles at 6 did
EXAMPLES_PER_OPERATION = int(os.environ.get("FUZZ_EXAMPLES", "4"))


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


@pytest.mark.parametrize("role", ["student", "parent", "teacher", "admin"])
def test_no_server_errors_and_responses_match_the_schema(app, make_user, role):
    """Every operation, fuzzed with each role's token: a refusal is fine, a 500 or a response
    that breaks its own documented schema is not."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = make_user(role)["headers"]
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 50
    failures = []
    for operation in operations:
        try:
            _fuzz(operation, headers)
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{role} {operation.method.upper()} {operation.path}: {str(exc)[:600]}")
    assert failures == [], "\n\n".join(failures)
