"""`make dev`: everything on one machine, in the foreground; Ctrl-C stops all of it.

PostgreSQL and Redis run from the machine's binaries under .local/ (git-ignored), moto
serves S3 on loopback, aiosmtpd prints mail; then migrations, demo data, and the three
Procfile processes (web, worker, clock) with the environment pointing at all of that.

The console: each process's lines are relayed with its name in front, in the readable
text log format (LOG_FORMAT=text unless set). The banner — URLs and demo users — comes
last, once the web server answers and the worker has drained what seeding queued, and
again whenever you press Enter (or send SIGUSR1 to this process). The web server listens
on 127.0.0.1 unless HOST says otherwise (HOST=0.0.0.0 to reach it from other machines).

Two database roles, as in production: migrations run as the owner (MIGRATION_DATABASE_URL),
the processes connect as the plain runtime role (DATABASE_URL) and never see the owner's URL.
"""

from __future__ import annotations

import os
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from tools.local_services import OWNER_ROLE, PostgresServer, create_bucket, redis_server, s3_server, smtp_sink

ROOT = Path(__file__).resolve().parent.parent
LOCAL = ROOT / ".local"
PORTS = {"postgres": 54329, "redis": 63799, "s3": 9009, "smtp": 1025, "web": 8000}
DEFAULT_HOST = "127.0.0.1"
QUIET_WAIT_SECONDS = 30
NAME_COLOURS = {"web": "35", "worker": "34", "clock": "33"}
_print_lock = threading.RLock()
_banner_wanted = threading.Event()
DATABASE = "mathvidya"


def procfile_commands() -> dict[str, str]:
    commands = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        if ":" in line and not line.startswith("#"):
            name, command = line.split(":", 1)
            commands[name.strip()] = command.strip()
    return commands


def prepare_database(postgres: PostgresServer) -> dict[str, str]:
    """The roles and a database owned by the owner role; its URLs for migrations and processes.

    A database left by an older checkout (owned by the superuser) is recreated: its tables
    would belong to the wrong role. It only ever holds demo data, which is seeded again.
    """
    postgres.create_roles()
    owner = postgres.database_owner(DATABASE)
    if owner is not None and owner != OWNER_ROLE:
        print(f"recreating the development database (owned by {owner}, not {OWNER_ROLE})", flush=True)
        postgres.drop_database(DATABASE)
    postgres.create_database(DATABASE, owner=OWNER_ROLE)
    return {"MIGRATION_DATABASE_URL": postgres.owner_url(DATABASE), "DATABASE_URL": postgres.app_url(DATABASE)}


def _stop_on_terminate(signum, frame):
    raise KeyboardInterrupt


def _say(text: str) -> None:
    with _print_lock:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()


def _label(name: str, colour: bool) -> str:
    label = f"{name:<6}|"
    return f"\x1b[{NAME_COLOURS.get(name, '0')}m{label}\x1b[0m" if colour else label


def relay(name: str, stream, colour: bool) -> None:
    """Copy a child's output line by line, each line prefixed with the process name."""
    for raw in iter(stream.readline, b""):
        _say(f"{_label(name, colour)} {raw.decode(errors='replace').rstrip()}")


def reachable_host(host: str) -> str:
    """Where to reach a server bound to ``host`` from this machine."""
    return DEFAULT_HOST if host in ("0.0.0.0", "::", "") else host


