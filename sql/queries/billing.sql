-- Billing: plans, subscriptions, payment orders, the exam quota, teacher sessions and the
-- periodic subscription jobs. Periods use billing_period_start() (migration 0004).
-- Subscriptions cover [start_date, end_date); "current" = active and covering :today.

-- ---------------------------------------------------------------------------------------
-- plans
-- ---------------------------------------------------------------------------------------

-- name: active_plans
-- Every plan on sale, cheapest first (a handful of rows: callers keep them in memory).
SELECT plan_id, plan_type, plan_name, exams_limit_per_month, teacher_hours_per_month,
       allows_board_exam, allows_section_exam, allows_unit_practice,
       manual_evaluation_included, leaderboard_access, sla_hours,
       monthly_price_paise, annual_price_paise, priority
FROM subscription_plans
WHERE is_active
ORDER BY monthly_price_paise, plan_type;

-- name: get_plan_by_type^
SELECT plan_id, plan_type, plan_name, exams_limit_per_month, teacher_hours_per_month,
       monthly_price_paise, annual_price_paise, is_active
FROM subscription_plans
WHERE plan_type = CAST(:plan_type AS plan_type);

-- ---------------------------------------------------------------------------------------
-- subscriptions
-- ---------------------------------------------------------------------------------------

-- name: current_subscription^
-- The subscription covering :today with its plan and this period's exam usage.
SELECT s.subscription_id, s.student_user_id, s.status, s.billing_cycle, s.start_date, s.end_date,
       s.billing_day_of_month, s.amount_paid_paise, s.payment_provider, s.created_at,
       p.plan_id, p.plan_type, p.plan_name, p.exams_limit_per_month, p.teacher_hours_per_month,
       p.allows_board_exam, p.allows_section_exam, p.allows_unit_practice,
       p.manual_evaluation_included, p.leaderboard_access, p.sla_hours, p.priority,
       billing_period_start(s.billing_day_of_month, CAST(:today AS date)) AS period_start,
       CASE WHEN s.last_counter_reset_date IS NULL
              OR s.last_counter_reset_date < billing_period_start(s.billing_day_of_month, CAST(:today AS date))
            THEN 0 ELSE s.exams_used_this_period END AS exams_used
FROM subscriptions s
JOIN subscription_plans p ON p.plan_id = s.plan_id
WHERE s.student_user_id = :student_user_id
  AND s.status = 'active'
  AND s.start_date <= CAST(:today AS date)
  AND s.end_date > CAST(:today AS date);

-- name: current_subscription_usage^
-- current_subscription plus the teacher minutes used this period (one statement for the
-- subscription overview).
SELECT s.subscription_id, s.student_user_id, s.status, s.billing_cycle, s.start_date, s.end_date,
       s.billing_day_of_month, s.amount_paid_paise, s.payment_provider, s.created_at,
       p.plan_id, p.plan_type, p.plan_name, p.exams_limit_per_month, p.teacher_hours_per_month,
       p.allows_board_exam, p.allows_section_exam, p.allows_unit_practice,
       p.manual_evaluation_included, p.leaderboard_access, p.sla_hours, p.priority,
       billing_period_start(s.billing_day_of_month, CAST(:today AS date)) AS period_start,
       (SELECT coalesce(sum(ts.minutes), 0) FROM teacher_sessions ts
        WHERE ts.subscription_id = s.subscription_id
          AND ts.period_start = billing_period_start(s.billing_day_of_month, CAST(:today AS date)))
           AS teacher_minutes_used,
       CASE WHEN s.last_counter_reset_date IS NULL
              OR s.last_counter_reset_date < billing_period_start(s.billing_day_of_month, CAST(:today AS date))
            THEN 0 ELSE s.exams_used_this_period END AS exams_used
FROM subscriptions s
JOIN subscription_plans p ON p.plan_id = s.plan_id
WHERE s.student_user_id = :student_user_id
  AND s.status = 'active'
  AND s.start_date <= CAST(:today AS date)
  AND s.end_date > CAST(:today AS date);

