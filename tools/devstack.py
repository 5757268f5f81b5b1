"""`make dev`: everything on one machine, in the foreground; Ctrl-C stops all of it.

PostgreSQL and Redis run from the machine's binaries under .local/ (git-ignored), moto
serves S3 on loopback, aiosmtpd prints mail; then migrations, demo data, and the three
Procfile processes (web, worker, clock) with the environment pointing at all of that.

Two database roles, as in production: migrations run as the owner (MIGRATION_DATABASE_URL),
the processes connect as the plain runtime role (DATABASE_URL) and never see the owner's URL.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

from tools.local_services import OWNER_ROLE, PostgresServer, create_bucket, redis_server, s3_server, smtp_sink

ROOT = Path(__file__).resolve().parent.parent
LOCAL = ROOT / ".local"
PORTS = {"postgres": 54329, "redis": 63799, "s3": 9009, "smtp": 1025, "web": 8000}
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


def main() -> int:
    signal.signal(signal.SIGTERM, _stop_on_terminate)
    signal.signal(signal.SIGHUP, _stop_on_terminate)
    signal.signal(signal.SIGINT, _stop_on_terminate)  # even when started with SIGINT ignored
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
        "DATABASE_URL": database_urls["DATABASE_URL"],
        "REDIS_URL": f"redis://127.0.0.1:{PORTS['redis']}/0",
        "S3_ENDPOINT_URL": f"http://127.0.0.1:{PORTS['s3']}",
        "S3_BUCKET": "mathvidya",
        "AWS_ACCESS_KEY_ID": "dev",
        "AWS_SECRET_ACCESS_KEY": "dev",
        "AWS_REGION": "ap-south-1",
        "SMTP_URL": f"smtp://127.0.0.1:{PORTS['smtp']}",
        "PORT": str(PORTS["web"]),
        "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
    }
    create_bucket(env["S3_ENDPOINT_URL"], env["S3_BUCKET"])
    migration_env = {**env, "MIGRATION_DATABASE_URL": database_urls["MIGRATION_DATABASE_URL"]}
    subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"], cwd=ROOT, env=migration_env, check=True)
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "seed-demo"], cwd=ROOT, env=env, check=True)

    processes = []
    for name, command in procfile_commands().items():
        print(f"starting {name}: {command}", flush=True)
        processes.append(subprocess.Popen(["bash", "-c", f"exec {command}"], cwd=ROOT, env=env, start_new_session=True))
    print(
        f"\nMathvidya is up. API docs: http://127.0.0.1:{PORTS['web']}/docs\n"
        f"Mail sink output: {shlex.quote(str(LOCAL / 'smtp.log'))}. Ctrl-C stops everything.\n",
        flush=True,
    )
    try:
        while all(p.poll() is None for p in processes):
            time.sleep(1)
        print("a process exited; stopping the rest", file=sys.stderr)
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
