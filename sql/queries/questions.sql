-- name: insert_question^
-- A new question at version 1 (status decided by the service).
INSERT INTO questions (class, unit, topic, question_type, marks, difficulty, question_text,
                       question_image_key, diagram_image_key, mcq_choices, mcq_correct_choices,
                       correct_answer_text, correct_answer_image_key, explanation,
                       explanation_image_key, tags, cbse_year, marking_scheme, status, created_by,
                       approved_by, approved_at)
VALUES (:class_, :unit, :topic, :question_type, :marks, :difficulty, :question_text,
        :question_image_key, :diagram_image_key, :mcq_choices, :mcq_correct_choices,
        :correct_answer_text, :correct_answer_image_key, :explanation,
        :explanation_image_key, :tags, :cbse_year, :marking_scheme, :status, :created_by, :approved_by,
        CASE WHEN CAST(:approved_by AS uuid) IS NULL THEN NULL ELSE now() END)
RETURNING question_id, class, unit, topic, question_type, marks, difficulty, question_text,
          question_image_key, diagram_image_key, mcq_choices, mcq_correct_choices,
          correct_answer_text, correct_answer_image_key, explanation, explanation_image_key,
          tags, cbse_year, marking_scheme, status, version, created_by, approved_by, approved_at, created_at,
          updated_at;

-- name: get_question^
SELECT question_id, class, unit, topic, question_type, marks, difficulty, question_text,
       question_image_key, diagram_image_key, mcq_choices, mcq_correct_choices,
       correct_answer_text, correct_answer_image_key, explanation, explanation_image_key,
       tags, cbse_year, marking_scheme, status, version, created_by, approved_by, approved_at, created_at,
       updated_at
FROM questions
WHERE question_id = :question_id;

-- name: lock_question^
-- The question row, locked for an edit or a status change (one writer at a time).
SELECT question_id, class, unit, topic, question_type, marks, difficulty, question_text,
       question_image_key, diagram_image_key, mcq_choices, mcq_correct_choices,
       correct_answer_text, correct_answer_image_key, explanation, explanation_image_key,
       tags, cbse_year, marking_scheme, status, version, created_by, approved_by, approved_at, created_at,
       updated_at
FROM questions
WHERE question_id = :question_id
FOR UPDATE;

-- name: insert_question_version!
-- The content a question had at `version`, kept when an edit replaces it (append-only).
INSERT INTO question_versions (question_id, version, content, edited_by)
VALUES (:question_id, :version, :content, :edited_by);

-- name: update_question_content^
-- The next version of a locked question.
UPDATE questions
SET class = :class_, unit = :unit, topic = :topic, question_type = :question_type, marks = :marks,
    difficulty = :difficulty, question_text = :question_text,
    question_image_key = :question_image_key, diagram_image_key = :diagram_image_key,
    mcq_choices = :mcq_choices, mcq_correct_choices = :mcq_correct_choices,
    correct_answer_text = :correct_answer_text, correct_answer_image_key = :correct_answer_image_key,
    explanation = :explanation, explanation_image_key = :explanation_image_key, tags = :tags,
    cbse_year = :cbse_year, marking_scheme = :marking_scheme, status = CAST(:status AS question_status),
    approved_by = CASE WHEN CAST(:status AS question_status) = 'active' THEN approved_by END,
    approved_at = CASE WHEN CAST(:status AS question_status) = 'active' THEN approved_at END,
    version = version + 1
WHERE question_id = :question_id AND version = :version
RETURNING question_id, class, unit, topic, question_type, marks, difficulty, question_text,
          question_image_key, diagram_image_key, mcq_choices, mcq_correct_choices,
          correct_answer_text, correct_answer_image_key, explanation, explanation_image_key,
          tags, cbse_year, marking_scheme, status, version, created_by, approved_by, approved_at, created_at,
          updated_at;

-- name: set_question_status^
-- Approve (→ active, recording who) or archive a locked question.
UPDATE questions
SET status = CAST(:status AS question_status),
    approved_by = CASE WHEN CAST(:status AS question_status) = 'active' THEN CAST(:approved_by AS uuid) ELSE approved_by END,
    approved_at = CASE WHEN CAST(:status AS question_status) = 'active' THEN now() ELSE approved_at END
