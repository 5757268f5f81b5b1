-- ---------------------------------------------------------------------------------------
-- The upload quality gate's settings (docs/exams.md, "Upload quality gate").
-- ---------------------------------------------------------------------------------------
INSERT INTO system_config (config_key, config_value, value_type, description) VALUES
    ('upload_quality_check_enabled', 'true', 'boolean',
     'Check each image page (size, blank, blur) when an upload is confirmed, before the SLA clock starts.'),
    ('upload_min_short_side_px', '600', 'integer',
     'The shorter side of an image page must be at least this many pixels.')
ON CONFLICT (config_key) DO NOTHING;

-- ---------------------------------------------------------------------------------------
-- reupload_requested: the assigned teacher asked the student for new pages; the SLA
-- deadline is cleared until the student confirms again.
-- ---------------------------------------------------------------------------------------
ALTER TYPE exam_status ADD VALUE IF NOT EXISTS 'reupload_requested' AFTER 'pending_evaluation';
ALTER TABLE evaluations ALTER COLUMN sla_deadline DROP NOT NULL;

-- ---------------------------------------------------------------------------------------
-- reupload_requests: each request, numbered per exam; at most two per exam.
-- ---------------------------------------------------------------------------------------
CREATE TABLE reupload_requests (
    exam_instance_id uuid NOT NULL REFERENCES exam_instances (exam_instance_id) ON DELETE CASCADE,
    request_number   smallint NOT NULL,
    evaluation_id    uuid NOT NULL REFERENCES evaluations (evaluation_id) ON DELETE CASCADE,
    teacher_user_id  uuid NOT NULL REFERENCES users (user_id),
    page_numbers     integer[] NOT NULL,
    reason           text NOT NULL,
    requested_at     timestamptz NOT NULL,
    fulfilled_at     timestamptz,
    PRIMARY KEY (exam_instance_id, request_number),
    CONSTRAINT reupload_requests_at_most_two CHECK (request_number BETWEEN 1 AND 2),
    CONSTRAINT reupload_requests_pages_given CHECK (cardinality(page_numbers) >= 1),
    CONSTRAINT reupload_requests_reason_given CHECK (length(reason) BETWEEN 1 AND 1000)
);
