"""The Procfile's processes, started for real by the end-to-end tests and always stopped."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def procfile_commands() -> dict[str, str]:
    """name → command line, as the Procfile says."""
    return dict(line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines() if ": " in line)


@contextmanager
def procfile_processes(names: tuple[str, ...], env: dict[str, str], logs: Path) -> Iterator[list[subprocess.Popen]]:
    """Start each named process (its output in ``logs/<name>.log``); on the way out, SIGTERM
    to every process group, then SIGKILL to any that has not ended within 20 s."""
    commands = procfile_commands()
    logs.mkdir(parents=True, exist_ok=True)
    processes = []
    try:
        for name in names:
            with open(logs / f"{name}.log", "wb") as out:  # the child keeps its own descriptor
                processes.append(
                    subprocess.Popen(
                        ["bash", "-c", f"exec {commands[name]}"],
                        cwd=ROOT,
                        env=env,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )
        yield processes
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
