"""Periodic jobs: one registry used by the clock (`rq cron`) and by `flask run-job`."""
