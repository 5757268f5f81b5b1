"""Set-based seeding: every row comes from INSERT … SELECT over generate_series, never a
Python loop per row. Helper tables live in the schema `bench` (unlogged) so later phases
can pick ids from them; the app never reads that schema.

Triggers (role checks on parent links, updated_at) are skipped while seeding with
session_replication_role = replica: the rows are consistent by construction, and the
row-by-row trigger and foreign-key checks would dominate the seed time.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field

import psycopg
from psycopg import sql

from mathvidya.identity import passwords
from tools.bench.config import BenchConfig

# Questions per unit by type: the proportions of a real CBSE bank (as tools/measure_questions).
TYPE_SHARES = (("MCQ", 1, 400), ("VSA", 2, 120), ("SA", 3, 100), ("LA", 5, 70), ("CASE", 4, 51))
# Exam types in the evaluated history, out of 1000 (MCQ-only plans always take section_mcq).
TEMPLATE_WEIGHTS = {"board_exam": 400, "section_mcq": 350, "section_vsa": 100, "section_sa": 100, "unit_practice": 4}
PLAN_CYCLE = ["basic"] * 6 + ["premium_mcq"] * 3 + ["premium"] * 8 + ["centum"] * 3  # 30/15/40/15 percent
FIRST_NAMES = [
    "Aarav",
    "Vivaan",
    "Aditya",
    "Diya",
    "Ananya",
    "Ishaan",
    "Saanvi",
    "Kabir",
    "Meera",
    "Rohan",
    "Priya",
    "Arjun",
    "Kavya",
    "Nikhil",
    "Sneha",
    "Rahul",
    "Pooja",
    "Siddharth",
    "Tanvi",
    "Varun",
]
LAST_NAMES = [
    "Sharma",
    "Verma",
    "Iyer",
    "Nair",
    "Patel",
    "Reddy",
    "Gupta",
    "Singh",
    "Das",
    "Mehta",
    "Kulkarni",
    "Joshi",
    "Banerjee",
    "Menon",
    "Rao",
    "Chopra",
    "Bose",
    "Pillai",
    "Kapoor",
    "Shah",
]
BATCH = 10_000
DEBUG_SQL = os.environ.get("BENCH_DEBUG_SQL", "") not in ("", "0")
LOAD_PLANS = "('premium', 'centum')"


def _array(values: list[str]) -> str:
    return "ARRAY[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def _run(conn: psycopg.Connection, *statements: str) -> None:
    for statement in statements:
        started = time.perf_counter()
        conn.execute(statement)
        if DEBUG_SQL:
            print(f"  {time.perf_counter() - started:7.3f}s  {' '.join(statement.split())[:110]}", flush=True)


def _seed_session(conn: psycopg.Connection) -> None:
    _run(
        conn,
        "SET session_replication_role = replica",
        "SET work_mem = '256MB'",
        "SET synchronous_commit = off",
        "SET temp_buffers = '256MB'",
    )


@dataclass
class SeedReport:
    timings: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def timed(self, name: str):
        report = self

        class _Timer:
            def __enter__(self):
                self.start = time.perf_counter()

            def __exit__(self, *exc):
                report.timings[name] = report.timings.get(name, 0.0) + time.perf_counter() - self.start

        return _Timer()


# --- people ---------------------------------------------------------------------------------------


def seed_people(conn: psycopg.Connection, cfg: BenchConfig) -> None:
    """Students (60 % class XII), parents linked, active subscriptions (30 % also an expired
    one), teachers (queue teachers carry the history; marker teachers the submit pool), an admin.
    Replica mode skips the trigger that fills users.email_key, so the inserts give the (ASCII)
    key themselves."""
    password_hash = sql.Literal(passwords.hash_password("bench-password-123")).as_string(conn)
    first, last = _array(FIRST_NAMES), _array(LAST_NAMES)
    n, p = cfg.students, cfg.parents
    _seed_session(conn)
    _run(
        conn,
        "CREATE SCHEMA IF NOT EXISTS bench",
        f"""CREATE UNLOGGED TABLE bench.students AS
            SELECT i, gen_random_uuid() AS user_id,
                   (CASE WHEN mod(i, 5) < 3 THEN 'XII' ELSE 'X' END)::student_class AS class,
                   (CASE WHEN i = 0 THEN 'premium' ELSE ({_array(PLAN_CYCLE)})[mod(i, 20) + 1] END)::plan_type
                       AS plan_type,
                   gen_random_uuid() AS subscription_id,
                   mod(i, {p}) AS parent_j
            FROM generate_series(0, {n - 1}) AS i""",
        "CREATE UNIQUE INDEX ON bench.students (i)",
        f"""CREATE UNLOGGED TABLE bench.parents AS
            SELECT j, gen_random_uuid() AS user_id FROM generate_series(0, {p - 1}) AS j""",
        f"""CREATE UNLOGGED TABLE bench.teachers AS
            SELECT k, gen_random_uuid() AS user_id,
                   CASE WHEN k < {cfg.teachers} THEN 'queue' ELSE 'marker' END AS kind,
                   CASE WHEN k < {cfg.teachers} THEN k ELSE k - {cfg.teachers} END AS kind_k
            FROM generate_series(0, {cfg.teachers + cfg.marker_teachers - 1}) AS k""",
        f"""INSERT INTO users (user_id, email, email_key, password_hash, role, first_name, last_name, student_class,
                               school_name, email_verified, show_on_leaderboard_as_initials, created_at)
            SELECT user_id, 'student-' || i || '@bench.mathvidya.test', 'student-' || i || '@bench.mathvidya.test',
                   {password_hash}, 'student',
                   ({first})[mod(i, 20) + 1], ({last})[mod(i / 20, 20) + 1], class,
                   'Kendriya Vidyalaya No. ' || mod(i, 50), true, mod(i, 10) = 0,
                   now() - make_interval(days => mod(i, 400) + 30)
            FROM bench.students""",
        f"""INSERT INTO users (user_id, email, email_key, password_hash, role, first_name, last_name, email_verified,
                               created_at)
            SELECT user_id, 'parent-' || j || '@bench.mathvidya.test', 'parent-' || j || '@bench.mathvidya.test',
                   {password_hash}, 'parent',
                   ({first})[mod(j + 7, 20) + 1], ({last})[mod(j / 20, 20) + 1], true,
                   now() - make_interval(days => mod(j, 400) + 31)
            FROM bench.parents""",
        f"""INSERT INTO users (user_id, email, email_key, password_hash, role, first_name, last_name, email_verified)
            SELECT user_id, kind || '-teacher-' || kind_k || '@bench.mathvidya.test',
                   kind || '-teacher-' || kind_k || '@bench.mathvidya.test', {password_hash}, 'teacher',
                   ({first})[mod(k + 3, 20) + 1], ({last})[mod(k + 11, 20) + 1], true
            FROM bench.teachers""",
        f"""INSERT INTO users (email, email_key, password_hash, role, first_name, last_name, email_verified)
            VALUES ('admin@bench.mathvidya.test', 'admin@bench.mathvidya.test', {password_hash},
                    'admin', 'Bench', 'Admin', true)""",
        """INSERT INTO parent_student_mappings (parent_user_id, student_user_id, relationship, is_primary)
           SELECT p.user_id, s.user_id, (CASE WHEN mod(s.i, 2) = 0 THEN 'mother' ELSE 'father' END)::relationship_type,
                  true
           FROM bench.students s JOIN bench.parents p ON p.j = s.parent_j""",
        # The current subscription: started 1-28 days ago (IST today is never before UTC today).
        """INSERT INTO subscriptions (subscription_id, student_user_id, plan_id, status, billing_cycle, start_date,
                                     end_date, billing_day_of_month, exams_used_this_period,
                                     last_counter_reset_date, amount_paid_paise, payment_provider,
                                     payment_reference, created_at)
           SELECT s.subscription_id, s.user_id, pl.plan_id, 'active', c.cycle, d.start,
                  d.start + CASE WHEN c.cycle = 'annual' THEN 365 ELSE 30 END,
                  least(extract(day FROM d.start)::int, 28), 0,
                  billing_period_start(least(extract(day FROM d.start)::int, 28), current_date),
                  CASE WHEN c.cycle = 'annual' THEN pl.annual_price_paise ELSE pl.monthly_price_paise END,
                  'razorpay', 'pay_bench_' || s.i, d.start
           FROM bench.students s
           JOIN subscription_plans pl ON pl.plan_type = s.plan_type
           CROSS JOIN LATERAL (SELECT current_date - 1 - mod(s.i, 28) AS start) d
           CROSS JOIN LATERAL (SELECT (CASE WHEN mod(s.i, 5) = 4 THEN 'annual' ELSE 'monthly' END)::billing_cycle
                               AS cycle) c""",
        """INSERT INTO subscriptions (student_user_id, plan_id, status, billing_cycle, start_date, end_date,
                                     billing_day_of_month, exams_used_this_period, amount_paid_paise, created_at)
           SELECT s.user_id, pl.plan_id, 'expired', 'monthly', cur.start_date - 30, cur.start_date,
                  cur.billing_day_of_month, 3, pl.monthly_price_paise, cur.start_date - 30
           FROM bench.students s
           JOIN subscriptions cur ON cur.subscription_id = s.subscription_id
           JOIN subscription_plans pl ON pl.plan_type = s.plan_type
           WHERE mod(s.i, 10) < 3""",
    )


# --- questions -------------------------------------------------------------------------------------


def questions_sql(per_unit_by_type: dict[str, int], class_filter: str | None = None) -> str:
    """INSERT … SELECT of active questions: for every unit of the class(es), this many of each type.

    The text is LaTeX of a realistic length; MCQs have four choices and one correct label.
    """
    values = ", ".join(f"('{qtype}', {marks}, {per_unit_by_type[qtype]})" for qtype, marks, _ in TYPE_SHARES)
    where = f"WHERE u.class = '{class_filter}'" if class_filter else ""
    return f"""
    INSERT INTO questions (class, unit, topic, question_type, marks, difficulty, question_text, mcq_choices,
                           mcq_correct_choices, correct_answer_text, explanation, tags, cbse_year, status, version,
                           created_at, approved_at)
    SELECT u.class, u.unit, u.unit || ': topic ' || (1 + mod(g, 6)), t.qtype::question_type, t.marks,
           (ARRAY['easy', 'medium', 'hard'])[1 + mod(g, 3)]::question_difficulty,
           format('%s question %s on %s: let $f(x) = %s x^{{%s}} + %s x - %s$ on $[0, %s]$. Evaluate '
                  '$\\int_0^{{%s}} f(x)\\,dx$, find the points where $f''(x) = 0$, and justify each step '
                  'using the standard results of this chapter.',
                  t.qtype, g, u.unit, 1 + mod(g, 9), 2 + mod(g, 4), 3 + mod(g, 7), mod(g, 11), 1 + mod(g, 5),
                  1 + mod(g, 5)),
           CASE WHEN t.qtype = 'MCQ' THEN jsonb_build_array(
               jsonb_build_object('label', 'A', 'text', '$' || (g + 1) || '/' || (mod(g, 7) + 2) || '$'),
               jsonb_build_object('label', 'B', 'text', '$' || (g + 2) || '/' || (mod(g, 7) + 3) || '$'),
               jsonb_build_object('label', 'C', 'text', '$\\sqrt{{' || (g + 3) || '}}$'),
               jsonb_build_object('label', 'D', 'text', 'None of these')) END,
           CASE WHEN t.qtype = 'MCQ' THEN ARRAY[chr(65 + mod(g, 4))] END,
           'The value is $' || (g + 1) || '/' || (mod(g, 7) + 2) || '$.',
           'Integrate term by term, then apply the fundamental theorem of calculus; the critical points '
               'follow from setting the derivative to zero (question ' || g || ').',
           CASE WHEN mod(g, 20) = 0 THEN ARRAY['pyq'] ELSE '{{}}'::text[] END,
           CASE WHEN mod(g, 20) = 0 THEN 2015 + mod(g, 10) END,
           'active', 1, now() - make_interval(days => 60 + mod(g, 300)), now() - make_interval(days => 59)
    FROM bench.units u
    CROSS JOIN (VALUES {values}) AS t(qtype, marks, n)
    CROSS JOIN LATERAL generate_series(1, t.n) AS g
    {where}
    """


def per_unit_counts(total: int, units: int) -> dict[str, int]:
    """How many of each type per unit so that the bank holds about ``total`` questions."""
    weight = sum(share for _, _, share in TYPE_SHARES)
    return {qtype: max(2, round(total / units * share / weight)) for qtype, _, share in TYPE_SHARES}


def seed_units(conn: psycopg.Connection) -> None:
    _run(
        conn,
        "CREATE SCHEMA IF NOT EXISTS bench",
        """CREATE UNLOGGED TABLE bench.units AS
           SELECT (CASE c.config_key WHEN 'cbse_units_class_xii' THEN 'XII' ELSE 'X' END)::student_class AS class,
                  u.unit, (u.ord - 1)::int AS unit_idx
           FROM system_config c, jsonb_array_elements_text(c.config_value) WITH ORDINALITY AS u(unit, ord)
           WHERE c.config_key IN ('cbse_units_class_xii', 'cbse_units_class_x')""",
        "CREATE UNLOGGED TABLE bench.unit_counts AS SELECT class, count(*)::int AS n FROM bench.units GROUP BY class",
    )


def seed_questions(conn: psycopg.Connection, cfg: BenchConfig) -> None:
    units = conn.execute("SELECT count(*) FROM bench.units").fetchone()[0]
    conn.execute(questions_sql(per_unit_counts(cfg.questions, units)))
    build_bank(conn)


def build_bank(conn: psycopg.Connection) -> None:
    """Every active question as the snapshot element start_exam writes, numbered within its
    (class, type, unit) so a random pick is one equality join."""
    _run(
        conn,
        "DROP TABLE IF EXISTS bench.bank, bench.bank_counts",
        """CREATE UNLOGGED TABLE bench.bank AS
           SELECT q.class, q.question_type::text AS qtype, u.unit_idx,
                  (row_number() OVER (PARTITION BY q.class, q.question_type, q.unit ORDER BY q.question_id) - 1)::int
                      AS rn,
                  q.question_id, q.mcq_correct_choices AS correct,
                  substr(jsonb_build_object(
                      'question_id', q.question_id::text, 'question_type', q.question_type, 'unit', q.unit,
                      'topic', q.topic, 'difficulty', q.difficulty, 'version', q.version,
                      'question_text', q.question_text, 'question_image_key', q.question_image_key,
                      'diagram_image_key', q.diagram_image_key, 'mcq_choices', q.mcq_choices,
                      'mcq_correct_choices', to_jsonb(q.mcq_correct_choices),
                      'correct_answer_text', q.correct_answer_text,
                      'correct_answer_image_key', q.correct_answer_image_key, 'explanation', q.explanation,
                      'explanation_image_key', q.explanation_image_key)::text, 2) AS elem_tail
           FROM questions q JOIN bench.units u ON u.class = q.class AND u.unit = q.unit
           WHERE q.status = 'active'""",
        "CREATE INDEX ON bench.bank (class, qtype, unit_idx, rn)",
        """CREATE UNLOGGED TABLE bench.bank_counts AS
           SELECT class, qtype, unit_idx, count(*)::int AS n FROM bench.bank GROUP BY 1, 2, 3""",
        "ANALYZE bench.bank",
    )


# --- templates ------------------------------------------------------------------------------------


def seed_templates(conn: psycopg.Connection) -> None:
    """The migration's default templates, flattened into one row per question place."""
    weights = " ".join(f"WHEN '{k}' THEN {v}" for k, v in TEMPLATE_WEIGHTS.items())
    _run(
        conn,
        """CREATE UNLOGGED TABLE bench.templates AS
           SELECT t.template_id, t.class, t.exam_type, t.total_marks, t.duration_minutes, t.config,
                  jsonb_build_object('template_id', t.template_id::text, 'template_name', t.template_name,
                                     'exam_type', t.exam_type, 'class', t.class, 'specific_unit', t.specific_unit,
                                     'config', t.config) AS template_json,
                  EXISTS (SELECT 1 FROM jsonb_array_elements(t.config -> 'sections') s
                          WHERE s ->> 'question_type' <> 'MCQ') AS has_written,
                  u.unit_idx AS fixed_unit_idx
           FROM exam_templates t
           LEFT JOIN bench.units u ON u.class = t.class AND u.unit = t.specific_unit
           WHERE t.is_active""",
        """CREATE UNLOGGED TABLE bench.slots AS
           SELECT t.template_id,
                  (row_number() OVER (PARTITION BY t.template_id ORDER BY s.ord, g))::int AS slot,
                  s.sec ->> 'section_name' AS section_name, s.sec ->> 'question_type' AS qtype,
                  (s.sec ->> 'marks_per_question')::numeric AS marks, t.fixed_unit_idx
           FROM bench.templates t
           CROSS JOIN LATERAL jsonb_array_elements(t.config -> 'sections') WITH ORDINALITY AS s(sec, ord)
           CROSS JOIN LATERAL generate_series(1, (s.sec ->> 'question_count')::int) AS g""",
        f"""CREATE UNLOGGED TABLE bench.template_pick AS
            SELECT t.class, (row_number() OVER (PARTITION BY t.class ORDER BY t.exam_type, t.template_id, g) - 1)::int
                       AS k,
                   t.template_id
            FROM bench.templates t
            CROSS JOIN LATERAL generate_series(1, CASE t.exam_type::text {weights} ELSE 0 END) AS g""",
        """CREATE UNLOGGED TABLE bench.template_pick_n AS
           SELECT class, count(*)::int AS n FROM bench.template_pick GROUP BY class""",
        "CREATE UNLOGGED TABLE bench.pool (kind text, exam_id uuid, student_id uuid, evaluation_id uuid)",
    )