-- name: lock_current_subscription^
-- The same row locked FOR UPDATE: teacher-session checks serialise on it.
SELECT s.subscription_id, s.billing_day_of_month, p.plan_type, p.teacher_hours_per_month,
       billing_period_start(s.billing_day_of_month, CAST(:today AS date)) AS period_start
FROM subscriptions s
JOIN subscription_plans p ON p.plan_id = s.plan_id
WHERE s.student_user_id = :student_user_id
  AND s.status = 'active'
  AND s.start_date <= CAST(:today AS date)
  AND s.end_date > CAST(:today AS date)
FOR UPDATE OF s;

-- name: next_subscription^
-- An active subscription that starts after :today (a renewal queued behind the current one).
SELECT s.subscription_id, p.plan_type, s.billing_cycle, s.start_date, s.end_date
FROM subscriptions s
JOIN subscription_plans p ON p.plan_id = s.plan_id
WHERE s.student_user_id = :student_user_id
  AND s.status = 'active'
  AND s.start_date > CAST(:today AS date)
ORDER BY s.start_date
LIMIT 1;

-- name: lock_student_subscriptions$
-- Serialise subscription creation for one student until this transaction ends.
SELECT pg_advisory_xact_lock(hashtextextended('subscriptions|' || CAST(:student_user_id AS text), 0));

-- name: last_active_end_date$
-- Where a new purchase starts: the end of the latest active subscription still running.
SELECT max(end_date)
FROM subscriptions
WHERE student_user_id = :student_user_id
  AND status = 'active'
  AND end_date > CAST(:today AS date);

-- name: insert_subscription^
INSERT INTO subscriptions (
    student_user_id, plan_id, status, billing_cycle, start_date, end_date, billing_day_of_month,
    exams_used_this_period, last_counter_reset_date, amount_paid_paise, payment_provider,
    payment_reference, created_by
) VALUES (
    :student_user_id, :plan_id, 'active', CAST(:billing_cycle AS billing_cycle), :start_date, :end_date,
    :billing_day_of_month, 0, NULL, :amount_paid_paise, :payment_provider, :payment_reference, :created_by
)
RETURNING subscription_id;

-- name: get_subscription^
SELECT s.subscription_id, s.student_user_id, s.status, s.billing_cycle, s.start_date, s.end_date,
       s.billing_day_of_month, s.exams_used_this_period, s.last_counter_reset_date,
       s.amount_paid_paise, s.payment_provider, s.payment_reference, s.created_by,
       s.cancelled_at, s.created_at, s.updated_at, p.plan_type, p.plan_name
FROM subscriptions s
JOIN subscription_plans p ON p.plan_id = s.plan_id
WHERE s.subscription_id = :subscription_id;

-- name: lock_subscription^
SELECT subscription_id, student_user_id, status
FROM subscriptions
WHERE subscription_id = :subscription_id
FOR UPDATE;

-- name: cancel_subscription!
UPDATE subscriptions
SET status = 'cancelled', cancelled_at = :cancelled_at
WHERE subscription_id = :subscription_id AND status IN ('active', 'pending');

-- name: list_subscriptions
-- Admin list, newest first; every filter optional.
SELECT s.subscription_id, s.student_user_id, s.status, s.billing_cycle, s.start_date, s.end_date,
       s.billing_day_of_month, s.exams_used_this_period, s.last_counter_reset_date,
       s.amount_paid_paise, s.payment_provider, s.payment_reference, s.created_by,
       s.cancelled_at, s.created_at, s.updated_at, p.plan_type, p.plan_name,
       u.email AS student_email, u.first_name || ' ' || u.last_name AS student_name
