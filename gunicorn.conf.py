"""gunicorn settings of the web process, read from the repository root (the Procfile's web
line names the worker class and counts; the figures behind each choice are in
docs/benchmarks.md and docs/scaling.md).

- Header fields up to 16 KB reach the app, which answers anything over 8 KB with a 431 in
  the API's error shape (mathvidya/request_limits.py); only fields beyond 16 KB get
  gunicorn's own plain 431/400 page.
- Each worker listens on a socket of its own in one SO_REUSEPORT group, so the kernel
  spreads new connections over the workers. With one shared socket, whichever worker
  happens to be polling takes every connection a client opens at once, and a load
  balancer's long-lived keep-alive connections then stay on that one worker.
- Workers are not recycled (max_requests stays 0): a recycled worker drops its idle
  keep-alive connections, which clients then see as resets; memory is bounded at its
  causes instead (password hashes one at a time, malloc arenas).
- malloc is tuned (mathvidya/process_memory.py) in the master before the workers fork
  and again in each worker before its threads start.
"""

from __future__ import annotations

import socket

from mathvidya.process_memory import tune_malloc

limit_request_field_size = 16 * 1024
reuse_port = True
keepalive = 5


def _own_listener(shared, server):
    """A listener of this worker's own, bound to the shared one's address in its
    SO_REUSEPORT group (gunicorn's own socket class, which every worker class accepts on)."""
    if shared.family not in (socket.AF_INET, socket.AF_INET6) or not hasattr(socket, "SO_REUSEPORT"):
        return None
    return type(shared)(shared.getsockname(), server.cfg, server.log)


def on_starting(_server) -> None:
    tune_malloc()


def post_fork(server, worker) -> None:
    """The worker accepts on its own socket first and still on the shared one, so nothing
    queued on the shared socket is ever left unserved."""
    tune_malloc()
    own = [s for s in (_own_listener(shared, server) for shared in worker.sockets) if s is not None]
    worker.sockets = own + list(worker.sockets)
