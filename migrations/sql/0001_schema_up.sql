-- Mathvidya schema, revision 0001: the whole data model (docs/database.md).
--
-- Run by alembic through exec_driver_sql, so this file must contain no percent sign.
--
-- Conventions: UUID primary keys (gen_random_uuid), TIMESTAMPTZ everywhere, money as
-- integer paise (bigint), marks and scores as NUMERIC.
--
-- Errors raised by the triggers below (the app maps them by SQLSTATE and constraint name):
--   23514 check_violation        parent_student_mappings_role_check: a mapping whose
--                                parent is not a parent or student not a student, or a
--                                role change of a user that such a mapping names
--                                (CONSTRAINT users_role_mapped)
--   23001 restrict_violation     exam_instances_snapshot_immutable: an UPDATE that changes
--                                exam_snapshot, seed, template_id or student_user_id
--   42501 insufficient_privilege audit_logs_append_only / question_versions_append_only:
--                                UPDATE, DELETE or TRUNCATE of an append-only table

CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE EXTENSION IF NOT EXISTS pgcrypto;

-- ---------------------------------------------------------------------------------------
-- Enumerations
-- ---------------------------------------------------------------------------------------
CREATE TYPE user_role AS ENUM ('student', 'parent', 'teacher', 'admin');
CREATE TYPE relationship_type AS ENUM ('father', 'mother', 'guardian', 'other');
CREATE TYPE plan_type AS ENUM ('basic', 'premium_mcq', 'premium', 'centum');
CREATE TYPE subscription_status AS ENUM ('active', 'expired', 'cancelled', 'pending');
CREATE TYPE billing_cycle AS ENUM ('monthly', 'annual');
CREATE TYPE student_class AS ENUM ('X', 'XII');
CREATE TYPE question_type AS ENUM ('MCQ', 'VSA', 'SA', 'LA', 'CASE');
CREATE TYPE question_difficulty AS ENUM ('easy', 'medium', 'hard');
CREATE TYPE question_status AS ENUM ('draft', 'active', 'archived');
CREATE TYPE exam_type AS ENUM ('board_exam', 'section_mcq', 'section_vsa', 'section_sa', 'unit_practice');
CREATE TYPE exam_status AS ENUM (
    'created', 'in_progress', 'submitted_mcq', 'pending_upload', 'uploaded',
    'pending_evaluation', 'evaluated'
);
CREATE TYPE evaluation_status AS ENUM ('assigned', 'in_progress', 'completed');

-- ---------------------------------------------------------------------------------------
-- Shared trigger functions
-- ---------------------------------------------------------------------------------------

-- Keeps updated_at current on every UPDATE (the app never has to remember it).
CREATE FUNCTION set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

-- Refuses any change to an append-only table (row-level UPDATE/DELETE, statement-level
-- TRUNCATE). SQLSTATE 42501 insufficient_privilege, constraint name <table>_append_only.
CREATE FUNCTION refuse_append_only_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING
              MESSAGE = TG_TABLE_NAME || ' is append-only: ' || TG_OP || ' is not allowed',
              ERRCODE = 'insufficient_privilege',
              CONSTRAINT = TG_TABLE_NAME || '_append_only',
              TABLE = TG_TABLE_NAME,
              HINT = 'Audit and history rows are written once and never changed.';
END;
$$;

-- Labels of an MCQ choice list [{"label": "A", ...}, ...]; used by a CHECK on questions.
CREATE FUNCTION mcq_choice_labels(choices jsonb) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(elem ->> 'label'), '{}'::text[])
    FROM jsonb_array_elements(CASE WHEN jsonb_typeof(choices) = 'array' THEN choices ELSE '[]'::jsonb END) AS elem
$$;