# --- exams ------------------------------------------------------------------------------------------

# How each kind of exam is placed in time and what state it is in.
KINDS = {
    # the evaluated history: spread over the past year
    "evaluated": {"status": "evaluated", "started": "now() - p.r_time * interval '365 days'"},
    # being taken now (get exam, autosave, submit MCQ): deadline hours ahead
    "in_progress": {"status": "in_progress", "started": "now() - interval '5 minutes'"},
    # confirmed uploads with an open evaluation (teacher queues, submit evaluation)
    "pending_evaluation": {"status": "pending_evaluation", "started": "now() - p.r_time * interval '30 hours'"},
    # worker jobs: time ran out (auto-submit) / confirmed but never assigned (assignment)
    "overdue": {"status": "in_progress", "started": "now() - interval '4 hours'"},
    "unassigned": {"status": "pending_evaluation", "started": "now() - interval '2 hours'"},
}


def _student_pick(students_sql: str | None) -> str:
    if students_sql:
        return f"(SELECT array_agg(i ORDER BY i) AS ids FROM ({students_sql}) x)"
    return "(SELECT NULL::int[] AS ids)"


def exam_columns(conn: psycopg.Connection) -> set[str]:
    rows = conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'exam_instances'"
    ).fetchall()
    return {row[0] for row in rows}


