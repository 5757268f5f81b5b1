"""Measures the question bank at 20,000 questions: import speed (rows/s) and search latency,
and prints the query plans of the search.

Run: .venv/bin/python -m tools.measure_questions   (starts its own PostgreSQL and Redis)
Figures go to docs/questions.md by hand; nothing here is asserted.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import psycopg
from alembic import command
from alembic.config import Config
from psycopg.rows import dict_row

from mathvidya.config import Settings
from mathvidya.queries import queries
from mathvidya.questions.demo_bank import demo_questions
from tools.local_services import PostgresServer, redis_server

ROOT = Path(__file__).resolve().parent.parent
# 741 per chapter × 27 chapters = 20,007 questions
PER_CHAPTER = {"MCQ": 400, "VSA": 120, "SA": 100, "LA": 70, "CASE": 51}
ROWS_PER_FILE = 5_000  # each file stays under the 5 MB import limit
HEADER = ["Class", "Chapter/Unit", "Question Type", "Topic", "Difficulty", "Marks", "Question Text in LaTeX",
          "Option A text", "Option B text", "Option C text", "Option D text", "Correct option and answer",
          "Explanation or solution text in LaTeX", "image", "Tags"]  # fmt: skip
SEARCHES = {
    "no filter, page 1": {},
    "class": {"class": "XII"},
    "class + unit + type": {"class": "XII", "unit": "Integrals", "question_type": "MCQ"},
    "difficulty + status": {"difficulty": "hard", "status": "active"},
    "tag (5% of rows)": {"tag": "pyq"},
    "text: one word": {"q": "tangent"},
    "text: two words": {"q": "area bounded"},
    "text: phrase": {"q": '"angle of elevation"'},
    "text + class": {"q": "tangent", "class": "X"},
    "text, no match": {"q": "zebra"},
    "drafts (approval queue)": {"status": "draft"},
    "deep page (offset 5000)": {"offset": 5000},
}


def _csv_files(questions: list[dict]) -> list[bytes]:
    files = []
    for start in range(0, len(questions), ROWS_PER_FILE):
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for index, q in enumerate(questions[start : start + ROWS_PER_FILE], start=start):
            options = [c["text"] for c in (q.get("mcq_choices") or [])] + [""] * 4
            correct = q.get("correct_answer_text") or ""
            if q.get("mcq_correct_choices"):
                correct = f"{q['mcq_correct_choices'][0]}, {correct}"
            tags = "pyq" if index % 20 == 0 else ""
            first = [q["class"], q["unit"], q["question_type"], q["topic"], q["difficulty"], q["marks"]]
            writer.writerow([*first, q["question_text"], *options[:4], correct, q.get("explanation") or "", "", tags])
        files.append(out.getvalue().encode("utf-8"))
    return files


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return f"p50 {p50:6.2f} ms  p95 {p95:6.2f} ms"


def main() -> None:  # noqa: PLR0915 - a linear script
    base = Path(tempfile.mkdtemp(prefix="mv-measure-q-"))
    os.chmod(base, 0o755)
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "measure")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "measure")
    pg = PostgresServer(base / "pg").start()
    rd = redis_server(base / "redis").start()
    try:
        url = pg.create_database("measure")
        config = Config(str(ROOT / "alembic.ini"))
        config.attributes.update(database_url=url, configure_logger=False)
        command.upgrade(config, "head")
        settings = Settings(env="test", database_url=url, redis_url=f"redis://127.0.0.1:{rd.port}/0",
                            log_level="WARNING", s3_endpoint_url="http://127.0.0.1:9")  # fmt: skip
        from mathvidya import create_app
        from tests.factories import make_user

        app = create_app(settings)
        client = app.test_client()
        admin, teacher = make_user(app, "admin"), make_user(app, "teacher")

        questions = demo_questions(PER_CHAPTER)
        files = _csv_files(questions)
        print(f"bank: {len(questions)} generated questions in {len(files)} CSV files "
              f"({', '.join(f'{len(f) / 1e6:.1f} MB' for f in files)})")  # fmt: skip

        def post(data: bytes, dry_run: bool) -> dict:
            form = {"file": (io.BytesIO(data), "bank.csv"), "dry_run": "true" if dry_run else "false"}
            response = client.post("/api/v1/questions/import", data=form, headers=teacher["headers"],
                                   content_type="multipart/form-data")  # fmt: skip
            assert response.status_code == 200, response.get_json()
            return response.get_json()

        for dry_run in (True, False):
            start, imported = time.perf_counter(), 0
            for data in files:
                report = post(data, dry_run)
                imported += report["imported"] if not dry_run else report["importable"]
            elapsed = time.perf_counter() - start
            label = "dry run " if dry_run else "real run"
            print(f"import {label}: {imported} rows in {elapsed:.2f} s = {imported / elapsed:,.0f} rows/s")
        start = time.perf_counter()
        again = sum(post(data, False)["duplicates"] for data in files)
        elapsed = time.perf_counter() - start
        print(f"re-import (all duplicates): {again} rows in {elapsed:.2f} s = {again / elapsed:,.0f} rows/s")

        with psycopg.connect(url, autocommit=True) as conn:
            # 90% approved, like a bank in use; then fresh statistics
            conn.execute("UPDATE questions SET status = 'active' WHERE abs(hashtext(question_id::text)) % 10 <> 0")
            conn.execute("VACUUM ANALYZE questions")

        print("\nsearch over HTTP (Flask test client, in process; 300 requests each, admin):")
        for name, params in SEARCHES.items():
            samples, total = [], 0
            for i in range(300):
                start = time.perf_counter()
                response = client.get("/api/v1/questions", query_string={"limit": 20, **params},
                                      headers=admin["headers"])  # fmt: skip
                if i >= 20:  # warm-up
                    samples.append((time.perf_counter() - start) * 1000)
                total = response.get_json()["total"]
            print(f"  {name:28} total {total:6}  {_percentiles(samples)}")
        samples = []
        for i in range(300):
            start = time.perf_counter()
            client.get("/api/v1/questions", query_string={"q": "tangent"}, headers=teacher["headers"])
            if i >= 20:
                samples.append((time.perf_counter() - start) * 1000)
        print(f"  {'text, as a teacher':28}               {_percentiles(samples)}")

        print("\nsearch SQL alone (count + page, psycopg):")
        from mathvidya.questions import repository

        with psycopg.connect(url, row_factory=dict_row) as conn:
            for name, params in SEARCHES.items():
                filters = {k: None for k in ("class", "unit", "question_type", "difficulty", "status", "tag", "q")}
                filters.update({k: v for k, v in params.items() if k != "offset"})
                filters["viewer_id"] = None
                samples = []
                for i in range(300):
                    start = time.perf_counter()
                    with conn.transaction():
                        repository.search_questions(conn, filters, 20, params.get("offset", 0))
                    if i >= 20:
                        samples.append((time.perf_counter() - start) * 1000)
                print(f"  {name:28} {_percentiles(samples)}")

            print("\nquery plans (EXPLAIN ANALYZE):")
            search_sql = queries("questions").search_questions.sql
            count_sql = queries("questions").count_questions.sql
            shown = ("class + unit + type", "text: one word", "tag (5% of rows)", "no filter, page 1", "class")
            for name in (*shown, "drafts (approval queue)"):
                filters = {k: None for k in ("class_", "unit", "question_type", "difficulty", "status", "tag", "q")}
                filters.update({("class_" if k == "class" else k): v for k, v in SEARCHES[name].items()})
                filters.update(viewer_id=None, limit=20, offset=0)
                for label, sql in (("page", search_sql), ("count", count_sql)):
                    with conn.transaction():
                        conn.execute("SET LOCAL plan_cache_mode = force_custom_plan")
                        plan = conn.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql, filters).fetchall()
                    print(f"--- {name} ({label})")
                    for row in plan:
                        print("    " + row["QUERY PLAN"])
    finally:
        rd.stop()
        pg.stop()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
