"""gunicorn exactly as the Procfile's web line runs it (or with another worker class for
the comparison), and the RQ worker as its line runs it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tools.bench.config import ROOT
from tools.local_services import free_port, wait_for_port


def procfile() -> dict[str, str]:
    commands = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        if ":" in line and not line.startswith("#"):
            name, command = line.split(":", 1)
            commands[name.strip()] = command.strip()
    return commands


@dataclass
class Process:
    name: str
    command: str
    process: subprocess.Popen
    log_path: Path
    port: int | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def _spawn(name: str, command: str, env: dict[str, str], log_path: Path, port: int | None = None) -> Process:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = open(log_path, "ab")
    process = subprocess.Popen(
        ["bash", "-c", f"exec {command}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return Process(name, command, process, log_path, port)


def web_command(worker_class: str | None = None, extra: str = "") -> str:
    """The Procfile's web line, optionally with another worker class."""
    command = procfile()["web"]
    if worker_class and worker_class != "gthread":
        if "--worker-class gthread" not in command:
            raise RuntimeError(f"cannot swap the worker class in the Procfile web line: {command}")
        command = command.replace("--worker-class gthread", f"--worker-class {worker_class}")
    return f"{command} {extra}".strip()


def start_web(
    env: dict[str, str],
    log_dir: Path,
    *,
    worker_class: str | None = None,
    workers: int | None = None,
    threads: int | None = None,
    extra: str = "",
) -> Process:
    port = free_port()
    run_env = {**env, "PORT": str(port)}
    if workers:
        run_env["WEB_CONCURRENCY"] = str(workers)
    if threads:
        run_env["GUNICORN_THREADS"] = str(threads)
    label = f"web-{worker_class or 'gthread'}-{workers or 'default'}x{threads or 'default'}"
    server = _spawn(label, web_command(worker_class, extra), run_env, log_dir / f"{label}-{port}.log", port)
    try:
        wait_for_port(port, timeout=60)
        _wait_ready(server)
    except Exception:
        server.stop()
        raise RuntimeError(f"gunicorn did not become ready; see {server.log_path}") from None
    return server


def _wait_ready(server: Process, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError("gunicorn exited")
        try:
            with urllib.request.urlopen(server.base_url + "/readyz", timeout=5) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn never answered /readyz")


def start_worker(env: dict[str, str], log_dir: Path, command: str | None = None) -> Process:
    """The Procfile's worker line (or another command, for a comparison)."""
    return _spawn("worker", command or procfile()["worker"], env, log_dir / f"worker-{time.monotonic_ns()}.log")


def call(
    base_url: str, method: str, path: str, token: str | None = None, body: dict | None = None, timeout: float = 30
) -> tuple[int, object]:
    """One request with urllib (smoke checks and sequential latency samples)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base_url + path, data=data, method=method)  # noqa: S310 (loopback)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (loopback)
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw)
        except ValueError:
            return error.code, raw.decode(errors="replace")
