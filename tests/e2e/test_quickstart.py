"""docs/quickstart.md, run as written: its shell blocks, in order, in one bash, against a
live gunicorn and rq worker on a freshly seeded demo database. A doc step that stops
working fails here."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import redis as redis_lib

from tests.factories import process_env
from tests.procfile_processes import procfile_processes
from tools.local_services import free_port, wait_for_port

ROOT = Path(__file__).resolve().parent.parent.parent
QUICKSTART = ROOT / "docs" / "quickstart.md"
QUICKSTART_REDIS_DB = 7  # its own: the worker here must not take other tests' jobs
pytestmark = pytest.mark.e2e


def quickstart_script() -> str:
    blocks = re.findall(r"^```sh\n(.*?)^```", QUICKSTART.read_text(), re.S | re.M)
    assert len(blocks) >= 10, "the quickstart lost its shell blocks"
    return "set -euo pipefail\n" + "\n".join(blocks)


@pytest.fixture
def demo_stack(settings, fresh_database_url, services_dir):
    stack_settings = replace(
        settings,
        database_url=fresh_database_url,
        redis_url=settings.redis_url.rsplit("/", 1)[0] + f"/{QUICKSTART_REDIS_DB}",
    )
    port = free_port()
    env = process_env(stack_settings, PORT=str(port), HOST="127.0.0.1", WEB_CONCURRENCY="1")
    seeded = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "seed-demo"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert seeded.returncode == 0, seeded.stderr
    logs = services_dir / f"quickstart-{port}"
    try:
        with procfile_processes(("web", "worker"), env, logs):
            wait_for_port(port, timeout=60)
            yield {"api": f"http://127.0.0.1:{port}/api/v1", "logs": logs}
    finally:
        redis_lib.Redis.from_url(stack_settings.redis_url).flushdb()


def test_the_quickstart_runs_as_written_against_the_demo(demo_stack):
    if shutil.which("jq") is None:
        pytest.fail("jq is missing: `make test` installs it (tools/ensure_system_packages.sh)")
    env = {
        **os.environ,
        "API": demo_stack["api"],
        "TMPDIR": str(demo_stack["logs"]),  # the walk-through's scratch folder, removed with the session
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    }
    ran = subprocess.run(
        ["bash", "-c", quickstart_script()], cwd=ROOT, env=env, capture_output=True, text=True, timeout=240
    )
    assert ran.returncode == 0, f"{ran.stderr[-3000:]}\n--- stdout ---\n{ran.stdout[-3000:]}"
    out = ran.stdout
    assert '"plan": "Premium Plan"' in out
    assert '"status": "pending_evaluation"' in out
    assert '"status": "completed"' in out and '"sla_breached": false' in out
    assert '"status": "evaluated"' in out
    assert re.search(r'"stamped_page": "http://127\.0\.0\.1:\d+/[^"]*teacher-annotations/', out)
    assert '"is_you": true' in out
