-- seed-demo only. The demo's past exams go through the real services at past instants,
-- but two columns take the database clock: created_at (a default) and evaluated_at (a
-- trigger). These put them at the demo's instants, so lists, trends and recency read true.

-- name: backdate_created_at!
UPDATE exam_instances
SET created_at = started_at
WHERE exam_instance_id = :exam_instance_id;

-- name: backdate_evaluated_at!
UPDATE exam_instances
SET evaluated_at = :evaluated_at
WHERE exam_instance_id = :exam_instance_id
  AND status = 'evaluated';
