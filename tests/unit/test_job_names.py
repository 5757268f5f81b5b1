"""Jobs requested by name (job_requests.py, notifications) name real functions: a rename
that forgot the name would otherwise fail only in the worker."""

from __future__ import annotations

import importlib

import pytest

from mathvidya import job_requests
from mathvidya.notifications import service as notifications

NAMES = [
    job_requests.ASSIGN_EVALUATION_JOB,
    job_requests.AUTO_SUBMIT_EXAM_JOB,
    job_requests.REFRESH_LEADERBOARD_JOB,
    notifications.DELIVER_EMAIL_JOB,
]


@pytest.mark.parametrize("name", NAMES)
def test_a_job_requested_by_name_is_an_importable_function(name):
    module, _, function = name.rpartition(".")
    assert callable(getattr(importlib.import_module(module), function))
