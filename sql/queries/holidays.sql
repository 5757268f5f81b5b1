-- name: holidays_between
-- Holiday rows in an inclusive date range, for the SLA clock.
SELECT holiday_id, holiday_date, holiday_name, is_working_day
FROM holidays
WHERE holiday_date BETWEEN :start_date AND :end_date
ORDER BY holiday_date, holiday_name;

-- name: list_holidays
-- Admin list, optionally one year (a date range, so the (holiday_date, holiday_name) index serves it).
SELECT holiday_id, holiday_date, holiday_name, is_working_day, description, created_at
FROM holidays
WHERE (CAST(:start_date AS date) IS NULL OR holiday_date BETWEEN :start_date AND :end_date)
ORDER BY holiday_date, holiday_name
LIMIT :limit OFFSET :offset;

-- name: count_holidays$
SELECT count(*)
FROM holidays
WHERE (CAST(:start_date AS date) IS NULL OR holiday_date BETWEEN :start_date AND :end_date);

-- name: insert_holiday^
-- UNIQUE (holiday_date, holiday_name) refuses an exact duplicate; two names on one date are fine.
INSERT INTO holidays (holiday_date, holiday_name, is_working_day, description)
VALUES (:holiday_date, :holiday_name, :is_working_day, :description)
RETURNING holiday_id, holiday_date, holiday_name, is_working_day, description, created_at;

-- name: delete_holiday^
DELETE FROM holidays
WHERE holiday_id = :holiday_id
RETURNING holiday_id, holiday_date, holiday_name, is_working_day, description, created_at;
