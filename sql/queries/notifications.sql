-- name: insert_notification$
-- One in-app notification for one user.
INSERT INTO notifications (user_id, event_type, title, body, resource_type, resource_id)
VALUES (:user_id, :event_type, :title, :body, :resource_type, :resource_id)
RETURNING notification_id;

-- name: insert_notification_for_recipient^
-- One in-app notification, returning whom its e-mail would go to and whether they want
-- it (one statement instead of an insert and a read).
WITH added AS (
    INSERT INTO notifications (user_id, event_type, title, body, resource_type, resource_id)
    VALUES (:user_id, :event_type, :title, :body, :resource_type, :resource_id)
    RETURNING notification_id, user_id
)
SELECT a.notification_id, u.user_id, u.email, u.first_name, u.role, u.is_active, u.email_opt_out
FROM added a
LEFT JOIN users u ON u.user_id = a.user_id;

-- name: insert_outbox_email$
-- Queue an e-mail; the deliver-outbox job sends it.
INSERT INTO email_outbox (to_address, subject, body_text, body_html, event_type)
VALUES (:to_address, :subject, :body_text, :body_html, :event_type)
RETURNING outbox_id;

-- name: claim_due_emails
-- Pending e-mails due now (or one by id), locked so concurrent workers skip each other's.
SELECT outbox_id, to_address, subject, body_text, body_html, attempts
FROM email_outbox
WHERE status = 'pending'
  AND next_attempt_at <= :as_of
  AND (CAST(:outbox_id AS uuid) IS NULL OR outbox_id = CAST(:outbox_id AS uuid))
ORDER BY next_attempt_at
LIMIT :batch
FOR UPDATE SKIP LOCKED;

-- name: record_failed_attempt!
UPDATE email_outbox
SET attempts = :attempts, status = :status, next_attempt_at = :next_attempt_at, last_error = :last_error
WHERE outbox_id = :outbox_id;

-- name: mark_sent!
-- Sent: the one-time tokens in its links (reset, verification) are dropped from the stored
-- bodies, so the outbox never keeps a usable link once the mail has left.
UPDATE email_outbox
SET status = 'sent', sent_at = :sent_at, attempts = attempts + 1, last_error = NULL,
    body_text = regexp_replace(body_text, '([?&]token=)[^&\s"<>]+', '\1[removed-after-delivery]', 'g'),
    body_html = regexp_replace(body_html, '([?&]token=)[^&\s"<>]+', '\1[removed-after-delivery]', 'g')
WHERE outbox_id = :outbox_id;

-- name: list_notifications
-- The caller's own, newest first (notifications_user_created_idx).
SELECT notification_id, event_type, title, body, resource_type, resource_id, is_read, created_at, read_at
FROM notifications
WHERE user_id = :user_id
  AND (NOT CAST(:unread_only AS boolean) OR NOT is_read)
ORDER BY created_at DESC, notification_id DESC
LIMIT :limit OFFSET :offset;

-- name: count_notifications^
-- Both counts in one pass over the caller's rows.
SELECT count(*) FILTER (WHERE NOT CAST(:unread_only AS boolean) OR NOT is_read) AS total,
       count(*) FILTER (WHERE NOT is_read) AS unread_count
FROM notifications
WHERE user_id = :user_id;

-- name: mark_read^
-- Only the owner's row; reading twice keeps the first read_at.
UPDATE notifications
SET is_read = true, read_at = coalesce(read_at, :read_at)
WHERE notification_id = :notification_id AND user_id = :user_id
RETURNING notification_id, event_type, title, body, resource_type, resource_id, is_read, created_at, read_at;

-- name: mark_all_read!
UPDATE notifications
SET is_read = true, read_at = :read_at
WHERE user_id = :user_id AND NOT is_read;
