"""`make bench`: seeds a large dataset, drives gunicorn with wrk, measures the SQL ceiling,
exam generation against bank size, leaderboard refresh, worker RSS and gunicorn worker
classes, and writes docs/benchmarks.md. Nothing here is asserted by the test suite."""
