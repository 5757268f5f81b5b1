"""The repository stands on its own: no file points at a document outside it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
TEXT_SUFFIXES = {".py", ".md", ".sql", ".toml", ".txt", ".in", ".ini", ".cfg", ".html", ""}
OUTSIDE = re.compile(r"\b(?:API|PRODUCT|ARCHITECTURE)\.md\b|STACK-NOTES|\bshared/(?:spec|data)\b")


def test_no_tracked_file_refers_to_a_document_outside_the_repository():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    offenders = []
    for name in tracked.split():
        path = ROOT / name
        if path == Path(__file__).resolve():
            continue
        if path.suffix in TEXT_SUFFIXES and path.is_file():
            text = path.read_text(errors="ignore")
            offenders += [f"{name}:{n}" for n, line in enumerate(text.splitlines(), 1) if OUTSIDE.search(line)]
    assert offenders == []
