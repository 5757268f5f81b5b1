"""The bench's own servers: PostgreSQL (fast settings plus pg_stat_statements), Redis and
moto's S3, started through tools/local_services.py in a temporary folder."""

from __future__ import annotations

import os
import secrets
import sys
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from alembic import command
from alembic.config import Config

from tools.bench.config import ROOT
from tools.local_services import PostgresServer, ProcessServer, create_bucket, redis_server, s3_server

TEMPLATE_DB = "bench_template"
MAIN_DB = "bench"
BUCKET = "mathvidya-bench"

# On top of local_services' fast=True (fsync, synchronous_commit and full_page_writes off):
# a server sized for a 24 GB machine, and statement statistics to count SQL per request.
SERVER_SETTINGS = {
    "shared_buffers": "1GB",
    "effective_cache_size": "8GB",
    "maintenance_work_mem": "512MB",
    "max_wal_size": "8GB",
    "checkpoint_timeout": "30min",
    "random_page_cost": "1.1",
    "shared_preload_libraries": "pg_stat_statements",
}


@dataclass
class Services:
    base: Path
    postgres: PostgresServer
    redis: ProcessServer
    s3: ProcessServer
    secret_key: str = field(default_factory=lambda: secrets.token_hex(32))

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis.port}/0"

    @property
    def s3_url(self) -> str:
        return f"http://127.0.0.1:{self.s3.port}"

    def database_url(self, name: str = MAIN_DB) -> str:
        return self.postgres.url(name)

    def app_env(self, database: str = MAIN_DB, **extra: str) -> dict[str, str]:
        """The environment of every app process (production mode, as deployed)."""
        return {
            **os.environ,
            "MATHVIDYA_ENV": "production",
            "DATABASE_URL": self.database_url(database),
            "REDIS_URL": self.redis_url,
            "SECRET_KEY": self.secret_key,
            "S3_BUCKET": BUCKET,
            "S3_ENDPOINT_URL": self.s3_url,
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_REGION": "ap-south-1",
            "RAZORPAY_KEY_ID": "rzp_bench_key",
            "RAZORPAY_KEY_SECRET": "rzp-bench-secret-not-the-test-one",
            "APP_BASE_URL": "http://app.bench",
            "LOG_LEVEL": "INFO",
            "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
            **extra,
        }

    def stop(self) -> None:
        for server in (self.s3, self.redis):
            try:
                server.stop()
            except Exception as exc:  # keep stopping the others
                print(f"could not stop {server.command[0]}: {exc}", file=sys.stderr)
        self.postgres.stop()


def alembic_config(database_url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["database_url"] = database_url
    config.attributes["configure_logger"] = False
    return config


def _tune(postgres: PostgresServer) -> None:
    with psycopg.connect(postgres.url(), autocommit=True) as conn:
        for name, value in SERVER_SETTINGS.items():
            conn.execute(f"ALTER SYSTEM SET {name} = '{value}'")
    postgres.stop()
    postgres.start(fast=True)


def start_services(base: Path) -> Services:
    base.mkdir(parents=True, exist_ok=True)
    os.chmod(base, 0o755)
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    postgres = PostgresServer(base / "pg").start(fast=True)
    redis = s3 = None
    try:
        _tune(postgres)
        redis = redis_server(base / "redis").start()
        s3 = s3_server(base / "s3").start()
        services = Services(base, postgres, redis, s3)
        create_bucket(services.s3_url, BUCKET)
    except BaseException:
        for server in (s3, redis):
            if server is not None:
                server.stop()
        postgres.stop()
        raise
    return services


def migrate_template(services: Services) -> None:
    """Migrations once, into a template every bench database is copied from."""
    url = services.postgres.create_database(TEMPLATE_DB)
    command.upgrade(alembic_config(url), "head")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")


def create_database(services: Services, name: str) -> str:
    services.postgres.drop_database(name)
    return services.postgres.create_database(name, template=TEMPLATE_DB)


def server_versions(services: Services) -> dict[str, str]:
    with psycopg.connect(services.database_url("postgres")) as conn:
        pg = conn.execute("SHOW server_version").fetchone()[0]
    return {"postgres": pg}
