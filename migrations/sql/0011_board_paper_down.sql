UPDATE exam_templates t
SET config = jsonb_set(t.config, '{sections}', (
        SELECT jsonb_agg(s.section - 'internal_choice_count' ORDER BY s.position)
        FROM jsonb_array_elements(t.config -> 'sections') WITH ORDINALITY AS s(section, position)))
WHERE t.template_id IN ('449b701e-1d69-5fcf-9bd4-65a99e4f2d26', 'fe9ca3e1-df27-50aa-bc3d-70402eca2eed');

DROP TABLE IF EXISTS question_step_marks;
DROP TABLE IF EXISTS question_alternative_marks;
ALTER TABLE question_marks DROP CONSTRAINT IF EXISTS question_marks_counted_choice_known;
ALTER TABLE question_marks DROP COLUMN IF EXISTS counted_choice;

ALTER TABLE exam_instances DROP CONSTRAINT IF EXISTS exam_instances_attempted_choices_object;
ALTER TABLE exam_instances DROP COLUMN IF EXISTS attempted_choices;

ALTER TABLE questions DROP CONSTRAINT IF EXISTS questions_marking_scheme_valid;
ALTER TABLE questions DROP COLUMN IF EXISTS marking_scheme;
DROP FUNCTION IF EXISTS marking_scheme_is_valid(jsonb, numeric);