WHERE question_id = :question_id
RETURNING question_id, class, unit, topic, question_type, marks, difficulty, question_text,
          question_image_key, diagram_image_key, mcq_choices, mcq_correct_choices,
          correct_answer_text, correct_answer_image_key, explanation, explanation_image_key,
          tags, cbse_year, marking_scheme, status, version, created_by, approved_by, approved_at, created_at,
          updated_at;

-- name: list_question_versions
-- Every earlier version of a question, oldest first (primary key order).
SELECT question_id, version, content, edited_by, created_at
FROM question_versions
WHERE question_id = :question_id
ORDER BY version;

-- name: count_questions$
-- How many questions match the search (same filters as search_questions).
SELECT count(*)
FROM questions
WHERE (CAST(:class_ AS student_class) IS NULL OR class = CAST(:class_ AS student_class))
  AND (CAST(:unit AS text) IS NULL OR unit = CAST(:unit AS text))
  AND (CAST(:question_type AS question_type) IS NULL OR question_type = CAST(:question_type AS question_type))
  AND (CAST(:difficulty AS question_difficulty) IS NULL OR difficulty = CAST(:difficulty AS question_difficulty))
  AND (CAST(:status AS question_status) IS NULL OR status = CAST(:status AS question_status))
  AND (CAST(:tag AS text) IS NULL OR tags @> ARRAY[CAST(:tag AS text)])
  AND (CAST(:q AS text) IS NULL OR search_vector @@ websearch_to_tsquery('english', CAST(:q AS text)))
  AND (CAST(:viewer_id AS uuid) IS NULL OR status = 'active' OR created_by = CAST(:viewer_id AS uuid));

-- name: search_questions
-- One page of matching questions: best text match first when searching, else newest first.
-- viewer_id limits a teacher to active questions and their own; NULL (admins) sees all.
SELECT question_id, class, unit, topic, question_type, marks, difficulty, question_text,
       question_image_key, diagram_image_key, mcq_choices, mcq_correct_choices,
       correct_answer_text, correct_answer_image_key, explanation, explanation_image_key,
       tags, cbse_year, marking_scheme, status, version, created_by, approved_by, approved_at, created_at,
       updated_at
FROM questions
WHERE (CAST(:class_ AS student_class) IS NULL OR class = CAST(:class_ AS student_class))
  AND (CAST(:unit AS text) IS NULL OR unit = CAST(:unit AS text))
  AND (CAST(:question_type AS question_type) IS NULL OR question_type = CAST(:question_type AS question_type))
  AND (CAST(:difficulty AS question_difficulty) IS NULL OR difficulty = CAST(:difficulty AS question_difficulty))
  AND (CAST(:status AS question_status) IS NULL OR status = CAST(:status AS question_status))
  AND (CAST(:tag AS text) IS NULL OR tags @> ARRAY[CAST(:tag AS text)])
  AND (CAST(:q AS text) IS NULL OR search_vector @@ websearch_to_tsquery('english', CAST(:q AS text)))
  AND (CAST(:viewer_id AS uuid) IS NULL OR status = 'active' OR created_by = CAST(:viewer_id AS uuid))
ORDER BY CASE WHEN CAST(:q AS text) IS NULL THEN 0
              ELSE ts_rank(search_vector, websearch_to_tsquery('english', CAST(:q AS text))) END DESC,
         created_at DESC, question_id
LIMIT :limit OFFSET :offset;

-- name: eligible_question_ids
-- Active questions of one class, type and unit: the only ones exams may draw
-- (questions_active_sampling_idx).
SELECT question_id
FROM questions
WHERE class = CAST(:class_ AS student_class)
  AND question_type = CAST(:question_type AS question_type)
  AND unit = :unit
  AND status = 'active'
ORDER BY question_id
LIMIT :limit;

-- name: lock_question_import#
-- Imports run one at a time, so two imports of one file cannot both miss each other's rows.
SELECT pg_advisory_xact_lock(hashtext('mathvidya:questions:import'));

