"""The console's two formats, and routine background chatter kept at DEBUG."""

from __future__ import annotations

import io
import json
import logging

import pytest

from mathvidya.config import ConfigurationError, load_settings
from mathvidya.logging_setup import RoutineJobChatter, TextFormatter, formatter_for, use_colour


def _record(msg: str, *args, level: int = logging.INFO, name: str = "mathvidya.test", **extra) -> logging.LogRecord:
    record = logging.LogRecord(name, level, __file__, 1, msg, args, None)
    for key, value in extra.items():
        setattr(record, key, value)
    record.request_id = extra.get("request_id")
    return record


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"MATHVIDYA_ENV": "development"}, "text"),
        ({"MATHVIDYA_ENV": "test"}, "json"),
        ({"MATHVIDYA_ENV": "development", "LOG_FORMAT": "json"}, "json"),
        ({"MATHVIDYA_ENV": "test", "LOG_FORMAT": "TEXT"}, "text"),
    ],
)
def test_log_format_is_text_in_development_json_elsewhere_unless_chosen(environ, expected):
    assert load_settings(environ).log_format == expected


def test_production_defaults_to_json():
    environ = {
        "MATHVIDYA_ENV": "production",
        "SECRET_KEY": "x" * 40,
        "RAZORPAY_KEY_ID": "rzp_live_a",
        "RAZORPAY_KEY_SECRET": "live-secret",
        "DATABASE_URL": "postgresql://db/x",
        "REDIS_URL": "redis://r/0",
    }
    assert load_settings(environ).log_format == "json"


def test_an_unknown_log_format_is_refused_at_start():
    with pytest.raises(ConfigurationError, match="LOG_FORMAT"):
        load_settings({"LOG_FORMAT": "xml"})


def test_text_lines_are_one_line_with_the_extra_fields_and_no_colour_off_a_terminal():
    formatter = TextFormatter(colour=False)
    line = formatter.format(
        _record("request", name="mathvidya.access", method="GET", path="/docs", status=200, request_id="abc")
    )
    assert "\n" not in line
    assert line.split()[1:4] == ["INFO", "mathvidya.access", "request"]
    assert line.endswith("method=GET path=/docs status=200 request_id=abc")
    assert "\x1b[" not in line


def test_text_lines_strip_a_librarys_own_colour_codes_and_colour_their_level_on_a_terminal():
    line = TextFormatter(colour=True).format(_record("Worker %s: \x1b[32mdefault\x1b[39;49;00m", "w1"))
    assert "Worker w1: default" in line
    assert "\x1b[32mINFO" in line


def test_json_lines_stay_json():
    stream = io.StringIO()
    line = formatter_for("json", stream).format(_record("hello", status=201))
    assert json.loads(line)["message"] == "hello" and json.loads(line)["status"] == 201


@pytest.mark.parametrize(
    ("environ", "tty", "expected"),
    [({}, True, True), ({}, False, False), ({"FORCE_COLOR": "1"}, False, True), ({"NO_COLOR": "1"}, True, False)],
)
def test_colour_follows_the_terminal_force_color_and_no_color(environ, tty, expected):
    stream = io.StringIO()
    stream.isatty = lambda: tty
    assert use_colour(stream, environ) is expected


@pytest.mark.parametrize(
    ("msg", "args", "name"),
    [
        ("Worker %s: %s: %s (%s)", ("w", "default", "run_periodic_job('deliver-outbox')", "id"), "rq.worker"),
        ("Worker %s: %s: %s (%s)", ("w", "default", "Job OK", "id"), "rq.worker"),
        ("Worker %s: job %s result is kept for %s seconds", ("w", "id", 500), "rq.worker"),
        ("Enqueued job run_periodic_job to queue default", (), "rq.cron"),
    ],
)
def test_routine_job_lines_become_debug_and_are_dropped_at_info(msg, args, name):
    logging.getLogger().setLevel(logging.INFO)
    record = _record(msg, *args, name=name)
    assert RoutineJobChatter().filter(record) is False
    assert record.levelname == "DEBUG"


def test_routine_job_lines_show_at_debug_and_problems_always_show():
    root = logging.getLogger()
    previous = root.level
    try:
        root.setLevel(logging.DEBUG)
        assert RoutineJobChatter().filter(_record("Worker %s: %s: %s", "w", "default", "id", name="rq.worker"))
        root.setLevel(logging.INFO)
        warning = _record("Worker %s: %s: %s", "w", "default", "id", level=logging.WARNING, name="rq.worker")
        assert RoutineJobChatter().filter(warning) and warning.levelname == "WARNING"
        assert RoutineJobChatter().filter(_record("Worker %s: started with PID %d", "w", 1, name="rq.worker"))
    finally:
        root.setLevel(previous)


@pytest.mark.parametrize(("touched", "level"), [(0, logging.DEBUG), (3, logging.INFO)])
def test_a_periodic_job_that_found_nothing_to_do_logs_at_debug(monkeypatch, caplog, touched, level):
    from mathvidya.jobs import registry

    monkeypatch.setattr(registry, "run_job", lambda name: touched)
    with caplog.at_level(logging.DEBUG, logger="mathvidya.jobs.registry"):
        assert registry.run_periodic_job("deliver-outbox") == touched
    (record,) = [r for r in caplog.records if r.getMessage() == "periodic job done"]
    assert record.levelno == level and record.job == "deliver-outbox" and record.rows_touched == touched