def insert_exams(
    conn: psycopg.Connection,
    cfg: BenchConfig,
    kind: str,
    lo: int,
    hi: int,
    *,
    students_sql: str | None = None,
    teacher_kind: str = "queue",
    board_only: bool = False,
    minimal: bool = False,
) -> None:
    """Exams ``lo``..``hi - 1`` of one kind, with snapshots, MCQ answers, marks, evaluations and
    upload pages as the app would have written them. ``students_sql`` (a SELECT of student
    indexes) restricts who takes them, round robin; otherwise the first ``heavy_student_exams``
    belong to student 0 (the dashboard's heavy user) and the rest to random students.
    ``minimal`` writes exam rows only, with an empty question list (1M leaderboard rows).

    The per-question rows go in first (foreign-key checks off), then the exam rows with
    triggers on, so whatever the schema derives when an exam is written (e.g. per-unit
    scores of an evaluated exam) is derived exactly as for the app's own writes."""
    spec = KINDS[kind]
    status = spec["status"]
    scored = status != "in_progress"
    evaluated = status == "evaluated"
    heavy = cfg.heavy_student_exams if kind == "evaluated" and not students_sql else 0
    template_choice = (
        "board.template_id"
        if board_only
        else "CASE WHEN s.plan_type = 'premium_mcq' THEN mcq.template_id ELSE tp.template_id END"
    )
    teachers = cfg.teachers if teacher_kind == "queue" else cfg.marker_teachers
    _run(
        conn,
        "DROP TABLE IF EXISTS b_exam, b_el, b_agg",
        f"""CREATE TEMP TABLE b_exam AS
            WITH pool AS {_student_pick(students_sql)},
            picked AS (
                SELECT i, random() AS r_t, random() AS r_time, random() AS r_eval,
                       CASE WHEN pool.ids IS NOT NULL THEN pool.ids[1 + mod(i, cardinality(pool.ids))]
                            WHEN i < {heavy} THEN 0
                            ELSE 1 + floor(random() * {max(cfg.students - 1, 1)})::int END AS si
                FROM generate_series({lo}, {hi - 1}) AS i CROSS JOIN pool
            )
            SELECT p.i, gen_random_uuid() AS exam_id, gen_random_uuid() AS evaluation_id,
                   s.user_id AS student_id, s.class, s.subscription_id, s.plan_type,
                   t.template_id, t.exam_type, t.total_marks, t.duration_minutes, t.has_written, t.template_json,
                   st.started_at, p.r_eval, mod(p.i, {teachers}) AS teacher_k,
                   floor(random() * 2147483647)::bigint AS seed,
                   st.started_at + make_interval(mins => greatest(1, floor(t.duration_minutes * 0.8)::int)) AS mcq_at
            FROM picked p
            JOIN bench.students s ON s.i = p.si
            JOIN bench.template_pick_n pn ON pn.class = s.class
            JOIN bench.template_pick tp ON tp.class = s.class AND tp.k = floor(p.r_t * pn.n)::int
            JOIN bench.templates mcq ON mcq.class = s.class AND mcq.exam_type = 'section_mcq'
            JOIN bench.templates board ON board.class = s.class AND board.exam_type = 'board_exam'
            JOIN bench.templates t ON t.template_id = {template_choice}
            CROSS JOIN LATERAL (SELECT {spec["started"]} AS started_at) st""",
        """ALTER TABLE b_exam
               ADD COLUMN submitted_at timestamptz, ADD COLUMN sla_deadline timestamptz,
               ADD COLUMN completed_at timestamptz""",
        """UPDATE b_exam SET
               submitted_at = CASE WHEN has_written THEN mcq_at + interval '10 minutes' ELSE mcq_at END,
               sla_deadline = CASE WHEN has_written THEN mcq_at + interval '58 hours' END,
               completed_at = CASE WHEN has_written THEN mcq_at + interval '10 minutes'
                                                         + r_eval * interval '50 hours' END""",
    )
    if minimal:
        _run(
            conn,
            """CREATE TEMP TABLE b_agg AS
               SELECT e.exam_id, '[]'::jsonb AS questions, 0::numeric AS mcq_score, 0::numeric AS mcq_total,
                      round((e.r_eval * e.total_marks * 2)::numeric) / 2 AS manual, '{}'::int[] AS written
               FROM b_exam e""",
        )
    else:
        _run(
            conn,
            """CREATE TEMP TABLE b_el AS
               WITH s AS (
                   SELECT e.exam_id, e.class, sl.slot, sl.section_name, sl.qtype, sl.marks,
                          coalesce(sl.fixed_unit_idx, floor(random() * uc.n)::int) AS unit_idx,
                          random() AS r_q, random() AS r_a
                   FROM b_exam e
                   JOIN bench.slots sl ON sl.template_id = e.template_id
                   JOIN bench.unit_counts uc ON uc.class = e.class
               )
               SELECT s.exam_id, s.slot, s.section_name, s.qtype, s.marks, b.question_id, b.correct, s.r_a,
                      (s.qtype = 'MCQ' AND s.r_a < 0.62) AS is_correct,
                      CASE WHEN s.qtype = 'MCQ' THEN CASE WHEN s.r_a < 0.62 THEN s.marks ELSE 0 END
                           ELSE round(s.r_a::numeric * s.marks * 2) / 2 END AS awarded,
                      '{"marks": ' || s.marks || ', "section_name": ' || to_json(s.section_name)
                          || ', "question_number": ' || s.slot || ', ' || b.elem_tail AS elem
               FROM s
               JOIN bench.bank_counts c ON c.class = s.class AND c.qtype = s.qtype AND c.unit_idx = s.unit_idx
               JOIN bench.bank b ON b.class = s.class AND b.qtype = s.qtype AND b.unit_idx = s.unit_idx
                                AND b.rn = floor(s.r_q * c.n)::int""",
            """CREATE TEMP TABLE b_agg AS
               SELECT exam_id, ('[' || string_agg(elem, ', ' ORDER BY slot) || ']')::jsonb AS questions,
                      coalesce(sum(awarded) FILTER (WHERE qtype = 'MCQ'), 0) AS mcq_score,
                      coalesce(sum(marks) FILTER (WHERE qtype = 'MCQ'), 0) AS mcq_total,
                      sum(awarded) FILTER (WHERE qtype <> 'MCQ') AS manual,
                      coalesce(array_agg(slot ORDER BY slot) FILTER (WHERE qtype <> 'MCQ'), '{}') AS written
               FROM b_el GROUP BY exam_id""",
        )
        _insert_children(conn, kind, status, teacher_kind)
    columns = exam_columns(conn)
    evaluated_at = "evaluated_at" in columns and evaluated
    _run(
        conn,
        "SET session_replication_role = origin",
        f"""INSERT INTO exam_instances (
                exam_instance_id, student_user_id, template_id, subscription_id, exam_type, class, status, seed,
                exam_snapshot, total_marks, duration_minutes, started_at, mcq_submitted_at, submitted_at,
                deadline_at, sla_deadline, mcq_score, mcq_total, mcq_percentage, manual_score, total_score,
                percentage, created_at, updated_at{", evaluated_at" if evaluated_at else ""})
            SELECT e.exam_id, e.student_id, e.template_id, e.subscription_id, e.exam_type, e.class,
                   '{status}', e.seed,
                   jsonb_build_object('seed', e.seed, 'template', e.template_json, 'questions', a.questions),
                   e.total_marks, e.duration_minutes, e.started_at,
                   {"e.mcq_at" if scored else "NULL"}, {"e.submitted_at" if scored else "NULL"},
                   e.started_at + make_interval(mins => e.duration_minutes + 5),
                   {"e.sla_deadline" if scored else "NULL"},
                   {"a.mcq_score" if scored else "NULL"}, {"a.mcq_total" if scored else "NULL"},
                   {
            "CASE WHEN a.mcq_total > 0 THEN round(100 * a.mcq_score / a.mcq_total, 2) ELSE 0 END" if scored else "NULL"
        },
                   {"CASE WHEN e.has_written THEN a.manual END" if evaluated else "NULL"},
                   {"least(a.mcq_score + coalesce(a.manual, 0), e.total_marks)" if evaluated else "NULL"},
                   {
            "least(round(100 * (a.mcq_score + coalesce(a.manual, 0)) / e.total_marks, 2), 100)" if evaluated else "NULL"
        },
                   e.started_at, coalesce(e.completed_at, e.submitted_at, e.started_at)
                   {", coalesce(e.completed_at, e.mcq_at)" if evaluated_at else ""}
            FROM b_exam e
            JOIN b_agg a ON a.exam_id = e.exam_id""",
        "SET session_replication_role = replica",
        f"""INSERT INTO bench.pool (kind, exam_id, student_id, evaluation_id)
            SELECT '{kind}', e.exam_id, e.student_id,
                   CASE WHEN e.has_written AND '{kind}' IN ('evaluated', 'pending_evaluation')
                        THEN e.evaluation_id END
            FROM b_exam e""",
    )


