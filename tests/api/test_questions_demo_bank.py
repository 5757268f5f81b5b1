"""seed-demo's question bank on a real database: idempotent, active, and enough for every
default template many times over."""

from __future__ import annotations

import psycopg
from psycopg.rows import dict_row

from mathvidya.db import job_connection
from mathvidya.questions.demo_bank import PER_CHAPTER, seed_demo_questions
from mathvidya.questions.template_defaults import default_templates

TIMES_OVER = 2


def test_seed_demo_questions_is_idempotent_and_feeds_every_default_template(fresh_database_url):
    total = 27 * sum(PER_CHAPTER.values())
    reports = []
    for _ in range(2):
        with job_connection(fresh_database_url) as conn:
            reports.append(seed_demo_questions(conn))
        with psycopg.connect(fresh_database_url) as conn:
            assert conn.execute("SELECT count(*) FROM questions").fetchone()[0] == total
    assert reports[0][0].startswith(f"questions: {total} added, 0 already present")
    assert reports[1][0].startswith(f"questions: 0 added, {total} already present")

    with psycopg.connect(fresh_database_url, row_factory=dict_row) as conn:
        rows = conn.execute(
            "SELECT class::text AS class, question_type::text AS question_type, unit, status::text AS status, "
            "count(*) AS n FROM questions GROUP BY 1, 2, 3, 4"
        ).fetchall()
    assert {row["status"] for row in rows} == {"active"}
    available = {(row["class"], row["question_type"], row["unit"]): row["n"] for row in rows}
    for template in default_templates():
        for section in template["config"]["sections"]:
            for unit, weight in section["unit_weightage"].items():
                needed = -(-section["question_count"] * weight // 1)  # the unit's share, rounded up
                have = available[(template["class"], section["question_type"], unit)]
                assert have >= TIMES_OVER * needed, (template["template_name"], section["section_name"], unit)
