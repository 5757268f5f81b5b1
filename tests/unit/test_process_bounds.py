"""What keeps the processes lean and balanced: bounded concurrent password hashes, job
modules imported once by the worker, a listening socket of each web worker's own."""

from __future__ import annotations

import importlib.util
import logging
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from gunicorn.config import Config
from gunicorn.sock import TCPSocket

from mathvidya.identity import passwords

ROOT = Path(__file__).resolve().parents[2]


class SlowHasher:
    """Records how many hashes run at once."""

    def __init__(self) -> None:
        self.running = 0
        self.most = 0
        self.lock = threading.Lock()

    def hash(self, password: str) -> str:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
        time.sleep(0.02)
        with self.lock:
            self.running -= 1
        return "hash"

    verify = lambda self, stored, password: self.hash(password) == "hash"  # noqa: E731


@pytest.mark.parametrize("slots", [1, 2])
def test_password_hashes_in_one_process_are_bounded(monkeypatch, slots):
    fake = SlowHasher()
    monkeypatch.setattr(passwords, "_hasher", fake)
    passwords.limit_concurrent_hashes(slots)
    try:
        work = [threading.Thread(target=passwords.hash_password, args=("pw",)) for _ in range(3)]
        work += [threading.Thread(target=passwords.verify_password, args=("h", "pw")) for _ in range(3)]
        for thread in work:
            thread.start()
        for thread in work:
            thread.join()
    finally:
        passwords.limit_concurrent_hashes(passwords.DEFAULT_CONCURRENT_HASHES)
    assert fake.most == slots


def test_at_least_one_hash_slot():
    with pytest.raises(ValueError):
        passwords.limit_concurrent_hashes(0)


def test_the_worker_imports_every_job_module_before_forking():
    script = (
        "import sys\n"
        "from mathvidya.worker import preload_job_modules\n"
        "loaded = preload_job_modules()\n"
        "print(','.join(sorted(m for m in loaded if m in sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    loaded = set(done.stdout.strip().split(","))
    expected = {f"mathvidya.{path.parent.name}.jobs" for path in (ROOT / "mathvidya").glob("*/jobs.py")}
    assert expected and loaded == expected


def _gunicorn_config():
    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_each_web_worker_gets_a_listening_socket_of_its_own():
    config = _gunicorn_config()
    assert config.reuse_port is True
    cfg = Config()
    cfg.set("reuse_port", True)
    cfg.set("backlog", 8)
    server = SimpleNamespace(cfg=cfg, log=logging.getLogger("gunicorn.test"))
    shared = TCPSocket(("127.0.0.1", 0), cfg, server.log)
    worker = SimpleNamespace(sockets=[shared])
    config.post_fork(server, worker)
    try:
        own, still_shared = worker.sockets
        assert still_shared is shared  # nothing queued on the shared socket is left unserved
        assert own is not shared and own.getsockname() == shared.getsockname()
        assert own.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) == 1
        # gunicorn's own socket class, which the gevent worker needs as much as gthread does
        assert isinstance(own, TCPSocket) and own.FAMILY == socket.AF_INET
    finally:
        for sock in worker.sockets:
            sock.close()


HASHING_IN_THREADS = """
import sys, threading
from mathvidya.process_memory import tune_malloc
if sys.argv[1] == "tuned":
    assert tune_malloc()
from mathvidya.identity import passwords
passwords.limit_concurrent_hashes(4)

def rss_mib():
    return int(next(l for l in open("/proc/self/status") if l.startswith("VmRSS")).split()[1]) // 1024

before = rss_mib()
threads = [threading.Thread(target=lambda: [passwords.hash_password("pw-123456") for _ in range(4)]) for _ in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(rss_mib() - before)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads RSS from /proc")
def test_tuned_malloc_gives_password_hash_memory_back():
    def growth(mode: str) -> int:
        done = subprocess.run(
            [sys.executable, "-c", HASHING_IN_THREADS, mode], cwd=ROOT, capture_output=True, text=True, check=True
        )
        return int(done.stdout.strip())

    assert growth("tuned") < 19  # less than one 19 MiB hash stays behind
    assert growth("plain") >= 19  # what the tuning prevents (glibc keeps the blocks)
