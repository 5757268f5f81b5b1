-- name: insert_notification$
-- One in-app notification for one user.
INSERT INTO notifications (user_id, event_type, title, body, resource_type, resource_id)
VALUES (:user_id, :event_type, :title, :body, :resource_type, :resource_id)
RETURNING notification_id;

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
UPDATE email_outbox
SET status = 'sent', sent_at = :sent_at, attempts = attempts + 1, last_error = NULL
WHERE outbox_id = :outbox_id;