-- ---------------------------------------------------------------------------------------
-- users
-- ---------------------------------------------------------------------------------------
CREATE TABLE users (
    user_id                         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email                           text NOT NULL,
    password_hash                   text NOT NULL,
    role                            user_role NOT NULL,
    first_name                      text NOT NULL,
    last_name                       text NOT NULL,
    phone                           text,
    student_class                   student_class,
    school_name                     text,
    is_active                       boolean NOT NULL DEFAULT true,
    email_verified                  boolean NOT NULL DEFAULT false,
    token_version                   integer NOT NULL DEFAULT 0,
    show_on_leaderboard_as_initials boolean NOT NULL DEFAULT false,
    photo_key                       text,
    email_opt_out                   jsonb NOT NULL DEFAULT '{}'::jsonb,
    last_login_at                   timestamptz,
    created_at                      timestamptz NOT NULL DEFAULT now(),
    updated_at                      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_student_has_class CHECK (role <> 'student' OR student_class IS NOT NULL),
    CONSTRAINT users_email_format CHECK (position('@' IN email) > 1 AND email = btrim(email)),
    CONSTRAINT users_token_version_nonnegative CHECK (token_version >= 0),
    CONSTRAINT users_email_opt_out_object CHECK (jsonb_typeof(email_opt_out) = 'object')
);
-- Emails are unique case-insensitively.
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));
CREATE INDEX users_role_active_idx ON users (role, is_active);
CREATE INDEX users_student_class_idx ON users (student_class) WHERE role = 'student';
CREATE TRIGGER users_set_updated_at BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- ---------------------------------------------------------------------------------------
-- parent_student_mappings
-- ---------------------------------------------------------------------------------------
CREATE TABLE parent_student_mappings (
    mapping_id      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    parent_user_id  uuid NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    student_user_id uuid NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    relationship    relationship_type NOT NULL DEFAULT 'other',
    is_primary      boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT parent_student_mappings_not_self CHECK (parent_user_id <> student_user_id),
    CONSTRAINT parent_student_mappings_pair_key UNIQUE (parent_user_id, student_user_id)
);
CREATE INDEX parent_student_mappings_student_idx ON parent_student_mappings (student_user_id);

-- The parent must be a parent and the student a student. The user rows are locked FOR
-- SHARE so a concurrent role change waits for this insert (and then sees the mapping).
-- A missing user is left to the foreign key (23503).
CREATE FUNCTION check_parent_student_roles() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    parent_role  user_role;
    student_role user_role;
BEGIN
    SELECT role INTO parent_role FROM users WHERE user_id = NEW.parent_user_id FOR SHARE;
    SELECT role INTO student_role FROM users WHERE user_id = NEW.student_user_id FOR SHARE;
    IF parent_role IS NOT NULL AND parent_role <> 'parent' THEN
        RAISE EXCEPTION USING
                  MESSAGE = 'parent_user_id ' || NEW.parent_user_id || ' has role ' || parent_role || ', not parent',
                  ERRCODE = 'check_violation',
                  CONSTRAINT = 'parent_student_mappings_role_check',
                  TABLE = 'parent_student_mappings';
    END IF;
    IF student_role IS NOT NULL AND student_role <> 'student' THEN
        RAISE EXCEPTION USING
                  MESSAGE = 'student_user_id ' || NEW.student_user_id || ' has role ' || student_role || ', not student',
                  ERRCODE = 'check_violation',
                  CONSTRAINT = 'parent_student_mappings_role_check',
                  TABLE = 'parent_student_mappings';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER parent_student_mappings_role_check
    BEFORE INSERT OR UPDATE OF parent_user_id, student_user_id ON parent_student_mappings
    FOR EACH ROW EXECUTE FUNCTION check_parent_student_roles();

-- The other side of the same guarantee: a user named by a mapping keeps the role the
-- mapping needs (remove the mapping first).
CREATE FUNCTION check_mapped_user_role_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF (OLD.role = 'parent' AND EXISTS (
            SELECT 1 FROM parent_student_mappings WHERE parent_user_id = OLD.user_id))
       OR (OLD.role = 'student' AND EXISTS (
            SELECT 1 FROM parent_student_mappings WHERE student_user_id = OLD.user_id)) THEN
        RAISE EXCEPTION USING
                  MESSAGE = 'user ' || OLD.user_id || ' is linked as a ' || OLD.role
                            || '; remove the parent-student links before changing the role',
                  ERRCODE = 'check_violation',
                  CONSTRAINT = 'users_role_mapped',
                  TABLE = 'users';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER users_role_mapped
    BEFORE UPDATE OF role ON users
    FOR EACH ROW WHEN (OLD.role IS DISTINCT FROM NEW.role)
    EXECUTE FUNCTION check_mapped_user_role_change();

