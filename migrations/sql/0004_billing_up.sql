-- Billing, revision 0004: gateway payment orders, teacher one-to-one sessions, the
-- billing-period function the quota statement uses, and the expiry-warning marker.
--
-- Run by alembic through exec_driver_sql, so this file must contain no percent sign.

-- ---------------------------------------------------------------------------------------
-- billing_period_start(billing_day, on_date): the first day of the billing period that
-- holds on_date. Periods run from billing day to billing day (1..28, so the day exists in
-- every month). Shifting the date back by (billing_day - 1) days maps every period onto a
-- calendar month, whose first day shifted forward again is the period start.
-- Mirrors mathvidya/billing/periods.py (tests compare the two).
-- ---------------------------------------------------------------------------------------
CREATE FUNCTION billing_period_start(billing_day integer, on_date date) RETURNS date
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT (date_trunc('month', (on_date - (billing_day - 1))::timestamp)::date + (billing_day - 1))
$$;

-- ---------------------------------------------------------------------------------------
-- payment_orders: an order created before the student pays at the gateway. Verification
-- (signature of order_id|payment_id) turns a created order into a paid one and creates
-- its subscription in the same transaction.
-- ---------------------------------------------------------------------------------------
CREATE TABLE payment_orders (
    payment_order_id   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    gateway            text NOT NULL DEFAULT 'razorpay',
    gateway_order_id   text NOT NULL,
    student_user_id    uuid NOT NULL REFERENCES users (user_id),
    created_by         uuid REFERENCES users (user_id) ON DELETE SET NULL,
    plan_id            uuid NOT NULL REFERENCES subscription_plans (plan_id),
    plan_type          plan_type NOT NULL,
    billing_cycle      billing_cycle NOT NULL,
    amount_paise       bigint NOT NULL,
    currency           text NOT NULL DEFAULT 'INR',
    status             text NOT NULL DEFAULT 'created',
    gateway_payment_id text,
    subscription_id    uuid REFERENCES subscriptions (subscription_id),
    paid_at            timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT payment_orders_gateway_order_key UNIQUE (gateway, gateway_order_id),
    CONSTRAINT payment_orders_status_known CHECK (status IN ('created', 'paid')),
    CONSTRAINT payment_orders_amount_nonnegative CHECK (amount_paise >= 0),
    CONSTRAINT payment_orders_currency_inr CHECK (currency = 'INR'),
    CONSTRAINT payment_orders_paid_complete CHECK (
        status <> 'paid' OR (gateway_payment_id IS NOT NULL AND subscription_id IS NOT NULL AND paid_at IS NOT NULL)
    )
);
-- A gateway payment pays for at most one order.
CREATE UNIQUE INDEX payment_orders_gateway_payment_key
    ON payment_orders (gateway, gateway_payment_id) WHERE gateway_payment_id IS NOT NULL;
CREATE INDEX payment_orders_student_idx ON payment_orders (student_user_id, created_at DESC);
CREATE TRIGGER payment_orders_set_updated_at BEFORE UPDATE ON payment_orders
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- ---------------------------------------------------------------------------------------
-- teacher_sessions: one-to-one time a teacher (or admin) spent with a student. Counted
-- against the plan's teacher hours of the billing period it was recorded in
-- (period_start), under a FOR UPDATE lock of the subscription row.
-- ---------------------------------------------------------------------------------------
CREATE TABLE teacher_sessions (
    session_id      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    subscription_id uuid NOT NULL REFERENCES subscriptions (subscription_id),
    student_user_id uuid NOT NULL REFERENCES users (user_id),
    teacher_user_id uuid REFERENCES users (user_id) ON DELETE SET NULL,
    period_start    date NOT NULL,
    minutes         integer NOT NULL,
    notes           text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT teacher_sessions_minutes_range CHECK (minutes BETWEEN 1 AND 600),
    CONSTRAINT teacher_sessions_notes_length CHECK (char_length(notes) <= 2000)
);
CREATE INDEX teacher_sessions_subscription_period_idx ON teacher_sessions (subscription_id, period_start);
CREATE INDEX teacher_sessions_student_idx ON teacher_sessions (student_user_id, created_at DESC);

-- ---------------------------------------------------------------------------------------
-- subscriptions: when the 7-day expiry warning went out (so reruns never repeat it), and
-- the index the admin list pages by.
-- ---------------------------------------------------------------------------------------
ALTER TABLE subscriptions ADD COLUMN expiry_warned_at timestamptz;
CREATE INDEX subscriptions_created_idx ON subscriptions (created_at DESC, subscription_id);
