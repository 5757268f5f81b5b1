"""Logs on stderr, one event per line, each carrying the request id when there is one.

Two formats (LOG_FORMAT): ``json`` — one object per line, for log shippers, the default
outside development — and ``text`` — a short coloured line for a person at a terminal,
the default in development. Routine successes of background work (RQ's per-job lines,
the clock's "enqueued" ticks, periodic jobs that found nothing to do) are DEBUG, so the
console shows what happened rather than that the clock ticked.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import time
import uuid
from typing import TextIO

from flask import Flask, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
# The attributes every LogRecord has; anything else on a record was passed as `extra`.
STANDARD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "request_id",
    "taskName",
}
LEVEL_COLOURS = {"DEBUG": "2", "INFO": "32", "WARNING": "33", "ERROR": "31", "CRITICAL": "1;31"}


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", None) if has_request_context() else None
        return True


class TextFormatter(logging.Formatter):
    """``12:00:01 INFO  mathvidya.access  request method=GET path=/docs status=200``"""

    def __init__(self, colour: bool) -> None:
        super().__init__()
        self.colour = colour

    def _paint(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.colour else text

    def format(self, record: logging.LogRecord) -> str:
        stamp = time.strftime("%H:%M:%S", time.localtime(record.created))
        level = self._paint(LEVEL_COLOURS.get(record.levelname, "0"), f"{record.levelname:<7}")
        fields = {k: v for k, v in vars(record).items() if k not in STANDARD_ATTRIBUTES and v is not None}
        if getattr(record, "request_id", None):
            fields["request_id"] = record.request_id
        pairs = " ".join(f"{key}={value}" for key, value in fields.items())
        message = ANSI_ESCAPE.sub("", record.getMessage())
        line = f"{self._paint('2', stamp)} {level} {self._paint('36', record.name)}  {message}"
        if pairs:
            line += "  " + self._paint("2", pairs)
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def use_colour(stream: TextIO, environ: dict[str, str] | os._Environ = os.environ) -> bool:
    """Colour on a terminal (or with FORCE_COLOR, e.g. `make dev` relaying a child's
    output); never with NO_COLOR (https://no-color.org)."""
    if environ.get("NO_COLOR"):
        return False
    return bool(environ.get("FORCE_COLOR")) or (hasattr(stream, "isatty") and stream.isatty())


def formatter_for(log_format: str, stream: TextIO) -> logging.Formatter:
    if log_format == "text":
        return TextFormatter(colour=use_colour(stream))
    return JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
        rename_fields={"levelname": "level", "asctime": "time"},
    )


class RoutineJobChatter(logging.Filter):
    """Demotes a library's per-job success lines to DEBUG (and drops them unless DEBUG is
    on). Matched on the library's message templates, which are stable strings."""

    ROUTINE = (
        "Worker %s: %s: %s",  # RQ: dequeued a job / Job OK
        "Worker %s: job %s result",
        "Successfully completed",
        "Worker %s: cleaning registries",
        "Enqueued job ",  # rq cron: one line per tick of every periodic job
        "Registered '",  # rq cron at start: one line per job, naming only our entry point
    )

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.INFO and str(record.msg).startswith(self.ROUTINE):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return logging.getLogger().isEnabledFor(logging.DEBUG)
        return True


def adopt_library_logger(name: str) -> None:
    """Send a library logger that installed its own handlers through ours instead."""
    logger = logging.getLogger(name)
    logger.handlers[:] = []
    logger.propagate = True
    logger.setLevel(logging.NOTSET)


def configure_logging(level: str, log_format: str = "json") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter_for(log_format, sys.stderr))
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("rq.worker", "rq.cron", "rq.scheduler"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RoutineJobChatter) for f in logger.filters):
            logger.addFilter(RoutineJobChatter())


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
