-- name: plan_with_actual_values!
-- The optional filters below fold away only when the planner sees the values: keep this
-- transaction's (pooled, auto-prepared) statements on custom plans so each combination
-- uses its own index (docs/admin.md, EXPLAIN).
SET LOCAL plan_cache_mode = force_custom_plan;

-- name: list_audit_logs
-- Newest first; each filter is served by an index (event_type, actor_user_id or
-- resource_type/resource_id, each followed by created_at DESC; created_at alone otherwise).
SELECT log_id, event_type, actor_user_id, actor_role, host(ip_address) AS ip_address, resource_type,
       resource_id, details, created_at
FROM audit_logs
WHERE (CAST(:event_type AS text) IS NULL OR event_type = :event_type)
  AND (CAST(:event_prefix AS text) IS NULL OR starts_with(event_type, :event_prefix))
  AND (CAST(:actor_user_id AS uuid) IS NULL OR actor_user_id = :actor_user_id)
  AND (CAST(:resource_type AS text) IS NULL OR resource_type = :resource_type)
  AND (CAST(:resource_id AS text) IS NULL OR resource_id = :resource_id)
  AND (CAST(:from_time AS timestamptz) IS NULL OR created_at >= :from_time)
  AND (CAST(:to_time AS timestamptz) IS NULL OR created_at < :to_time)
ORDER BY created_at DESC, log_id DESC
LIMIT :limit OFFSET :offset;

-- name: count_audit_logs$
SELECT count(*)
FROM audit_logs
WHERE (CAST(:event_type AS text) IS NULL OR event_type = :event_type)
  AND (CAST(:event_prefix AS text) IS NULL OR starts_with(event_type, :event_prefix))
  AND (CAST(:actor_user_id AS uuid) IS NULL OR actor_user_id = :actor_user_id)
  AND (CAST(:resource_type AS text) IS NULL OR resource_type = :resource_type)
  AND (CAST(:resource_id AS text) IS NULL OR resource_id = :resource_id)
  AND (CAST(:from_time AS timestamptz) IS NULL OR created_at >= :from_time)
  AND (CAST(:to_time AS timestamptz) IS NULL OR created_at < :to_time);

-- name: units_in_use
-- Units of one class still named by a live question or an active template (its
-- specific_unit or a section's unit_weightage): a unit list update must keep them.
SELECT DISTINCT unit
FROM (
    SELECT q.unit
    FROM questions q
    WHERE q.class = CAST(:student_class AS student_class) AND q.status <> 'archived'
    UNION
    SELECT t.specific_unit
    FROM exam_templates t
    WHERE t.class = CAST(:student_class AS student_class) AND t.is_active AND t.specific_unit IS NOT NULL
    UNION
    SELECT jsonb_object_keys(section -> 'unit_weightage')
    FROM exam_templates t
    CROSS JOIN LATERAL jsonb_array_elements(
        CASE WHEN jsonb_typeof(t.config -> 'sections') = 'array' THEN t.config -> 'sections' ELSE CAST('[]' AS jsonb) END
    ) AS section
    WHERE t.class = CAST(:student_class AS student_class) AND t.is_active
      AND jsonb_typeof(section -> 'unit_weightage') = 'object'
) AS used (unit)
ORDER BY unit;