-- ---------------------------------------------------------------------------------------
-- subscription_plans
-- ---------------------------------------------------------------------------------------
CREATE TABLE subscription_plans (
    plan_id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    plan_type                  plan_type NOT NULL,
    plan_name                  text NOT NULL,
    exams_limit_per_month      integer NOT NULL,
    teacher_hours_per_month    numeric(6, 2),            -- NULL = unlimited
    allows_board_exam          boolean NOT NULL DEFAULT true,
    allows_section_exam        boolean NOT NULL DEFAULT true,
    allows_unit_practice       boolean NOT NULL DEFAULT false,
    manual_evaluation_included boolean NOT NULL DEFAULT true,
    leaderboard_access         boolean NOT NULL DEFAULT false,
    sla_hours                  integer NOT NULL,
    monthly_price_paise        bigint NOT NULL,
    annual_price_paise         bigint NOT NULL,
    priority                   integer NOT NULL DEFAULT 1,  -- higher first in teacher queues
    is_active                  boolean NOT NULL DEFAULT true,
    created_at                 timestamptz NOT NULL DEFAULT now(),
    updated_at                 timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT subscription_plans_plan_type_key UNIQUE (plan_type),
    CONSTRAINT subscription_plans_exams_limit_nonnegative CHECK (exams_limit_per_month >= 0),
    CONSTRAINT subscription_plans_teacher_hours_nonnegative
        CHECK (teacher_hours_per_month IS NULL OR teacher_hours_per_month >= 0),
    CONSTRAINT subscription_plans_sla_hours_positive CHECK (sla_hours > 0),
    CONSTRAINT subscription_plans_prices_nonnegative
        CHECK (monthly_price_paise >= 0 AND annual_price_paise >= 0),
    CONSTRAINT subscription_plans_priority_positive CHECK (priority > 0)
);
CREATE TRIGGER subscription_plans_set_updated_at BEFORE UPDATE ON subscription_plans
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- ---------------------------------------------------------------------------------------
-- subscriptions
-- ---------------------------------------------------------------------------------------
CREATE TABLE subscriptions (
    subscription_id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    student_user_id         uuid NOT NULL REFERENCES users (user_id),
    plan_id                 uuid NOT NULL REFERENCES subscription_plans (plan_id),
    status                  subscription_status NOT NULL DEFAULT 'pending',
    billing_cycle           billing_cycle NOT NULL DEFAULT 'monthly',
    start_date              date NOT NULL,
    end_date                date NOT NULL,
    billing_day_of_month    smallint NOT NULL,
    exams_used_this_period  integer NOT NULL DEFAULT 0,
    last_counter_reset_date date,
    amount_paid_paise       bigint NOT NULL DEFAULT 0,
    payment_provider        text,
    payment_reference       text,
    created_by              uuid REFERENCES users (user_id) ON DELETE SET NULL,
    cancelled_at            timestamptz,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT subscriptions_dates_ordered CHECK (end_date > start_date),
    CONSTRAINT subscriptions_billing_day_range CHECK (billing_day_of_month BETWEEN 1 AND 28),
    CONSTRAINT subscriptions_exams_used_nonnegative CHECK (exams_used_this_period >= 0),
    CONSTRAINT subscriptions_amount_nonnegative CHECK (amount_paid_paise >= 0),
    -- One student never holds two active subscriptions whose [start, end) ranges overlap.
    CONSTRAINT subscriptions_no_overlapping_active EXCLUDE USING gist (
        student_user_id WITH =,
        daterange(start_date, end_date, '[)') WITH &&
    ) WHERE (status = 'active')
);
CREATE INDEX subscriptions_student_idx ON subscriptions (student_user_id, start_date DESC);
CREATE INDEX subscriptions_active_end_idx ON subscriptions (end_date) WHERE status = 'active';
-- A gateway payment turns into at most one subscription (verify replays find it).
CREATE UNIQUE INDEX subscriptions_payment_reference_key
    ON subscriptions (payment_provider, payment_reference) WHERE payment_reference IS NOT NULL;
