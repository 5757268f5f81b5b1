"""After `make test`: combine the coverage of every process, write the reports, print where
they are, and fail when branch coverage of mathvidya/ falls below the floor.

    python -m tests.coverage_gate --branch-floor 92
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import coverage

CONFIG = "tests/coverage.ini"
REPORT_DIR = Path(".local/coverage")


def branch_and_line_percent(json_report: Path) -> tuple[float, float]:
    totals = json.loads(json_report.read_text())["totals"]
    branches = 100.0 * totals["covered_branches"] / max(totals["num_branches"], 1)
    lines = 100.0 * totals["covered_lines"] / max(totals["num_statements"], 1)
    return branches, lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--branch-floor", type=float, required=True)
    args = parser.parse_args(argv)

    cov = coverage.Coverage(config_file=CONFIG)
    cov.combine(keep=False)
    cov.save()
    html = cov.html_report()
    json_report = REPORT_DIR / "coverage.json"
    cov.json_report(outfile=str(json_report))
    branches, lines = branch_and_line_percent(json_report)
    print(
        f"coverage of mathvidya/: {lines:.1f} % of lines, {branches:.1f} % of branches "
        f"(combined {html:.1f} %); report: {(REPORT_DIR / 'html' / 'index.html').resolve()}"
    )
    if branches < args.branch_floor:
        print(f"branch coverage {branches:.1f} % is below the floor of {args.branch_floor} %", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
