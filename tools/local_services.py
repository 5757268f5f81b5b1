"""Private PostgreSQL, Redis, S3-compatible and SMTP servers on loopback.

Used by `make dev` (tools/devstack.py) and by the test session (tests/conftest.py), so
both run against the same real servers. PostgreSQL refuses to run as root: when we are
root, the cluster belongs to the `postgres` OS user and its commands run through runuser.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path


class ServiceError(RuntimeError):
    pass


# The two database roles (docs/operations.md): migrations run as the owner; the app and the
# worker log in as a plain role that is a member of the runtime group, to which migration
# 0008 grants exactly what the app needs (never ownership, TRIGGER or superuser).
OWNER_ROLE = "mathvidya_owner"
RUNTIME_GROUP = "mathvidya_runtime"
APP_ROLE = "mathvidya_app"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.settimeout(0.5)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise ServiceError(f"nothing answered on 127.0.0.1:{port} within {timeout}s")


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def apt_install(*packages: str) -> None:
    """Install Debian packages when missing; only possible as root."""
    if not _is_root() or shutil.which("apt-get") is None:
        raise ServiceError(
            f"missing {', '.join(packages)}: install them (e.g. `sudo apt-get install {' '.join(packages)}`)"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", *packages], check=True, env=env)


def postgres_bindir() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for candidate in candidates:
        if Path(candidate, "initdb").exists():
            return Path(candidate)
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    apt_install("postgresql", "postgresql-contrib")
    return postgres_bindir()


def redis_server_binary() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    apt_install("redis-server")
    found = shutil.which("redis-server")
    if not found:
        raise ServiceError("redis-server is still missing after installing it")
    return found


@dataclass
class PostgresServer:
    base_dir: Path
    port: int = field(default_factory=free_port)

    @property
    def data_dir(self) -> Path:
        return self.base_dir / "data"

    def url(self, dbname: str = "postgres", role: str = "postgres") -> str:
        return f"postgresql://{role}@127.0.0.1:{self.port}/{dbname}"

    def owner_url(self, dbname: str) -> str:
        """The migrations' role (owns the schema; not a superuser)."""
        return self.url(dbname, OWNER_ROLE)

    def app_url(self, dbname: str) -> str:
        """The runtime role the app and the worker connect as."""
        return self.url(dbname, APP_ROLE)

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = list(args)
        if _is_root():
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True)

    def start(self, fast: bool = False) -> PostgresServer:
        bindir = postgres_bindir()
        self.base_dir.mkdir(parents=True, exist_ok=True)
        if _is_root():
            shutil.chown(self.base_dir, "postgres", "postgres")
        if not (self.data_dir / "PG_VERSION").exists():
            result = self._run(
                str(bindir / "initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                check=False,
            )
            if result.returncode != 0:
                raise ServiceError(
                    f"initdb failed (the postgres user must reach {self.base_dir}): {result.stderr.strip()}"
                )
        options = [f"-p {self.port}", f"-k {self.base_dir}", "-c listen_addresses=127.0.0.1", "-c max_connections=200"]
        if fast:
            options += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        result = self._run(
            str(bindir / "pg_ctl"),
            "-D",
            str(self.data_dir),
            "-w",
            "-t",
            "60",
            "-o",
            " ".join(options),
            "-l",
            str(self.base_dir / "postgres.log"),
            "start",
            check=False,
        )
        if result.returncode != 0:
            log_tail = (self.base_dir / "postgres.log").read_text(errors="replace")[-2000:]
            raise ServiceError(f"PostgreSQL did not start: {result.stderr}\n{log_tail}")
        return self

    def stop(self) -> None:
        if (self.data_dir / "postmaster.pid").exists():
            self._run(str(postgres_bindir() / "pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "stop", check=False)

    def create_roles(self) -> None:
        """The owner, the runtime group and the app's login role (the cluster trusts loopback,
        so no passwords; production gives each its own)."""
        import psycopg
        from psycopg import sql

        roles = {
            OWNER_ROLE: "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE",
            RUNTIME_GROUP: "NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE",
            APP_ROLE: "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT",
        }
        with psycopg.connect(self.url(), autocommit=True) as conn:
            for role, options in roles.items():
                if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
                    conn.execute(sql.SQL("CREATE ROLE {} " + options).format(sql.Identifier(role)))
            conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(RUNTIME_GROUP), sql.Identifier(APP_ROLE)))

    def database_owner(self, name: str) -> str | None:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            row = conn.execute("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s", (name,)).fetchone()
        return row[0] if row else None

    def create_database(self, name: str, template: str | None = None, owner: str | None = None) -> str:
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.url(), autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            if not exists:
                statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
                if template:
                    statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
                if owner:
                    statement += sql.SQL(" OWNER {}").format(sql.Identifier(owner))
                conn.execute(statement)
        return self.url(name)

    def drop_database(self, name: str) -> None:
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@dataclass
class ProcessServer:
    """A server run as a child process on a loopback port; stopped with SIGTERM."""

    command: list[str]
    port: int
    log_path: Path
    process: subprocess.Popen | None = None

    def start(self) -> ProcessServer:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(self.command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_for_port(self.port)
        except ServiceError:
            self.stop()
            raise ServiceError(f"{self.command[0]} did not start; see {self.log_path}") from None
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def redis_server(base_dir: Path, port: int | None = None) -> ProcessServer:
    port = port or free_port()
    command = [
        redis_server_binary(),
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(base_dir),
    ]
    base_dir.mkdir(parents=True, exist_ok=True)
    return ProcessServer(command, port, base_dir / "redis.log")


def pgbouncer_binary() -> str:
    found = shutil.which("pgbouncer") or ("/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None)
    if found:
        return found
    apt_install("pgbouncer")
    return pgbouncer_binary()


def pgbouncer_server(base_dir: Path, postgres_port: int, port: int | None = None, pool_size: int = 2) -> ProcessServer:
    """PgBouncer in transaction mode in front of a PostgreSQL on loopback (trust auth), with
    a small server pool so consecutive transactions of one client share server connections
    with others' — as in production behind PgBouncer. It refuses to run as root: when we
    are root it runs as the `postgres` OS user, like the cluster."""
    port = port or free_port()
    base_dir.mkdir(parents=True, exist_ok=True)
    (base_dir / "userlist.txt").write_text('"postgres" ""\n')
    (base_dir / "pgbouncer.ini").write_text(
        "\n".join(
            [
                "[databases]",
                f"* = host=127.0.0.1 port={postgres_port}",
                "[pgbouncer]",
                "listen_addr = 127.0.0.1",
                f"listen_port = {port}",
                "unix_socket_dir =",
                "auth_type = trust",
                f"auth_file = {base_dir / 'userlist.txt'}",
                "pool_mode = transaction",
                f"default_pool_size = {pool_size}",
                "max_client_conn = 500",
                "ignore_startup_parameters = extra_float_digits",
                "",
            ]
        )
    )
    command = [pgbouncer_binary(), str(base_dir / "pgbouncer.ini")]
    if _is_root():
        shutil.chown(base_dir, "postgres", "postgres")
        for name in ("userlist.txt", "pgbouncer.ini"):
            shutil.chown(base_dir / name, "postgres", "postgres")
        command = ["runuser", "-u", "postgres", "--", *command]
    return ProcessServer(command, port, base_dir / "pgbouncer.log")


def s3_server(base_dir: Path, port: int | None = None) -> ProcessServer:
    """moto's standalone server: a real S3-compatible HTTP endpoint (signatures, POST policies)."""
    port = port or free_port()
    command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    return ProcessServer(command, port, base_dir / "s3.log")


def smtp_sink(base_dir: Path, port: int | None = None) -> ProcessServer:
    """aiosmtpd printing every message it receives (development only; tests use tools.smtp_sink)."""
    port = port or free_port()
    command = [sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Debugging", "-l", f"127.0.0.1:{port}"]
    return ProcessServer(command, port, base_dir / "smtp.log")


def create_bucket(endpoint_url: str, bucket: str, region: str = "ap-south-1") -> None:
    import boto3

    s3 = boto3.client(
        "s3", endpoint_url=endpoint_url, region_name=region, aws_access_key_id="test", aws_secret_access_key="test"
    )
    existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    if bucket not in existing:
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
