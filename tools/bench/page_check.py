"""The upload quality gate's cost per page (mathvidya/exams/page_quality.py): drawn pages
of handwriting at phone-photo and scan sizes, JPEG and PNG, timed in this process."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field

from mathvidya.exams import page_quality
from tools.page_images import handwriting_page, jpeg_bytes, png_bytes

PAGES = (
    ("JPEG 3000×4000 (phone photo)", 3000, 4000, "image/jpeg"),
    ("JPEG 1240×1754 (scan)", 1240, 1754, "image/jpeg"),
    ("PNG 1240×1754 (scan)", 1240, 1754, "image/png"),
)
RUNS = 9


@dataclass
class PageCheckResult:
    label: str
    size_bytes: int
    runs_ms: list[float] = field(default_factory=list)
    # CPU time of this thread: what the check costs, whatever else the machine runs.
    cpu_ms: list[float] = field(default_factory=list)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.runs_ms)


def measure(runs: int = RUNS) -> list[PageCheckResult]:
    results = []
    for label, width, height, content_type in PAGES:
        image = handwriting_page(width, height, seed=5)
        data = jpeg_bytes(image) if content_type == "image/jpeg" else png_bytes(image)
        page_quality.page_problems(data, content_type, 600)  # warm-up
        result = PageCheckResult(label, len(data))
        for _ in range(runs):
            started, cpu = time.perf_counter(), time.thread_time()
            page_quality.page_problems(data, content_type, 600)
            result.runs_ms.append((time.perf_counter() - started) * 1000)
            result.cpu_ms.append((time.thread_time() - cpu) * 1000)
        results.append(result)
    return results
