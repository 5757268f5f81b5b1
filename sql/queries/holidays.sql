-- name: holidays_between
-- Holiday rows in an inclusive date range, for the SLA clock.
SELECT holiday_id, holiday_date, holiday_name, is_working_day
FROM holidays
WHERE holiday_date BETWEEN :start_date AND :end_date
ORDER BY holiday_date, holiday_name;
