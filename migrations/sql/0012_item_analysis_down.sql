DROP TABLE IF EXISTS question_analysis;
DROP TABLE IF EXISTS item_analysis_runs;
