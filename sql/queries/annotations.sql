-- Teacher annotations: stamps per answer-sheet page (evaluation_annotations) and the
-- uploaded pages they sit on (answer_sheet_uploads).

-- name: uploaded_page^
-- One uploaded page of an exam (answer_sheet_uploads_page_key index).
SELECT page_number, s3_key, content_type
FROM answer_sheet_uploads
WHERE exam_instance_id = :exam_instance_id
  AND page_number = :page_number;

-- name: uploaded_page_numbers
SELECT page_number
FROM answer_sheet_uploads
WHERE exam_instance_id = :exam_instance_id
ORDER BY page_number;

-- name: save_page_annotations^
-- The page's stamps replace whatever it had (one row per evaluation and page).
INSERT INTO evaluation_annotations (evaluation_id, page_number, annotation_data, annotated_s3_key)
VALUES (:evaluation_id, :page_number, :annotation_data, :annotated_s3_key)
ON CONFLICT (evaluation_id, page_number) DO UPDATE
    SET annotation_data = EXCLUDED.annotation_data,
        annotated_s3_key = EXCLUDED.annotated_s3_key
RETURNING evaluation_id, page_number, annotation_data, annotated_s3_key, updated_at;