-- name: find_duplicate_rows$
-- Row numbers of incoming questions that repeat a question already in the bank (same
-- class, unit, type and normalised text: questions_dedup_idx). Repeats within one file
-- are not duplicates here (the importer warns about them instead).
WITH incoming AS (
    SELECT r.row_number, r.class, r.unit, r.question_type, question_dedup_key(r.question_text) AS dedup_key
    FROM jsonb_to_recordset(:rows) AS r(row_number integer, class student_class, unit text,
                                        question_type question_type, question_text text)
), fresh AS (
    SELECT f.row_number
    FROM incoming f
    WHERE f.dedup_key IS NULL
       OR NOT EXISTS (
           SELECT 1 FROM questions q
           WHERE q.class = f.class AND q.unit = f.unit AND q.question_type = f.question_type
             AND question_dedup_key(q.question_text) = f.dedup_key)
)
SELECT coalesce(array_agg(i.row_number ORDER BY i.row_number), '{}')
FROM incoming i
WHERE i.row_number NOT IN (SELECT row_number FROM fresh);

-- name: insert_questions_skipping_duplicates^
-- Insert many questions in one statement, skipping those find_duplicate_rows would name;
-- answers how many were inserted and which rows were duplicates.
WITH incoming AS (
    SELECT r.*, question_dedup_key(r.question_text) AS dedup_key
    FROM jsonb_to_recordset(:rows) AS r(row_number integer, class student_class, unit text, topic text,
                                        question_type question_type, marks numeric,
                                        difficulty question_difficulty, question_text text,
                                        question_image_key text, diagram_image_key text,
                                        mcq_choices jsonb, mcq_correct_choices text[],
                                        correct_answer_text text, explanation text, tags text[],
                                        cbse_year integer, marking_scheme jsonb)
), fresh AS (
    SELECT f.*
    FROM incoming f
    WHERE f.dedup_key IS NULL
       OR NOT EXISTS (
           SELECT 1 FROM questions q
           WHERE q.class = f.class AND q.unit = f.unit AND q.question_type = f.question_type
             AND question_dedup_key(q.question_text) = f.dedup_key)
), inserted AS (
    INSERT INTO questions (class, unit, topic, question_type, marks, difficulty, question_text,
                           question_image_key, diagram_image_key, mcq_choices, mcq_correct_choices,
                           correct_answer_text, explanation, tags, cbse_year, marking_scheme, status,
                           created_by, approved_by, approved_at)
    SELECT class, unit, topic, question_type, marks, coalesce(difficulty, 'medium'), question_text,
           question_image_key, diagram_image_key, mcq_choices, mcq_correct_choices,
           correct_answer_text, explanation, coalesce(tags, '{}'), cbse_year, marking_scheme,
           CAST(:status AS question_status), CAST(:created_by AS uuid),
           CASE WHEN CAST(:status AS question_status) = 'active' THEN CAST(:approved_by AS uuid) END,
           CASE WHEN CAST(:status AS question_status) = 'active' THEN now() END
    FROM fresh
    ORDER BY row_number
    RETURNING question_id
)
SELECT (SELECT count(*) FROM inserted) AS imported,
       (SELECT coalesce(array_agg(i.row_number ORDER BY i.row_number), '{}')
        FROM incoming i
        WHERE i.row_number NOT IN (SELECT row_number FROM fresh)) AS duplicate_rows;

-- name: export_questions_page
-- One page of an export, in class, unit, id order, after the last row of the previous page
-- (keyset: each page is one short statement, so a long download holds no transaction).
-- viewer_id limits a teacher to active questions and their own; NULL (admins) sees all.
SELECT question_id, class, unit, topic, question_type, marks, difficulty, question_text,
       question_image_key, diagram_image_key, mcq_choices, mcq_correct_choices,
       correct_answer_text, correct_answer_image_key, explanation, explanation_image_key,
       tags, cbse_year, marking_scheme, status
FROM questions
WHERE (CAST(:class_ AS student_class) IS NULL OR class = CAST(:class_ AS student_class))
  AND (CAST(:unit AS text) IS NULL OR unit = CAST(:unit AS text))
  AND (CAST(:status AS question_status) IS NULL OR status = CAST(:status AS question_status))
  AND (CAST(:viewer_id AS uuid) IS NULL OR status = 'active' OR created_by = CAST(:viewer_id AS uuid))
  AND (CAST(:after_id AS uuid) IS NULL
       OR (class, unit, question_id) > (CAST(:after_class AS student_class), CAST(:after_unit AS text),
                                        CAST(:after_id AS uuid)))
ORDER BY class, unit, question_id
LIMIT :limit;
