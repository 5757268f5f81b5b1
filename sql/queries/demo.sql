-- seed-demo only. The demo's past exams go through the real services at past instants,
-- but exam_instances.evaluated_at is stamped by a trigger with the database clock; this
-- puts it at the instant the demo exam was evaluated, so trends and recency read true.

-- name: backdate_evaluated_at!
UPDATE exam_instances
SET evaluated_at = :evaluated_at
WHERE exam_instance_id = :exam_instance_id
  AND status = 'evaluated';