CREATE TRIGGER subscriptions_set_updated_at BEFORE UPDATE ON subscriptions
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- ---------------------------------------------------------------------------------------
-- questions and their append-only history
-- ---------------------------------------------------------------------------------------
CREATE TABLE questions (
    question_id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    class                    student_class NOT NULL,
    unit                     text NOT NULL,
    topic                    text,
    question_type            question_type NOT NULL,
    marks                    numeric(4, 1) NOT NULL,
    difficulty               question_difficulty NOT NULL DEFAULT 'medium',
    question_text            text,
    question_image_key       text,
    diagram_image_key        text,
    mcq_choices              jsonb,          -- [{"label": "A", "text": ..., "image_key": ...}]
    mcq_correct_choices      text[],         -- labels, e.g. {A} or {A,C}
    correct_answer_text      text,
    correct_answer_image_key text,
    explanation              text,
    explanation_image_key    text,
    tags                     text[] NOT NULL DEFAULT '{}',
    cbse_year                integer,
    status                   question_status NOT NULL DEFAULT 'draft',
    version                  integer NOT NULL DEFAULT 1,
    created_by               uuid REFERENCES users (user_id) ON DELETE SET NULL,
    approved_by              uuid REFERENCES users (user_id) ON DELETE SET NULL,
    approved_at              timestamptz,
    created_at               timestamptz NOT NULL DEFAULT now(),
    updated_at               timestamptz NOT NULL DEFAULT now(),
    search_vector            tsvector GENERATED ALWAYS AS (
        to_tsvector('english',
            coalesce(topic, '') || ' ' || coalesce(question_text, '') || ' ' || coalesce(unit, ''))
    ) STORED,
    CONSTRAINT questions_text_or_image CHECK (
        nullif(btrim(question_text), '') IS NOT NULL OR nullif(btrim(question_image_key), '') IS NOT NULL
    ),
    CONSTRAINT questions_marks_match_type CHECK (
        CASE question_type
            WHEN 'MCQ'  THEN marks = 1
            WHEN 'VSA'  THEN marks = 2
            WHEN 'SA'   THEN marks = 3
            WHEN 'LA'   THEN marks IN (5, 6)
            WHEN 'CASE' THEN marks = 4
        END
    ),
    -- An MCQ has at least two labelled choices and one or more correct labels among them.
    CONSTRAINT questions_mcq_has_choices CHECK (
        question_type <> 'MCQ' OR (
            mcq_choices IS NOT NULL
            AND cardinality(mcq_choice_labels(mcq_choices)) >= 2
            AND mcq_correct_choices IS NOT NULL
            AND cardinality(mcq_correct_choices) >= 1
            AND mcq_correct_choices <@ mcq_choice_labels(mcq_choices)
        )
    ),
    CONSTRAINT questions_version_positive CHECK (version > 0),
    CONSTRAINT questions_cbse_year_range CHECK (cbse_year IS NULL OR cbse_year BETWEEN 1950 AND 2200),
    CONSTRAINT questions_unit_not_blank CHECK (btrim(unit) <> '')
);
CREATE INDEX questions_search_idx ON questions USING gin (search_vector);
CREATE INDEX questions_tags_idx ON questions USING gin (tags);
CREATE INDEX questions_filter_idx ON questions (class, question_type, unit, status);
-- Exam generation draws only active questions of one class/type/unit.
CREATE INDEX questions_active_pick_idx ON questions (class, question_type, unit, question_id)
    WHERE status = 'active';