FROM subscriptions s
JOIN subscription_plans p ON p.plan_id = s.plan_id
JOIN users u ON u.user_id = s.student_user_id
WHERE (CAST(:status AS subscription_status) IS NULL OR s.status = CAST(:status AS subscription_status))
  AND (CAST(:plan_type AS plan_type) IS NULL OR p.plan_type = CAST(:plan_type AS plan_type))
  AND (CAST(:student_user_id AS uuid) IS NULL OR s.student_user_id = CAST(:student_user_id AS uuid))
ORDER BY s.created_at DESC, s.subscription_id
LIMIT :limit OFFSET :offset;

-- name: count_subscriptions$
SELECT count(*)
FROM subscriptions s
JOIN subscription_plans p ON p.plan_id = s.plan_id
WHERE (CAST(:status AS subscription_status) IS NULL OR s.status = CAST(:status AS subscription_status))
  AND (CAST(:plan_type AS plan_type) IS NULL OR p.plan_type = CAST(:plan_type AS plan_type))
  AND (CAST(:student_user_id AS uuid) IS NULL OR s.student_user_id = CAST(:student_user_id AS uuid));

-- name: is_student$
SELECT EXISTS (SELECT 1 FROM users WHERE user_id = :user_id AND role = 'student');

-- ---------------------------------------------------------------------------------------
-- exam quota
-- ---------------------------------------------------------------------------------------

-- name: consume_exam_quota^
-- One statement: roll the period over if it has passed, then take one exam only while
-- under the plan's limit. A concurrent caller blocks on the row lock and re-checks the
-- WHERE clause against the committed row (READ COMMITTED re-evaluation), so the limit is
-- never exceeded. No row back = no current subscription, or the limit is reached.
UPDATE subscriptions AS s
SET exams_used_this_period = CASE
        WHEN s.last_counter_reset_date IS NULL
          OR s.last_counter_reset_date < billing_period_start(s.billing_day_of_month, CAST(:today AS date))
        THEN 1
        ELSE s.exams_used_this_period + 1
    END,
    last_counter_reset_date = CASE
        WHEN s.last_counter_reset_date IS NULL
          OR s.last_counter_reset_date < billing_period_start(s.billing_day_of_month, CAST(:today AS date))
        THEN billing_period_start(s.billing_day_of_month, CAST(:today AS date))
        ELSE s.last_counter_reset_date
    END
FROM subscription_plans AS p
WHERE p.plan_id = s.plan_id
  AND s.student_user_id = :student_user_id
  AND s.status = 'active'
  AND s.start_date <= CAST(:today AS date)
  AND s.end_date > CAST(:today AS date)
  AND CASE
        WHEN s.last_counter_reset_date IS NULL
          OR s.last_counter_reset_date < billing_period_start(s.billing_day_of_month, CAST(:today AS date))
        THEN 0
        ELSE s.exams_used_this_period
      END < p.exams_limit_per_month
RETURNING s.subscription_id,
          s.exams_used_this_period AS exams_used,
          p.exams_limit_per_month AS exams_limit,
          billing_period_start(s.billing_day_of_month, CAST(:today AS date)) AS period_start,
          CAST(billing_period_start(s.billing_day_of_month, CAST(:today AS date)) + interval '1 month' AS date)
              AS resets_on;

-- name: reset_exam_periods!
-- Safety net only (consume_exam_quota already rolls over): zero the counters of current
-- subscriptions whose last reset is before the period holding :today.
UPDATE subscriptions
SET exams_used_this_period = 0,
    last_counter_reset_date = billing_period_start(billing_day_of_month, CAST(:today AS date))
WHERE status = 'active'
  AND start_date <= CAST(:today AS date)
  AND end_date > CAST(:today AS date)
  AND last_counter_reset_date < billing_period_start(billing_day_of_month, CAST(:today AS date));

-- ---------------------------------------------------------------------------------------
-- teacher sessions
-- ---------------------------------------------------------------------------------------