def wait_for_web(host: str, port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection((reachable_host(host), port), timeout=0.5).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def banner(host: str, port: int, users: list[str]) -> str:
    base = f"http://{reachable_host(host)}:{port}"
    rule = "=" * 78
    lines = [
        rule,
        f"Mathvidya is up on {host}:{port}",
        f"  API docs (Swagger UI)  {base}/docs",
        f"  OpenAPI document       {base}/api/v1/openapi.json",
        "  Walk-through with curl docs/quickstart.md",
        f"  Mail sink output       {shlex.quote(str(LOCAL / 'smtp.log'))}",
        "",
        "Demo users:",
        *[f"  {line}" for line in users],
        "",
        f"Enter (or kill -USR1 {os.getpid()}) shows this again; Ctrl-C stops everything.",
        rule,
    ]
    return "\n".join(lines)


def seed_demo(env: dict[str, str]) -> list[str]:
    """Run seed-demo; print its bank summary, return the demo-user lines for the banner."""
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "seed-demo"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit("seed-demo failed")
    lines = result.stdout.splitlines()
    users_from = next(i for i, line in enumerate(lines) if "password:" in line)
    for line in lines[:users_from]:
        _say(line)
    return lines[users_from:]


def wait_until_quiet(redis_url: str, timeout: float = QUIET_WAIT_SECONDS) -> None:
    """Until the worker has taken every job seeding queued (so the banner comes after
    their log lines), or the timeout."""
    from redis import Redis
    from rq import Queue

    from mathvidya.queue import QUEUE_NAMES

    connection = Redis.from_url(redis_url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sum(Queue(name, connection=connection).count for name in QUEUE_NAMES) == 0:
            time.sleep(1.0)  # the last job's lines
            return
        time.sleep(0.25)


def _read_enter_presses() -> None:
    for _line in sys.stdin:
        _banner_wanted.set()


def main() -> int:
    signal.signal(signal.SIGTERM, _stop_on_terminate)
    signal.signal(signal.SIGHUP, _stop_on_terminate)
    signal.signal(signal.SIGINT, _stop_on_terminate)  # even when started with SIGINT ignored
    signal.signal(signal.SIGUSR1, lambda signum, frame: _banner_wanted.set())
    host = os.environ.get("HOST") or DEFAULT_HOST
    colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    LOCAL.mkdir(exist_ok=True)
    os.chmod(LOCAL, 0o755)
    postgres = PostgresServer(LOCAL / "postgres", port=PORTS["postgres"]).start()
    services = [
        redis_server(LOCAL / "redis", PORTS["redis"]).start(),
        s3_server(LOCAL, PORTS["s3"]).start(),
        smtp_sink(LOCAL, PORTS["smtp"]).start(),
    ]
    database_urls = prepare_database(postgres)
    env = {
        **{name: value for name, value in os.environ.items() if name != "MIGRATION_DATABASE_URL"},
        "MATHVIDYA_ENV": "development",
        "LOG_FORMAT": os.environ.get("LOG_FORMAT", "text"),
        "DATABASE_URL": database_urls["DATABASE_URL"],
        "REDIS_URL": f"redis://127.0.0.1:{PORTS['redis']}/0",
        "S3_ENDPOINT_URL": f"http://127.0.0.1:{PORTS['s3']}",
        "S3_BUCKET": "mathvidya",
        "AWS_ACCESS_KEY_ID": "dev",
        "AWS_SECRET_ACCESS_KEY": "dev",
        "AWS_REGION": "ap-south-1",
        "SMTP_URL": f"smtp://127.0.0.1:{PORTS['smtp']}",
        "HOST": host,
        "PORT": str(PORTS["web"]),
        "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
    }
    if colour:
        env["FORCE_COLOR"] = "1"  # the children write to our pipe, not to the terminal
    create_bucket(env["S3_ENDPOINT_URL"], env["S3_BUCKET"])
    migration_env = {**env, "MIGRATION_DATABASE_URL": database_urls["MIGRATION_DATABASE_URL"]}
    subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"], cwd=ROOT, env=migration_env, check=True)
    users = seed_demo(env)

    processes = []
    for name, command in procfile_commands().items():
        _say(f"starting {name}: {command}")
        process = subprocess.Popen(
            ["bash", "-c", f"exec {command}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        threading.Thread(target=relay, args=(name, process.stdout, colour), daemon=True).start()
        processes.append(process)
    if sys.stdin.isatty():
        threading.Thread(target=_read_enter_presses, daemon=True).start()
    try:
        wait_for_web(host, PORTS["web"])
        wait_until_quiet(env["REDIS_URL"])
        _banner_wanted.set()
        while all(p.poll() is None for p in processes):
            if _banner_wanted.wait(timeout=0.5):
                _banner_wanted.clear()
                _say(banner(host, PORTS["web"], users))
        _say("a process exited; stopping the rest")
    except KeyboardInterrupt:
        pass
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        for service in services:
            service.stop()
        postgres.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
