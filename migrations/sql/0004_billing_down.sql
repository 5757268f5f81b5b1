DROP INDEX IF EXISTS subscriptions_created_idx;
ALTER TABLE subscriptions DROP COLUMN IF EXISTS expiry_warned_at;
DROP TABLE IF EXISTS teacher_sessions;
DROP TABLE IF EXISTS payment_orders;
DROP FUNCTION IF EXISTS billing_period_start(integer, date);
