"""/docs in a real browser: headless Chromium, with every outside host unreachable and the
page under `Content-Security-Policy: default-src 'self'`, renders every operation of the
OpenAPI document.

Chromium comes from Debian's package (`make test` installs it when missing); where it
cannot be installed the test is skipped and says why."""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tools.local_services import free_port

ROOT = Path(__file__).resolve().parent.parent.parent
STRICT_POLICY = "default-src 'self'"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Any host but loopback fails to resolve: the page must need nothing from outside.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    "--virtual-time-budget=20000",
    "--window-size=1280,1600",
    "--enable-logging=stderr",
    "--v=0",
)


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def chromium():
    if _chromium() is None:
        subprocess.run(["bash", str(ROOT / "tools/ensure_system_packages.sh"), "--browser"], check=False, timeout=600)
    binary = _chromium()
    if binary is None:
        pytest.skip(
            "chromium is not installed and could not be installed here (needs root and apt-get: "
            "`apt-get install chromium`); /docs was not checked in a browser"
        )
    return binary


class _StrictPolicy:
    """The policy the production proxy or app sets on /docs, applied here so the test
    fails if the page ever needs an inline script or style."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        def start(status, headers, exc_info=None):
            return start_response(status, [*headers, ("Content-Security-Policy", STRICT_POLICY)], exc_info)

        return self.app(environ, start)


@pytest.fixture(scope="module")
def live_docs(app):
    server = make_server("127.0.0.1", free_port(), _StrictPolicy(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def _run_chromium(binary: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _operations(spec: dict) -> set[tuple[str, str]]:
    return {(method, path) for path, ops in spec["paths"].items() for method in ops if method != "parameters"}


def test_docs_render_every_operation_offline_under_a_strict_policy(chromium, live_docs, client, tmp_path):
    rendered = _run_chromium(chromium, tmp_path / "profile", "--dump-dom", f"{live_docs}/docs")
    assert rendered.returncode == 0, rendered.stderr[-2000:]
    dom = rendered.stdout
    shown = set(re.findall(r'id="operations-[^"]*".*?class="opblock-summary-method">(\w+)<', dom))
    paths = set(re.findall(r'data-path="([^"]+)"', dom))
    expected = _operations(client.get("/api/v1/openapi.json").get_json())
    assert {path for _, path in expected} <= paths
    assert len(re.findall(r'class="opblock opblock-(?:get|post|put|patch|delete)', dom)) == len(expected)
    assert {"GET", "POST", "PUT", "PATCH"} <= shown
    # Swagger UI's stylesheet draws a few icons from data: URLs (img-src); nothing else may
    # be refused — no inline script, no inline style, nothing from another host.
    refused = [line for line in rendered.stderr.splitlines() if "Content Security Policy" in line]
    assert all("'img-src'" in line and "data:image" in line for line in refused), refused


def test_docs_screenshot_shows_the_page(chromium, live_docs, tmp_path):
    """A picture to look at when the page changes (kept under the test's temp folder)."""
    shot = tmp_path / "docs.png"
    taken = _run_chromium(chromium, tmp_path / "profile", f"--screenshot={shot}", f"{live_docs}/docs")
    assert taken.returncode == 0, taken.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 50_000  # a blank 1280×1600 page is a few kB