-- name: teacher_minutes_used$
SELECT coalesce(sum(minutes), 0)
FROM teacher_sessions
WHERE subscription_id = :subscription_id AND period_start = :period_start;

-- name: insert_teacher_session^
INSERT INTO teacher_sessions (subscription_id, student_user_id, teacher_user_id, period_start, minutes, notes)
VALUES (:subscription_id, :student_user_id, :teacher_user_id, :period_start, :minutes, :notes)
RETURNING session_id, subscription_id, student_user_id, teacher_user_id, period_start, minutes, notes, created_at;

-- ---------------------------------------------------------------------------------------
-- payment orders
-- ---------------------------------------------------------------------------------------

-- name: insert_payment_order^
INSERT INTO payment_orders (
    gateway, gateway_order_id, student_user_id, created_by, plan_id, plan_type, billing_cycle,
    amount_paise, currency
) VALUES (
    :gateway, :gateway_order_id, :student_user_id, :created_by, :plan_id, CAST(:plan_type AS plan_type),
    CAST(:billing_cycle AS billing_cycle), :amount_paise, :currency
)
RETURNING payment_order_id, gateway_order_id, student_user_id, plan_type, billing_cycle, amount_paise,
          currency, status, created_at;

-- name: lock_payment_order^
-- Locked so concurrent verifications of one order run one after the other.
SELECT payment_order_id, gateway, gateway_order_id, student_user_id, created_by, plan_id, plan_type,
       billing_cycle, amount_paise, currency, status, gateway_payment_id, subscription_id
FROM payment_orders
WHERE gateway = :gateway AND gateway_order_id = :gateway_order_id
FOR UPDATE;

-- name: mark_order_paid!
UPDATE payment_orders
SET status = 'paid', gateway_payment_id = :gateway_payment_id, subscription_id = :subscription_id,
    paid_at = :paid_at
WHERE payment_order_id = :payment_order_id AND status = 'created';

-- ---------------------------------------------------------------------------------------
-- periodic jobs
-- ---------------------------------------------------------------------------------------

-- name: expire_subscriptions
-- Active subscriptions whose cover ended by :today become expired.
UPDATE subscriptions
SET status = 'expired'
WHERE status = 'active' AND end_date <= CAST(:today AS date)
RETURNING subscription_id, student_user_id, end_date;

-- name: claim_expiring_subscriptions
-- Active subscriptions ending within :days days, not yet warned, and not followed by
-- another active subscription that continues the cover.
SELECT s.subscription_id, s.student_user_id, s.end_date, p.plan_name, p.plan_type,
       u.first_name AS student_first_name
FROM subscriptions s
JOIN subscription_plans p ON p.plan_id = s.plan_id
JOIN users u ON u.user_id = s.student_user_id
WHERE s.status = 'active'
  AND s.expiry_warned_at IS NULL
  AND s.end_date > CAST(:today AS date)
  AND s.end_date <= CAST(:today AS date) + CAST(:days AS integer)
  AND NOT EXISTS (
      SELECT 1 FROM subscriptions n
      WHERE n.student_user_id = s.student_user_id
        AND n.status = 'active'
        AND n.subscription_id <> s.subscription_id
        AND n.start_date <= s.end_date
        AND n.end_date > s.end_date
  )
ORDER BY s.end_date, s.subscription_id
FOR UPDATE OF s SKIP LOCKED;

-- name: mark_expiry_warned!
UPDATE subscriptions SET expiry_warned_at = :warned_at WHERE subscription_id = :subscription_id;

-- name: expiry_recipients
-- The student and their linked parents (active accounts) who hear about an expiry.
SELECT u.user_id, u.first_name, u.role
FROM users u
WHERE u.user_id = :student_user_id AND u.is_active
UNION ALL
SELECT u.user_id, u.first_name, u.role
FROM parent_student_mappings m
JOIN users u ON u.user_id = m.parent_user_id
WHERE m.student_user_id = :student_user_id AND u.is_active;
