"""Liveness and readiness for load balancers and operators."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields

from mathvidya.authz import public
from mathvidya.health import service
from mathvidya.schema_dump import Blueprint

blp = Blueprint("health", __name__, url_prefix="/", description="Liveness and readiness")


class LivenessSchema(Schema):
    status = fields.String(required=True)


class ReadinessSchema(Schema):
    status = fields.String(required=True)
    checks = fields.Dict(keys=fields.String(), values=fields.String())
    background = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(),
        metadata={
            "description": "Worker and clock heartbeats: status ok, stale or missing and seconds since "
            "the last beat. Reported, never fatal: the API serves without them."
        },
    )


@blp.route("/healthz")
class Liveness(MethodView):
    @public
    @blp.response(200, LivenessSchema)
    def get(self):
        """The process is up."""
        return {"status": "ok"}


@blp.route("/readyz")
class Readiness(MethodView):
    @public
    @blp.response(200, ReadinessSchema)
    @blp.alt_response(503, schema=ReadinessSchema, description="A dependency failed")
    def get(self):
        """PostgreSQL and Redis both answer (else 503); worker and clock heartbeats as detail."""
        checks = service.check_dependencies()
        ready = all(v == "ok" for v in checks.values())
        body = {
            "status": "ready" if ready else "unavailable",
            "checks": checks,
            "background": service.background_processes(),
        }
        return body, (200 if ready else 503)
