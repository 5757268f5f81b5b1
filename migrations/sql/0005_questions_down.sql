-- Revision 0005 down: the default templates (unless an exam already used one), the
-- indexes and the duplicate-key function.
--
-- Run by alembic through exec_driver_sql, so this file must contain no percent sign.
DELETE FROM exam_templates t
WHERE t.template_id IN (
    '449b701e-1d69-5fcf-9bd4-65a99e4f2d26',
    '07a82a56-97b7-58a5-b872-6dd01f0166c4',
    '0873690f-79f2-502c-97e2-faf758a54d17',
    '9307bcc4-760f-51ad-bd55-f6f16c7d525d',
    '05c7cbce-b25f-5dbc-84ee-a085c4ed7176',
    '20bb7e98-f93f-5ce4-ae70-f34234039aab',
    '2be89c3d-a195-54bb-8bb8-e423224bb69d',
    '6a67ec66-27fb-5516-a4b8-669088185f4f',
    '048c707e-97b3-56c9-ba81-f61ddb9c5b92',
    '8ba94749-301c-5e8f-a906-7358934440c6',
    '817336a1-511e-5870-934c-5b5d864567cf',
    'd74278d5-07a2-5c1f-a2b2-c9f071bd0b52',
    'dd9b2d18-390e-59b8-b9a4-f3aa734afed5',
    'b54aaf55-7a1d-5102-921f-44b52eda9b3a',
    '96c36bcd-8cce-5ddb-a2d7-390e4c0ed390',
    '0a6c7e47-cdfb-5682-9e3f-43a554eb1874',
    '28584b83-a0da-50fb-8bbe-746a2d55079c',
    'fe9ca3e1-df27-50aa-bc3d-70402eca2eed',
    '971487e6-9d2e-56b9-803c-1bc5e1603cdb',
    '77ec43a5-5839-595f-899f-27bed2cfc350',
    'c78dcee5-2dfc-5a89-9663-a851992fd0f2',
    '48614634-89c9-5faa-8778-bc57b19d3fd7',
    '6f7def71-290e-5283-ac6a-20f9af85bd48',
    '4073333c-8dcd-57cb-a4ab-0e47f5f123f0',
    'd52e6e68-3a82-544c-93f1-4ec8990a06ca',
    '3832fecb-acc5-5092-a6f1-cf5e993fdc77',
    'ab254a83-3bf5-5e11-aad0-d373d3f6db78',
    '9240cefe-1b11-5bda-923d-95e2003880dd',
    '3db238b0-df05-59de-a3cb-86878d141459',
    '0c03c7e6-324c-5341-ba24-ce57cc522ff4',
    'c269bb9c-179b-57a8-a492-d1db8b97bf3d',
    '3ce93b7d-68ad-53a4-b9f5-302a6aada5ca',
    'c3dcf600-2762-5385-bb66-d97abc64bd23',
    '4d85d441-471b-5408-87de-f5726eea6bf7',
    '0b323d7e-8e69-5516-a1ba-1a83bd962a35'
)
  AND NOT EXISTS (SELECT 1 FROM exam_instances e WHERE e.template_id = t.template_id);

DROP INDEX IF EXISTS questions_status_newest_idx;
DROP INDEX IF EXISTS questions_newest_idx;
DROP INDEX IF EXISTS questions_created_by_idx;
DROP INDEX IF EXISTS questions_dedup_idx;
DROP FUNCTION IF EXISTS question_dedup_key(text);
