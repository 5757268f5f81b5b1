-- Adaptive practice, revision 0015 (the exam_type value 'adaptive_practice' was added and
-- committed by the revision file just before this script runs).
--
-- Run by alembic through exec_driver_sql, so this file must contain no percent sign.

-- ---------------------------------------------------------------------------------------
-- The adaptive practice paper of each class (mathvidya/questions/template_defaults.py;
-- tests compare them): 10 MCQ x 1, 4 VSA x 2, 2 SA x 3. Its sections name no unit: the
-- units are the student's three weakest, chosen when the exam starts (docs/exams.md).
-- Plans allow it where they allow unit practice (mathvidya/billing/entitlements.py).
-- ---------------------------------------------------------------------------------------
INSERT INTO exam_templates (template_id, template_name, class, exam_type, specific_unit, config,
                            total_marks, duration_minutes)
VALUES
    ('20644b87-1ab1-5a6a-a3fc-8eaa62f18279', 'Adaptive practice: your weakest units (Class XII)', 'XII',
     'adaptive_practice', NULL,
     '{"total_marks": 24, "duration_minutes": 40, "sections": [{"section_name": "Section A", "question_type": "MCQ", "question_count": 10, "marks_per_question": 1, "unit_weightage": {}}, {"section_name": "Section B", "question_type": "VSA", "question_count": 4, "marks_per_question": 2, "unit_weightage": {}}, {"section_name": "Section C", "question_type": "SA", "question_count": 2, "marks_per_question": 3, "unit_weightage": {}}]}',
     24, 40),
    ('758d62e5-8a62-5852-9020-ca30a5f0990a', 'Adaptive practice: your weakest units (Class X)', 'X',
     'adaptive_practice', NULL,
     '{"total_marks": 24, "duration_minutes": 40, "sections": [{"section_name": "Section A", "question_type": "MCQ", "question_count": 10, "marks_per_question": 1, "unit_weightage": {}}, {"section_name": "Section B", "question_type": "VSA", "question_count": 4, "marks_per_question": 2, "unit_weightage": {}}, {"section_name": "Section C", "question_type": "SA", "question_count": 2, "marks_per_question": 3, "unit_weightage": {}}]}',
     24, 40)
ON CONFLICT (template_id) DO NOTHING;

-- ---------------------------------------------------------------------------------------
-- unit_class_averages: per class and unit, the mean of the students' own percentages in
-- the unit over their evaluated exams of that class (each student counts once). Replaced
-- whole by the nightly job refresh-unit-averages, so a recommendation reads a few rows
-- instead of aggregating every exam of the class.
-- ---------------------------------------------------------------------------------------
CREATE TABLE unit_class_averages (
    class              student_class NOT NULL,
    unit               text NOT NULL,
    average_percentage numeric(5, 2) NOT NULL,
    students           integer NOT NULL,
    computed_at        timestamptz NOT NULL,
    PRIMARY KEY (class, unit),
    CONSTRAINT unit_class_averages_percentage CHECK (average_percentage BETWEEN 0 AND 100),
    CONSTRAINT unit_class_averages_students CHECK (students > 0)
);