def _insert_children(conn: psycopg.Connection, kind: str, status: str, teacher_kind: str) -> None:
    if status == "in_progress":
        # a few autosaved answers, not yet scored
        _run(
            conn,
            """INSERT INTO student_mcq_answers (exam_instance_id, question_number, question_id, selected_choices,
                                               answered_at)
               SELECT el.exam_id, el.slot, el.question_id, ARRAY['A'], now() - interval '2 minutes'
               FROM b_el el WHERE el.qtype = 'MCQ' AND el.slot <= 5""",
        )
        return
    _run(
        conn,
        """INSERT INTO student_mcq_answers (exam_instance_id, question_number, question_id, selected_choices,
                                           is_correct, marks_awarded, answered_at)
           SELECT el.exam_id, el.slot, el.question_id,
                  CASE WHEN el.r_a >= 0.95 THEN '{}'::text[]
                       WHEN el.is_correct THEN el.correct
                       ELSE ARRAY[CASE WHEN el.correct[1] = 'A' THEN 'B' ELSE 'A' END] END,
                  el.is_correct, el.awarded, e.started_at + interval '20 minutes'
           FROM b_el el JOIN b_exam e ON e.exam_id = el.exam_id WHERE el.qtype = 'MCQ'""",
        """INSERT INTO answer_sheet_uploads (exam_instance_id, page_number, s3_key, content_type, size_bytes,
                                            question_numbers, uploaded_at)
           SELECT e.exam_id, 1, 'answer-sheets/' || e.exam_id || '/' || e.student_id || '/1', 'image/jpeg',
                  240000 + mod(e.i, 50000), a.written, e.submitted_at
           FROM b_exam e JOIN b_agg a ON a.exam_id = e.exam_id WHERE e.has_written""",
    )
    if kind not in ("evaluated", "pending_evaluation"):
        return
    evaluated = status == "evaluated"
    open_status = "(CASE WHEN e.r_eval < 0.3 THEN 'in_progress' ELSE 'assigned' END)::evaluation_status"
    _run(
        conn,
        f"""INSERT INTO evaluations (evaluation_id, exam_instance_id, teacher_user_id, status, assigned_at,
                                     started_at, completed_at, sla_deadline, sla_breached, total_manual_marks,
                                     created_at, updated_at)
            SELECT e.evaluation_id, e.exam_id, t.user_id,
                   {"'completed'" if evaluated else open_status},
                   e.submitted_at + interval '5 minutes',
                   {
            "e.submitted_at + interval '1 hour'"
            if evaluated
            else "CASE WHEN e.r_eval < 0.3 THEN e.submitted_at + interval '1 hour' END"
        },
                   {"e.completed_at" if evaluated else "NULL"},
                   e.sla_deadline,
                   {"e.completed_at > e.sla_deadline" if evaluated else "false"},
                   {"a.manual" if evaluated else "NULL"},
                   e.submitted_at, e.submitted_at + interval '5 minutes'
            FROM b_exam e
            JOIN b_agg a ON a.exam_id = e.exam_id
            JOIN bench.teachers t ON t.kind = '{teacher_kind}' AND t.kind_k = e.teacher_k
            WHERE e.has_written""",
    )
    if evaluated:
        _run(
            conn,
            """INSERT INTO question_marks (evaluation_id, question_number, question_id, marks_awarded,
                                          marks_possible, teacher_comment)
               SELECT e.evaluation_id, el.slot, el.question_id, el.awarded, el.marks,
                      CASE WHEN el.r_a < 0.2 THEN 'Show the substitution step clearly.' END
               FROM b_el el JOIN b_exam e ON e.exam_id = el.exam_id WHERE el.qtype <> 'MCQ'""",
            # Step marks as for a two-step scheme (half the marks each; the first step is
            # earned first), so item analysis has step award rates to compute.
            """INSERT INTO question_step_marks (evaluation_id, question_number, step_number, question_id, step,
                                               marks_awarded, marks_possible)
               SELECT e.evaluation_id, el.slot, st.n, el.question_id, st.label,
                      CASE st.n WHEN 1 THEN least(el.awarded, el.marks / 2)
                                ELSE el.awarded - least(el.awarded, el.marks / 2) END,
                      el.marks / 2
               FROM b_el el JOIN b_exam e ON e.exam_id = el.exam_id
               CROSS JOIN (VALUES (1, 'Method'), (2, 'Answer')) AS st(n, label)
               WHERE el.qtype <> 'MCQ'""",
        )


