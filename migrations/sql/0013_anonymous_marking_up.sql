-- ---------------------------------------------------------------------------------------
-- Anonymous marking: teachers know an exam by its candidate code (MV-XXXX-XXXX), never by
-- the student's name. The application draws each code with Python's secrets module
-- (mathvidya/exams/candidate_codes.py); the column default below draws one the same way
-- from the database's CSPRNG (gen_random_uuid) for rows written by plain SQL (backfill,
-- seeding tools). Alphabet: 32 symbols without 0, O, 1 and I, so a byte modulo 32 is
-- uniform and a code read aloud or copied by hand stays unambiguous. 8 symbols = 40 bits;
-- the unique index is the guarantee, and an insert meeting a taken code retries.
-- ---------------------------------------------------------------------------------------
CREATE FUNCTION new_candidate_code() RETURNS text
LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
    SELECT 'MV-' || substr(code, 1, 4) || '-' || substr(code, 5, 4)
    FROM (
        SELECT string_agg(substr('23456789ABCDEFGHJKLMNPQRSTUVWXYZ', (get_byte(r.b, i) & 31) + 1, 1), '' ORDER BY i)
               AS code
        FROM (SELECT uuid_send(gen_random_uuid()) AS b) r, generate_series(0, 7) AS i
        GROUP BY r.b
    ) drawn
$$;

ALTER TABLE exam_instances ADD COLUMN candidate_code text;

-- Backfill: one code per existing exam, redrawn for the (rare) duplicates until none is left.
UPDATE exam_instances SET candidate_code = new_candidate_code();
DO $$
BEGIN
    LOOP
        UPDATE exam_instances e SET candidate_code = new_candidate_code()
        WHERE e.exam_instance_id IN (
            SELECT d.exam_instance_id
            FROM (SELECT exam_instance_id,
                         row_number() OVER (PARTITION BY candidate_code ORDER BY exam_instance_id) AS n
                  FROM exam_instances) d
            WHERE d.n > 1
        );
        EXIT WHEN NOT FOUND;
    END LOOP;
END
$$;

ALTER TABLE exam_instances ALTER COLUMN candidate_code SET DEFAULT new_candidate_code();
ALTER TABLE exam_instances ALTER COLUMN candidate_code SET NOT NULL;
ALTER TABLE exam_instances ADD CONSTRAINT exam_instances_candidate_code_format
    CHECK (candidate_code ~ '^MV-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$');
CREATE UNIQUE INDEX exam_instances_candidate_code_key ON exam_instances (candidate_code);

INSERT INTO system_config (config_key, config_value, value_type, description) VALUES
    ('anonymous_marking', 'true', 'boolean',
     'Teachers see each exam by its candidate code, never the student''s name, e-mail or id (admins see both).');
