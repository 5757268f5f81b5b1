"""Periodic jobs: one registry used by the clock (`python -m mathvidya.clock`) and by `flask run-job`."""
