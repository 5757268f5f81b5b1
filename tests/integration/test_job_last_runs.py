"""`run-job --list` shows each periodic job's last run, by the worker or by hand."""

from __future__ import annotations

from dataclasses import replace

import psycopg
import pytest

from mathvidya import create_app
from mathvidya.db import POOL_KEY
from mathvidya.jobs.registry import last_runs, run_job


def _listed(app, name: str) -> str:
    result = app.test_cli_runner().invoke(args=["run-job", "--list"])
    assert result.exit_code == 0, result.output
    return next(line for line in result.output.splitlines() if line.startswith(name + " "))


def test_a_run_is_listed_with_its_outcome(app, settings):
    touched = run_job("auto-submit-exams", settings=settings)
    record = last_runs(settings)["auto-submit-exams"]
    assert record["status"] == "ok" and record["rows"] == touched
    line = _listed(app, "auto-submit-exams")
    assert f"last run: {record['finished_at']} ok, {touched} rows" in line


def test_a_failed_run_is_listed_as_failed(app, settings):
    unreachable = replace(settings, database_url="postgresql://mathvidya_app@127.0.0.1:1/mathvidya")
    with pytest.raises(psycopg.OperationalError):
        run_job("warn-sla", settings=unreachable)
    assert last_runs(settings)["warn-sla"]["status"] == "failed"
    assert "FAILED" in _listed(app, "warn-sla")
    run_job("warn-sla", settings=settings)
    assert "FAILED" not in _listed(app, "warn-sla")


def test_the_list_still_prints_without_redis(settings):
    app = create_app(replace(settings, redis_url="redis://127.0.0.1:1/0"))
    try:
        assert "last run: unknown (Redis unavailable)" in _listed(app, "deliver-outbox")
    finally:
        app.extensions[POOL_KEY].close()
