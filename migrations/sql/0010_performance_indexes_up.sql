-- A teacher's queue reads that teacher's open evaluations by deadline: with this index the
-- read is proportional to the teacher's own open work, not to every open evaluation.
CREATE INDEX evaluations_teacher_open_idx ON evaluations (teacher_user_id, sla_deadline)
    WHERE status <> 'completed';

-- questions_active_sampling_idx (0006) has the same columns and predicate; every question
-- write maintained both.
DROP INDEX IF EXISTS questions_active_pick_idx;
