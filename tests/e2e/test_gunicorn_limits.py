"""The web process as deployed (the Procfile's gunicorn, run from the repository root so it
reads gunicorn.conf.py): oversized headers reach the app and answer in the error shape."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tools.local_services import free_port, wait_for_port

ROOT = Path(__file__).resolve().parent.parent.parent
pytestmark = pytest.mark.e2e


@pytest.fixture
def web(settings, services_dir):
    port = free_port()
    env = {
        **os.environ,
        "MATHVIDYA_ENV": "test",
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "S3_ENDPOINT_URL": settings.s3_endpoint_url,
        "S3_BUCKET": settings.s3_bucket,
        "LOG_LEVEL": "WARNING",
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
    }
    procfile = dict(line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines() if ": " in line)
    with open(services_dir / f"web-{port}.log", "wb") as log:
        process = subprocess.Popen(
            ["bash", "-c", f"exec {procfile['web']}"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_for_port(port, timeout=60)
            yield f"http://127.0.0.1:{port}"
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def test_a_10_kb_authorization_header_gets_the_error_shape_from_gunicorn(web):
    response = requests.get(f"{web}/api/v1/users/me", headers={"Authorization": "Bearer " + "a" * 10_000}, timeout=10)
    assert response.status_code == 431
    assert response.json()["error"] == "HEADER_TOO_LARGE"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_beyond_gunicorns_own_limit_the_request_is_still_refused(web):
    response = requests.get(f"{web}/api/v1/users/me", headers={"Authorization": "Bearer " + "a" * 20_000}, timeout=10)
    assert response.status_code in (400, 431)
