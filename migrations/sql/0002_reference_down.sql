-- Mathvidya reference data, revision 0002 down: deletes the rows 0002_reference_up.sql
-- seeded. A plan that subscriptions still reference is kept (deleting it would break them;
-- the up file skips existing plans, so re-applying is safe, and 0001 down drops the table).

DELETE FROM system_config
WHERE config_key IN (
    'sla_working_hours', 'sla_working_days', 'leaderboard_top_n', 'max_upload_size_mb',
    'allowed_upload_mimetypes', 'evaluation_ui_stamps', 'analytics_refresh_hour',
    'analytics_retention_days', 'exam_auto_submit_enabled', 'exam_grace_period_minutes',
    'notifications_enabled', 'notification_email_from', 'question_approval_required',
    'session_timeout_minutes', 'max_login_attempts', 'aws_s3_region',
    's3_signed_url_expiry_minutes', 'cbse_units_class_xii', 'cbse_units_class_x'
);

DELETE FROM holidays
WHERE (holiday_date, holiday_name) IN (
    (DATE '2025-01-26', 'Republic Day'),
    (DATE '2025-03-14', 'Holi'),
    (DATE '2025-04-10', 'Id-ul-Fitr'),
    (DATE '2025-04-14', 'Ambedkar Jayanti'),
    (DATE '2025-04-18', 'Good Friday'),
    (DATE '2025-05-01', 'May Day'),
    (DATE '2025-08-15', 'Independence Day'),
    (DATE '2025-08-27', 'Janmashtami'),
    (DATE '2025-10-02', 'Gandhi Jayanti'),
    (DATE '2025-10-02', 'Dussehra'),
    (DATE '2025-10-21', 'Diwali'),
    (DATE '2025-11-05', 'Guru Nanak Jayanti'),
    (DATE '2025-12-25', 'Christmas'),
    (DATE '2026-01-26', 'Republic Day'),
    (DATE '2026-03-06', 'Holi'),
    (DATE '2026-03-31', 'Id-ul-Fitr'),
    (DATE '2026-04-03', 'Good Friday'),
    (DATE '2026-04-14', 'Ambedkar Jayanti'),
    (DATE '2026-05-01', 'May Day'),
    (DATE '2026-08-15', 'Independence Day'),
    (DATE '2026-08-16', 'Janmashtami'),
    (DATE '2026-10-02', 'Gandhi Jayanti'),
    (DATE '2026-10-12', 'Dussehra'),
    (DATE '2026-11-01', 'Diwali'),
    (DATE '2026-11-25', 'Guru Nanak Jayanti'),
    (DATE '2026-12-25', 'Christmas')
);

DELETE FROM subscription_plans p
WHERE p.plan_type IN ('basic', 'premium_mcq', 'premium', 'centum')
  AND NOT EXISTS (SELECT 1 FROM subscriptions s WHERE s.plan_id = p.plan_id);
