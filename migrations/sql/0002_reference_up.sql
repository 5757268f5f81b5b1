-- Mathvidya reference data, revision 0002 (docs/database.md): the 4 plans, the 26
-- national holidays of 2025-2026, the system_config keys (the 18 named in section 9 plus
-- sla_working_days) with the CBSE unit lists.
--
-- Run by alembic through exec_driver_sql, so this file must contain no percent sign.
-- Rows are data an admin may edit afterwards: every insert is ON CONFLICT DO NOTHING, so
-- re-applying this revision never overwrites an admin's change.

-- ---------------------------------------------------------------------------------------
-- Plans. Prices in paise. teacher_hours_per_month NULL = unlimited (centum).
-- priority orders teacher queues after the deadline: centum 3 (first), premium 2, then
-- basic and premium_mcq 1 (premium_mcq has no manual evaluation, so it never queues).
-- ---------------------------------------------------------------------------------------
INSERT INTO subscription_plans (
    plan_type, plan_name, exams_limit_per_month, teacher_hours_per_month,
    allows_board_exam, allows_section_exam, allows_unit_practice,
    manual_evaluation_included, leaderboard_access, sla_hours,
    monthly_price_paise, annual_price_paise, priority, is_active
) VALUES
    ('basic',       'Basic Plan',    5,  1.0,  true, true, false, true,  false, 48,  29900,  299900, 1, true),
    ('premium_mcq', 'Premium MCQ',  15,  0,    true, true, false, false, false, 48,  49900,  499900, 1, true),
    ('premium',     'Premium Plan', 50,  1.0,  true, true, true,  true,  true,  48,  99900,  999900, 2, true),
    ('centum',      'Plan Centum',  50,  NULL, true, true, true,  true,  true,  24, 149900, 1499900, 3, true)
ON CONFLICT (plan_type) DO NOTHING;

-- ---------------------------------------------------------------------------------------
-- National holidays 2025 and 2026 (13 each; 2025-10-02 holds two).
-- ---------------------------------------------------------------------------------------
INSERT INTO holidays (holiday_date, holiday_name, is_working_day) VALUES
    ('2025-01-26', 'Republic Day', false),
    ('2025-03-14', 'Holi', false),
    ('2025-04-10', 'Id-ul-Fitr', false),
    ('2025-04-14', 'Ambedkar Jayanti', false),
    ('2025-04-18', 'Good Friday', false),
    ('2025-05-01', 'May Day', false),
    ('2025-08-15', 'Independence Day', false),
    ('2025-08-27', 'Janmashtami', false),
    ('2025-10-02', 'Gandhi Jayanti', false),
    ('2025-10-02', 'Dussehra', false),
    ('2025-10-21', 'Diwali', false),
    ('2025-11-05', 'Guru Nanak Jayanti', false),
    ('2025-12-25', 'Christmas', false),
    ('2026-01-26', 'Republic Day', false),
    ('2026-03-06', 'Holi', false),
    ('2026-03-31', 'Id-ul-Fitr', false),
    ('2026-04-03', 'Good Friday', false),
    ('2026-04-14', 'Ambedkar Jayanti', false),
    ('2026-05-01', 'May Day', false),
    ('2026-08-15', 'Independence Day', false),
    ('2026-08-16', 'Janmashtami', false),
    ('2026-10-02', 'Gandhi Jayanti', false),
    ('2026-10-12', 'Dussehra', false),
    ('2026-11-01', 'Diwali', false),
    ('2026-11-25', 'Guru Nanak Jayanti', false),
    ('2026-12-25', 'Christmas', false)
ON CONFLICT (holiday_date, holiday_name) DO NOTHING;

-- ---------------------------------------------------------------------------------------
-- System configuration (values are JSON; value_type is checked against the value).
-- ---------------------------------------------------------------------------------------
INSERT INTO system_config (config_key, config_value, value_type, description) VALUES
    ('sla_working_hours',
     '{"start": "09:00", "end": "18:00", "timezone": "Asia/Kolkata"}', 'object',
     'Daily working window in which the SLA clock runs: start and end (HH:MM, local) and the IANA time zone.'),
    ('sla_working_days',
     '["Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]', 'array',
     'Weekdays on which the SLA clock runs (Mon..Sun); dates in holidays are off unless marked as working days.'),
    ('leaderboard_top_n', '10', 'integer',
     'How many students each class leaderboard shows.'),
    ('max_upload_size_mb', '5', 'integer',
     'Largest answer-sheet page accepted, in megabytes.'),
    ('allowed_upload_mimetypes',
     '["image/jpeg", "image/jpg", "image/png", "application/pdf"]', 'array',
     'Content types accepted for answer-sheet pages (checked against the file bytes).'),
    ('evaluation_ui_stamps',
     '["tick", "cross", "half", "circle", "star"]', 'array',
     'Stamp types a teacher may place on answer-sheet pages.'),
    ('analytics_refresh_hour', '2', 'integer',
     'Hour of the day (0-23, Asia/Kolkata) of the nightly analytics and leaderboard refresh.'),
    ('analytics_retention_days', '730', 'integer',
     'Days analytics history is kept.'),
    ('exam_auto_submit_enabled', 'true', 'boolean',
     'Whether exams whose time ran out are submitted automatically with the answers saved so far.'),
    ('exam_grace_period_minutes', '5', 'integer',
     'Minutes added to an exam''s duration before it counts as time over.'),
    ('notifications_enabled', 'true', 'boolean',
     'Master switch for in-app and e-mail notifications.'),
    ('notification_email_from', '"Mathvidya <noreply@mathvidya.com>"', 'string',
     'Sender of notification e-mails (unless MAIL_FROM is set).'),
    ('question_approval_required', 'true', 'boolean',
     'Whether teacher-created questions start as drafts awaiting admin approval.'),
    ('session_timeout_minutes', '60', 'integer',
     'Minutes of inactivity after which a client session should end.'),
    ('max_login_attempts', '5', 'integer',
     'Failed logins within 15 minutes that lock an account for 15 minutes.'),
    ('aws_s3_region', '"ap-south-1"', 'string',
     'AWS region of the S3 bucket.'),
    ('s3_signed_url_expiry_minutes', '15', 'integer',
     'Lifetime of signed S3 URLs, in minutes.'),
    ('cbse_units_class_xii',
     '["Relations and Functions", "Inverse Trigonometric Functions", "Matrices", "Determinants", "Continuity and Differentiability", "Application of Derivatives", "Integrals", "Application of Integrals", "Differential Equations", "Vector Algebra", "Three Dimensional Geometry", "Linear Programming", "Probability"]',
     'array',
     'CBSE mathematics units of Class XII, in syllabus order.'),
    ('cbse_units_class_x',
     '["Real Numbers", "Polynomials", "Pair of Linear Equations in Two Variables", "Quadratic Equations", "Arithmetic Progressions", "Triangles", "Coordinate Geometry", "Introduction to Trigonometry", "Some Applications of Trigonometry", "Circles", "Areas Related to Circles", "Surface Areas and Volumes", "Statistics", "Probability"]',
     'array',
     'CBSE mathematics units of Class X, in syllabus order.')
ON CONFLICT (config_key) DO NOTHING;
