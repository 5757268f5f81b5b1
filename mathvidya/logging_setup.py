"""Structured JSON logs, one object per line, each carrying the request id when there is one."""

from __future__ import annotations

import logging
import sys
import time
import uuid

from flask import Flask, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", None) if has_request_context() else None
        return True


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            rename_fields={"levelname": "level", "asctime": "time"},
        )
    )
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def _valid_request_id(value: str | None) -> bool:
    return bool(value) and len(value) <= 128 and value.replace("-", "").replace("_", "").isalnum()


def init_app(app: Flask) -> None:
    access_log = logging.getLogger("mathvidya.access")

    @app.before_request
    def assign_request_id() -> None:
        sent = request.headers.get(REQUEST_ID_HEADER)
        g.request_id = sent if _valid_request_id(sent) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def echo_request_id(response):
        request_id = g.get("request_id") or uuid.uuid4().hex
        response.headers[REQUEST_ID_HEADER] = request_id
        started = g.get("request_started")
        access_log.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2) if started else None,
            },
        )
        return response