def seed_history(conn_factory, cfg: BenchConfig, total: int, lo: int = 0, *, minimal: bool = False) -> None:
    """``total`` evaluated exams in batches, on two connections at once (one per core)."""
    batches = [(start, min(start + BATCH, lo + total)) for start in range(lo, lo + total, BATCH)]
    lock = threading.Lock()
    failures: list[BaseException] = []

    def work() -> None:
        with conn_factory() as conn:
            _seed_session(conn)
            while True:
                with lock:
                    if not batches or failures:
                        return
                    start, end = batches.pop(0)
                try:
                    insert_exams(conn, cfg, "evaluated", start, end, minimal=minimal)
                    conn.commit()
                except BaseException as exc:
                    failures.append(exc)
                    return

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


def load_students_sql(limit: int, offset: int = 0) -> str:
    """Students on plans with written exams and the leaderboard, skipping the heavy student 0."""
    return (
        f"SELECT i FROM bench.students WHERE plan_type IN {LOAD_PLANS} AND i > 0 "
        f"ORDER BY i LIMIT {limit} OFFSET {offset}"
    )


def seed_pools(conn: psycopg.Connection, cfg: BenchConfig, submit_mcq_pool: int, submit_eval_pool: int) -> None:
    """Exams the load needs in a live state: being taken (get/autosave), a one-shot pool for
    submit-mcq, open evaluations in teacher queues, and a one-shot pool for submit-evaluation."""
    _seed_session(conn)
    students = max(cfg.students // 10, 50)
    base = 10_000_000
    insert_exams(conn, cfg, "in_progress", base, base + cfg.in_progress_exams,
                 students_sql=load_students_sql(cfg.in_progress_exams), board_only=True)  # fmt: skip
    conn.execute("UPDATE bench.pool SET kind = 'taking' WHERE kind = 'in_progress'")
    base += 1_000_000
    insert_exams(conn, cfg, "in_progress", base, base + submit_mcq_pool,
                 students_sql=load_students_sql(students, cfg.in_progress_exams), board_only=True)  # fmt: skip
    conn.execute("UPDATE bench.pool SET kind = 'submit_mcq' WHERE kind = 'in_progress'")
    base += 1_000_000
    insert_exams(conn, cfg, "pending_evaluation", base, base + cfg.open_evaluations,
                 students_sql=load_students_sql(students), board_only=True)  # fmt: skip
    conn.execute("UPDATE bench.pool SET kind = 'queue' WHERE kind = 'pending_evaluation'")
    base += 1_000_000
    insert_exams(conn, cfg, "pending_evaluation", base, base + submit_eval_pool,
                 students_sql=load_students_sql(students), teacher_kind="marker", board_only=True)  # fmt: skip
    conn.execute("UPDATE bench.pool SET kind = 'submit_evaluation' WHERE kind = 'pending_evaluation'")


def seed_worker_pool(conn: psycopg.Connection, cfg: BenchConfig, count: int) -> None:
    """Half the jobs auto-submit exams whose time ran out, half assign confirmed exams."""
    _seed_session(conn)
    students = load_students_sql(max(cfg.students // 10, 50))
    base = 20_000_000
    insert_exams(conn, cfg, "overdue", base, base + count // 2, students_sql=students, board_only=True)
    insert_exams(conn, cfg, "unassigned", base + count, base + count + count - count // 2,
                 students_sql=students, board_only=True)  # fmt: skip


def vacuum_analyze(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")


def table_counts(conn: psycopg.Connection) -> dict[str, int]:
    counts = {}
    for table in ("users", "parent_student_mappings", "subscriptions", "questions", "exam_instances",
                  "student_mcq_answers", "evaluations", "question_marks", "question_step_marks",
                  "answer_sheet_uploads"):  # fmt: skip
        counts[table] = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    counts["evaluated_exams"] = conn.execute(
        "SELECT count(*) FROM exam_instances WHERE status = 'evaluated'"
    ).fetchone()[0]
    counts["students"] = conn.execute("SELECT count(*) FROM users WHERE role = 'student'").fetchone()[0]
    return counts


def database_size(conn: psycopg.Connection) -> str:
    return conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()[0]


def seed_all(url: str, cfg: BenchConfig, *, submit_mcq_pool: int, submit_eval_pool: int) -> SeedReport:
    report = SeedReport()

    def connect():
        return psycopg.connect(url)

    with connect() as conn:
        with report.timed("people"):
            seed_people(conn, cfg)
            conn.commit()
        with report.timed("questions"):
            seed_units(conn)
            seed_questions(conn, cfg)
            seed_templates(conn)
            conn.commit()
    with report.timed("exams"):
        seed_history(connect, cfg, cfg.exams)
    with connect() as conn:
        with report.timed("live pools"):
            seed_pools(conn, cfg, submit_mcq_pool, submit_eval_pool)
            conn.commit()
    with report.timed("vacuum analyze"):
        vacuum_analyze(url)
    with connect() as conn:
        report.counts = table_counts(conn)
        report.counts["database_size"] = database_size(conn)  # type: ignore[assignment]
    return report
