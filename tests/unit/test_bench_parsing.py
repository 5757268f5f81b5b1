"""The benchmark's pure parts: reading wrk's result line, percentiles and medians, the
marks the teacher flow sends, and keeping the hand-written part of docs/benchmarks.md."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tools.bench import report
from tools.bench.load import (
    LoadError,
    RunResult,
    marks_for,
    median_run,
    parse_wrk_output,
    percentile,
    result_from_latencies,
)
from tools.bench.tokens import _lua_string, write_lua_items

WRK_STDOUT = """Running 15s test @ http://127.0.0.1:8000
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   101.90ms   30.12ms 412.00ms   70.00%
  4714 requests in 15.02s, 30.11MB read
Requests/sec:    313.85
Transfer/sec:      2.00MB
BENCH_RESULT {"requests": 4714, "duration_us": 15020000, "bytes": 31572000, "errors": {"connect": 0, "read": 1, \
"write": 0, "status": 3, "timeout": 2}, "latency_us": {"p50": 98000, "p90": 140000, "p95": 155500, "p99": 230250, \
"max": 412000, "mean": 101900.0}}
"""


def test_parse_wrk_output_reads_the_result_line():
    result = parse_wrk_output(WRK_STDOUT)
    assert result.requests == 4714
    assert result.seconds == pytest.approx(15.02)
    assert result.rps == pytest.approx(4714 / 15.02)
    assert (result.p50_ms, result.p90_ms, result.p95_ms, result.p99_ms, result.max_ms) == (
        98.0,
        140.0,
        155.5,
        230.25,
        412.0,
    )
    assert result.non_2xx == 3
    assert result.socket_errors == 3


def test_parse_wrk_output_without_the_line_is_an_error():
    with pytest.raises(LoadError):
        parse_wrk_output("Running 15s test\nRequests/sec: 10\n")


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([], 50, 0.0),
        ([7.0], 99, 7.0),
        ([1.0, 2.0, 3.0, 4.0], 50, 2.0),
        ([float(v) for v in range(1, 101)], 95, 95.0),
        ([float(v) for v in range(1, 101)], 99, 99.0),
        ([float(v) for v in range(1, 101)], 100, 100.0),
    ],
)
def test_percentile_is_nearest_rank(values, q, expected):
    assert percentile(values, q) == expected


def test_result_from_latencies_sorts_and_counts():
    result = result_from_latencies([5.0, 1.0, 3.0, 2.0, 4.0], seconds=2.0, errors=1)
    assert result.requests == 5
    assert result.rps == 2.5
    assert result.p50_ms == 3.0
    assert result.max_ms == 5.0
    assert result.non_2xx == 1


def test_median_run_takes_each_figure_s_median_and_sums_errors():
    runs = [
        RunResult(100, 10.0, 5.0, 8.0, 9.0, 20.0, 30.0, non_2xx=1),
        RunResult(300, 10.0, 1.0, 2.0, 3.0, 10.0, 90.0),
        RunResult(200, 10.0, 3.0, 4.0, 6.0, 40.0, 50.0, socket_errors=2),
    ]
    summary = median_run(runs)
    assert summary.requests == 200
    assert (summary.p50_ms, summary.p95_ms, summary.p99_ms, summary.max_ms) == (3.0, 6.0, 20.0, 50.0)
    assert summary.non_2xx == 1
    assert summary.socket_errors == 2


def test_marks_for_gives_half_marks_and_zero_for_unanswered():
    view = {
        "questions": [
            {"question_number": 21, "marks": 2.0, "declared_unanswered": False},
            {"question_number": 22, "marks": 5.0, "declared_unanswered": False},
            {"question_number": 23, "marks": 3.0, "declared_unanswered": True},
        ]
    }
    assert marks_for(view) == [
        {"question_number": 21, "marks_awarded": 1.0},
        {"question_number": 22, "marks_awarded": 2.5},
        {"question_number": 23, "marks_awarded": 0},
    ]


def test_lua_strings_survive_closing_brackets(tmp_path):
    assert _lua_string('{"a": 1}') == '[=[{"a": 1}]=]'
    assert _lua_string("x]=]y") == "[==[x]=]y]==]"
    path = write_lua_items(tmp_path / "items.lua", [("tok", "/api/v1/x", json.dumps({"k": [1]})), ("t2", "/y", None)])
    text = path.read_text()
    assert text.startswith("return {")
    assert '{"tok", "/api/v1/x", [=[{"k": [1]}]=]},' in text
    assert '{"t2", "/y", nil},' in text


def _results() -> report.BenchResults:
    return report.BenchResults(
        started_at=datetime(2026, 1, 5, 10, 0, tzinfo=UTC),
        mode="quick mode",
        settings={"connections": 32, "seconds": 5, "warmup": 2, "runs": 3, "ceiling_seconds": 5, "web": "gunicorn"},
        machine={"nproc": "2", "cpu": "Test CPU", "ram": "1 GiB", "kernel": "k", "python": "3.11", "wrk": "wrk"},
        versions={"postgres": "15"},
    )


def test_report_replaces_only_the_generated_section(tmp_path):
    path = tmp_path / "benchmarks.md"
    path.write_text(
        f"# Benchmarks\n\nintro kept\n\n{report.START}\nold figures\n{report.END}\n\n## Decisions\nkept too\n"
    )
    report.write(path, _results())
    text = path.read_text()
    assert "intro kept" in text
    assert "## Decisions\nkept too" in text
    assert "old figures" not in text
    assert "Test CPU" in text
    assert text.count(report.START) == 1 and text.count(report.END) == 1


def test_report_creates_the_skeleton_when_missing(tmp_path):
    path = tmp_path / "docs" / "benchmarks.md"
    report.write(path, _results())
    text = path.read_text()
    assert text.startswith("# Benchmarks")
    assert "## Decisions" in text
    assert report.START in text and report.END in text


def test_marks_for_marks_alternative_a_of_a_choice_question():
    view = {
        "questions": [
            {"question_number": 24, "marks": 3.0, "declared_unanswered": False, "alternatives": [{}, {}]},
            {"question_number": 25, "marks": 2.0, "declared_unanswered": True, "alternatives": [{}, {}]},
        ]
    }
    assert marks_for(view) == [
        {"question_number": 24, "marks_awarded": 1.5, "choice": "a"},
        {"question_number": 25, "marks_awarded": 0},
    ]
