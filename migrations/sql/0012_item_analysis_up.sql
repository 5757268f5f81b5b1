-- ---------------------------------------------------------------------------------------
-- item_analysis_runs: one row per run of the measurement, with the extent of its inputs,
-- so that any figure shown later can be explained (which exams, up to when, what minimum).
-- ---------------------------------------------------------------------------------------
CREATE TABLE item_analysis_runs (
    run_id             uuid PRIMARY KEY,
    started_at         timestamptz NOT NULL,
    computed_at        timestamptz NOT NULL,
    exams_considered   integer NOT NULL,
    evaluated_from     timestamptz,
    evaluated_to       timestamptz,
    questions_measured integer NOT NULL,
    min_attempts       integer NOT NULL,
    CONSTRAINT item_analysis_runs_counts CHECK (exams_considered >= 0 AND questions_measured >= 0),
    CONSTRAINT item_analysis_runs_min_attempts CHECK (min_attempts >= 1)
);
CREATE INDEX item_analysis_runs_computed_idx ON item_analysis_runs (computed_at DESC);

-- ---------------------------------------------------------------------------------------
-- question_analysis: the latest figures of each question version (replaced by every run;
-- run_id says which run computed them). Fractions are 0..1; discrimination is -1..1 and
-- null below the configured minimum of attempts.
-- ---------------------------------------------------------------------------------------
CREATE TABLE question_analysis (
    question_id         uuid NOT NULL REFERENCES questions (question_id) ON DELETE CASCADE,
    question_version    integer NOT NULL,
    run_id              uuid NOT NULL REFERENCES item_analysis_runs (run_id),
    attempts            integer NOT NULL,
    facility            numeric(5, 4),
    discrimination      numeric(5, 4),
    choice_shares       jsonb,
    step_award_rates    jsonb,
    flags               text[] NOT NULL DEFAULT '{}',
    measured_difficulty text,
    PRIMARY KEY (question_id, question_version),
    CONSTRAINT question_analysis_attempts CHECK (attempts >= 0),
    CONSTRAINT question_analysis_facility CHECK (facility BETWEEN 0 AND 1),
    CONSTRAINT question_analysis_discrimination CHECK (discrimination BETWEEN -1 AND 1),
    CONSTRAINT question_analysis_difficulty CHECK (measured_difficulty IN ('easy', 'medium', 'hard'))
);
-- The admin list filters by flag.
CREATE INDEX question_analysis_flags_idx ON question_analysis USING gin (flags);