CREATE INDEX questions_created_at_idx ON questions (created_at DESC);
CREATE TRIGGER questions_set_updated_at BEFORE UPDATE ON questions
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE question_versions (
    question_id uuid NOT NULL REFERENCES questions (question_id),
    version     integer NOT NULL,
    content     jsonb NOT NULL,
    edited_by   uuid REFERENCES users (user_id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (question_id, version),
    CONSTRAINT question_versions_version_positive CHECK (version > 0)
);
CREATE TRIGGER question_versions_append_only
    BEFORE UPDATE OR DELETE ON question_versions
    FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change();
CREATE TRIGGER question_versions_no_truncate
    BEFORE TRUNCATE ON question_versions
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_append_only_change();

-- ---------------------------------------------------------------------------------------
-- exam_templates
-- ---------------------------------------------------------------------------------------
CREATE TABLE exam_templates (
    template_id      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    template_name    text NOT NULL,
    class            student_class NOT NULL,
    exam_type        exam_type NOT NULL,
    specific_unit    text,
    config           jsonb NOT NULL,
    total_marks      numeric(6, 1) NOT NULL,
    duration_minutes integer NOT NULL,
    is_active        boolean NOT NULL DEFAULT true,
    created_by       uuid REFERENCES users (user_id) ON DELETE SET NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT exam_templates_duration_range CHECK (duration_minutes BETWEEN 1 AND 300),
    CONSTRAINT exam_templates_total_marks_positive CHECK (total_marks > 0),
    CONSTRAINT exam_templates_unit_practice_names_unit
        CHECK (exam_type <> 'unit_practice' OR nullif(btrim(specific_unit), '') IS NOT NULL),
    CONSTRAINT exam_templates_config_object CHECK (jsonb_typeof(config) = 'object')
);
CREATE INDEX exam_templates_class_type_idx ON exam_templates (class, exam_type) WHERE is_active;
CREATE TRIGGER exam_templates_set_updated_at BEFORE UPDATE ON exam_templates
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- ---------------------------------------------------------------------------------------
-- exam_instances
-- ---------------------------------------------------------------------------------------
CREATE TABLE exam_instances (
    exam_instance_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    student_user_id  uuid NOT NULL REFERENCES users (user_id),
    template_id      uuid NOT NULL REFERENCES exam_templates (template_id),
    subscription_id  uuid REFERENCES subscriptions (subscription_id),
    exam_type        exam_type NOT NULL,
    class            student_class NOT NULL,
    status           exam_status NOT NULL DEFAULT 'created',
    seed             bigint NOT NULL,
    exam_snapshot    jsonb NOT NULL,
    total_marks      numeric(6, 2) NOT NULL,
    duration_minutes integer NOT NULL,
    started_at       timestamptz,
    mcq_submitted_at timestamptz,
    submitted_at     timestamptz,
    deadline_at      timestamptz,            -- the instant time runs out (duration + grace)
    sla_deadline     timestamptz,
    mcq_score        numeric(6, 2),
    mcq_total        numeric(6, 2),
    mcq_percentage   numeric(5, 2),
    manual_score     numeric(6, 2),
    total_score      numeric(6, 2),
    percentage       numeric(5, 2),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT exam_instances_total_marks_positive CHECK (total_marks > 0),
    CONSTRAINT exam_instances_duration_positive CHECK (duration_minutes > 0),
    CONSTRAINT exam_instances_total_score_bounds CHECK (total_score BETWEEN 0 AND total_marks),
    CONSTRAINT exam_instances_percentage_bounds CHECK (percentage BETWEEN 0 AND 100),
    CONSTRAINT exam_instances_mcq_percentage_bounds CHECK (mcq_percentage BETWEEN 0 AND 100),
    CONSTRAINT exam_instances_mcq_score_bounds
        CHECK (mcq_score >= 0 AND (mcq_total IS NULL OR mcq_score <= mcq_total)),
    CONSTRAINT exam_instances_mcq_total_nonnegative CHECK (mcq_total >= 0),
    CONSTRAINT exam_instances_manual_score_nonnegative CHECK (manual_score >= 0),
    CONSTRAINT exam_instances_snapshot_object CHECK (jsonb_typeof(exam_snapshot) = 'object')
);
CREATE INDEX exam_instances_student_created_idx ON exam_instances (student_user_id, created_at DESC);
CREATE INDEX exam_instances_in_progress_deadline_idx ON exam_instances (deadline_at)
    WHERE status = 'in_progress';
CREATE INDEX exam_instances_pending_evaluation_idx ON exam_instances (sla_deadline)
    WHERE status = 'pending_evaluation';
CREATE INDEX exam_instances_evaluated_class_idx ON exam_instances (class, student_user_id)
    INCLUDE (percentage) WHERE status = 'evaluated';
CREATE INDEX exam_instances_subscription_idx ON exam_instances (subscription_id);
CREATE INDEX exam_instances_template_idx ON exam_instances (template_id);
CREATE TRIGGER exam_instances_set_updated_at BEFORE UPDATE ON exam_instances
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- What a student was given never changes: snapshot, seed, template and owner are fixed
-- at insert. SQLSTATE 23001 restrict_violation, constraint exam_instances_snapshot_immutable.
CREATE FUNCTION refuse_exam_snapshot_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING
              MESSAGE = 'exam ' || OLD.exam_instance_id
                        || ': exam_snapshot, seed, template_id and student_user_id cannot change once written',
              ERRCODE = 'restrict_violation',
              CONSTRAINT = 'exam_instances_snapshot_immutable',
              TABLE = 'exam_instances';
END;
$$;
CREATE TRIGGER exam_instances_snapshot_immutable
    BEFORE UPDATE ON exam_instances
    FOR EACH ROW WHEN (
        OLD.exam_snapshot IS DISTINCT FROM NEW.exam_snapshot
        OR OLD.seed IS DISTINCT FROM NEW.seed
        OR OLD.template_id IS DISTINCT FROM NEW.template_id
        OR OLD.student_user_id IS DISTINCT FROM NEW.student_user_id
    )
    EXECUTE FUNCTION refuse_exam_snapshot_change();

-- ---------------------------------------------------------------------------------------
-- student_mcq_answers, answer_sheet_uploads, unanswered_questions
-- ---------------------------------------------------------------------------------------
CREATE TABLE student_mcq_answers (
    exam_instance_id uuid NOT NULL REFERENCES exam_instances (exam_instance_id) ON DELETE CASCADE,
    question_number  integer NOT NULL,
    question_id      uuid NOT NULL REFERENCES questions (question_id),
    selected_choices text[] NOT NULL DEFAULT '{}',
    is_correct       boolean,
    marks_awarded    numeric(4, 1),
    answered_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (exam_instance_id, question_number),
    CONSTRAINT student_mcq_answers_question_number_positive CHECK (question_number > 0),
    CONSTRAINT student_mcq_answers_marks_nonnegative CHECK (marks_awarded >= 0)
);

CREATE TABLE answer_sheet_uploads (
    upload_id        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    exam_instance_id uuid NOT NULL REFERENCES exam_instances (exam_instance_id) ON DELETE CASCADE,
    page_number      integer NOT NULL,
    s3_key           text NOT NULL,
    content_type     text NOT NULL,
    size_bytes       bigint NOT NULL,
    question_numbers integer[] NOT NULL DEFAULT '{}',
    uploaded_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT answer_sheet_uploads_page_range CHECK (page_number BETWEEN 1 AND 40),
    CONSTRAINT answer_sheet_uploads_size_nonnegative CHECK (size_bytes >= 0),
    CONSTRAINT answer_sheet_uploads_page_key UNIQUE (exam_instance_id, page_number)
);

CREATE TABLE unanswered_questions (
    exam_instance_id uuid NOT NULL REFERENCES exam_instances (exam_instance_id) ON DELETE CASCADE,
    question_number  integer NOT NULL,
    PRIMARY KEY (exam_instance_id, question_number),
    CONSTRAINT unanswered_questions_question_number_positive CHECK (question_number > 0)
);

-- ---------------------------------------------------------------------------------------
-- evaluations, question_marks, evaluation_annotations
-- ---------------------------------------------------------------------------------------
CREATE TABLE evaluations (
    evaluation_id      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    exam_instance_id   uuid NOT NULL REFERENCES exam_instances (exam_instance_id) ON DELETE CASCADE,
    teacher_user_id    uuid NOT NULL REFERENCES users (user_id),
    status             evaluation_status NOT NULL DEFAULT 'assigned',
    assigned_at        timestamptz NOT NULL DEFAULT now(),
    started_at         timestamptz,
    completed_at       timestamptz,
    sla_deadline       timestamptz NOT NULL,
    sla_breached       boolean NOT NULL DEFAULT false,
    breach_flagged_at  timestamptz,
    sla_warned_at      timestamptz,
    total_manual_marks numeric(6, 2),
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    -- One evaluation per exam, even with concurrent assigners.
    CONSTRAINT evaluations_exam_instance_key UNIQUE (exam_instance_id),
    CONSTRAINT evaluations_completed_has_time CHECK (status <> 'completed' OR completed_at IS NOT NULL),
    CONSTRAINT evaluations_total_manual_nonnegative CHECK (total_manual_marks >= 0)
);
CREATE INDEX evaluations_teacher_queue_idx ON evaluations (teacher_user_id, status, sla_deadline);
CREATE INDEX evaluations_open_deadline_idx ON evaluations (sla_deadline) WHERE status <> 'completed';
CREATE INDEX evaluations_teacher_assigned_idx ON evaluations (teacher_user_id, assigned_at DESC);
CREATE INDEX evaluations_completed_at_idx ON evaluations (completed_at) WHERE status = 'completed';
CREATE TRIGGER evaluations_set_updated_at BEFORE UPDATE ON evaluations
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE question_marks (
    evaluation_id   uuid NOT NULL REFERENCES evaluations (evaluation_id) ON DELETE CASCADE,
    question_number integer NOT NULL,
    question_id     uuid NOT NULL REFERENCES questions (question_id),
    marks_awarded   numeric NOT NULL,         -- no scale: 0.25 is refused, never rounded
    marks_possible  numeric(4, 1) NOT NULL,
    teacher_comment text,
    PRIMARY KEY (evaluation_id, question_number),
    CONSTRAINT question_marks_question_number_positive CHECK (question_number > 0),
    CONSTRAINT question_marks_possible_positive CHECK (marks_possible > 0),
    CONSTRAINT question_marks_awarded_bounds CHECK (marks_awarded BETWEEN 0 AND marks_possible),
    CONSTRAINT question_marks_half_steps CHECK (marks_awarded * 2 = trunc(marks_awarded * 2)),
    CONSTRAINT question_marks_comment_length CHECK (char_length(teacher_comment) <= 500)
);

CREATE TABLE evaluation_annotations (
    evaluation_id    uuid NOT NULL REFERENCES evaluations (evaluation_id) ON DELETE CASCADE,
    page_number      integer NOT NULL,
    annotation_data  jsonb NOT NULL DEFAULT '[]'::jsonb,
    annotated_s3_key text,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (evaluation_id, page_number),
    CONSTRAINT evaluation_annotations_page_range CHECK (page_number BETWEEN 1 AND 40)
);
CREATE TRIGGER evaluation_annotations_set_updated_at BEFORE UPDATE ON evaluation_annotations
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- ---------------------------------------------------------------------------------------
-- audit_logs (append-only)
-- ---------------------------------------------------------------------------------------
-- actor_user_id deliberately has no foreign key: the trail outlives the users it names,
-- and an ON DELETE action would have to UPDATE/DELETE audit rows, which is refused.
CREATE TABLE audit_logs (
    log_id        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    event_type    text NOT NULL,
    actor_user_id uuid,
    actor_role    text,                       -- a user_role, or 'system' for jobs
    ip_address    inet,
    resource_type text,
    resource_id   text,
    details       jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT audit_logs_event_type_not_blank CHECK (btrim(event_type) <> ''),
    CONSTRAINT audit_logs_actor_role_known
        CHECK (actor_role IS NULL OR actor_role IN ('student', 'parent', 'teacher', 'admin', 'system'))
);
CREATE INDEX audit_logs_created_idx ON audit_logs (created_at DESC);
CREATE INDEX audit_logs_event_created_idx ON audit_logs (event_type, created_at DESC);
CREATE INDEX audit_logs_actor_created_idx ON audit_logs (actor_user_id, created_at DESC);
CREATE INDEX audit_logs_resource_created_idx ON audit_logs (resource_type, resource_id, created_at DESC);
-- UPDATE and DELETE (row-level) and TRUNCATE (statement-level) all raise SQLSTATE 42501
-- insufficient_privilege with constraint name audit_logs_append_only.
CREATE TRIGGER audit_logs_append_only
    BEFORE UPDATE OR DELETE ON audit_logs
    FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change();
CREATE TRIGGER audit_logs_no_truncate
    BEFORE TRUNCATE ON audit_logs
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_append_only_change();

-- ---------------------------------------------------------------------------------------
-- holidays, system_config
-- ---------------------------------------------------------------------------------------
-- Several holidays may share a date (2025-10-02: Gandhi Jayanti and Dussehra), so the
-- natural key is (date, name), not the date alone.
CREATE TABLE holidays (
    holiday_id     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    holiday_date   date NOT NULL,
    holiday_name   text NOT NULL,
    is_working_day boolean NOT NULL DEFAULT false,
    description    text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT holidays_date_name_key UNIQUE (holiday_date, holiday_name),
    CONSTRAINT holidays_name_not_blank CHECK (btrim(holiday_name) <> '')
);

CREATE TABLE system_config (
    config_key   text PRIMARY KEY,
    config_value jsonb NOT NULL,
    value_type   text NOT NULL,
    description  text,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    updated_by   uuid REFERENCES users (user_id) ON DELETE SET NULL,
    CONSTRAINT system_config_value_type_known
        CHECK (value_type IN ('string', 'integer', 'number', 'boolean', 'array', 'object')),
    -- The stored JSON has the declared type (integers are whole numbers).
    CONSTRAINT system_config_value_matches_type CHECK (
        CASE value_type
            WHEN 'integer' THEN jsonb_typeof(config_value) = 'number'
                                AND config_value::text ~ '^-?[0-9]+$'
            ELSE jsonb_typeof(config_value) = value_type
        END
    )
);
CREATE TRIGGER system_config_set_updated_at BEFORE UPDATE ON system_config
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- ---------------------------------------------------------------------------------------
-- notifications (in-app) and email_outbox (delivered by the worker, with retries)
-- ---------------------------------------------------------------------------------------
CREATE TABLE notifications (
    notification_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id         uuid NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    event_type      text NOT NULL,
    title           text NOT NULL,
    body            text NOT NULL DEFAULT '',
    resource_type   text,
    resource_id     text,
    is_read         boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now(),
    read_at         timestamptz
);
CREATE INDEX notifications_user_created_idx ON notifications (user_id, created_at DESC);
CREATE INDEX notifications_user_unread_idx ON notifications (user_id) WHERE NOT is_read;

CREATE TABLE email_outbox (
    outbox_id       uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    to_address      text NOT NULL,
    subject         text NOT NULL,
    body_text       text NOT NULL,
    body_html       text,
    event_type      text,
    status          text NOT NULL DEFAULT 'pending',
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    CONSTRAINT email_outbox_status_known CHECK (status IN ('pending', 'sent', 'failed')),
    CONSTRAINT email_outbox_attempts_nonnegative CHECK (attempts >= 0),
    CONSTRAINT email_outbox_sent_has_time CHECK (status <> 'sent' OR sent_at IS NOT NULL)
);
CREATE INDEX email_outbox_pending_idx ON email_outbox (next_attempt_at) WHERE status = 'pending';
