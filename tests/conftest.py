"""The test session starts real PostgreSQL, Redis, S3-compatible and SMTP servers.

Isolation: migrations run once into a template database; the app's database is a copy.
`db` gives a connection whose work is rolled back; API tests create their own uniquely
named data; tests that need an empty database ask for `fresh_database_url`.

Roles, as in production: migrations run as the owner role; the app, the worker and the
`db`/`committing_db` fixtures connect as the plain runtime role (`database_url`), so a
privilege the app lacks fails a test. `owner_database_url` / `owner_db` are for the few
tests about what only the owner may do.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from pathlib import Path

import psycopg
import pytest
import redis as redis_lib
from alembic import command
from alembic.config import Config
from hypothesis import settings as hypothesis_settings
from psycopg.rows import dict_row

from mathvidya.config import Settings
from tools.local_services import (
    OWNER_ROLE,
    PostgresServer,
    create_bucket,
    free_port,
    pgbouncer_server,
    redis_server,
    s3_server,
)
from tools.smtp_sink import SmtpSink

# One profile for `make test`, locally and in CI alike: the same examples on every run
# (derandomized, no example database), no per-example deadline (a loaded 2-core machine must
# not turn a slow example into a failure), and a failure prints the blob that reproduces it.
# `make test-random` loads "explore": fresh examples from a seed it prints.
hypothesis_settings.register_profile("pinned", derandomize=True, database=None, deadline=None, print_blob=True)
hypothesis_settings.register_profile("explore", deadline=None, print_blob=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "pinned"))


def pytest_sessionstart(session):
    """Say which examples the property tests run (printed even with -q)."""
    seed = session.config.getoption("hypothesis_seed", None)
    profile = hypothesis_settings.get_current_profile_name()
    if profile == "pinned":
        line = "hypothesis: profile 'pinned' (derandomized: the same examples on every run)"
    else:
        line = f"hypothesis: profile {profile!r}, seed {seed} (rerun with: make test-random SEED={seed})"
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(line)


ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_DB = "mathvidya_template"
APP_DB = "mathvidya_test"


def alembic_config(database_url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["database_url"] = database_url
    config.attributes["configure_logger"] = False
    return config


@pytest.fixture(scope="session")
def services_dir():
    path = Path(tempfile.mkdtemp(prefix="mathvidya-test-"))
    os.chmod(path, 0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server(services_dir):
    server = PostgresServer(services_dir / "pg").start(fast=True)
    server.create_roles()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_server_proc(services_dir):
    server = redis_server(services_dir / "redis").start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pgbouncer_url(services_dir, postgres_server, database_url):
    """The app database through PgBouncer in transaction mode (started on first use)."""
    server = pgbouncer_server(services_dir / "pgbouncer", postgres_server.port).start()
    yield f"postgresql://postgres@127.0.0.1:{server.port}/{APP_DB}"
    server.stop()


@pytest.fixture(scope="session")
def s3_endpoint(services_dir):
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "test")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "test")
    server = s3_server(services_dir / "s3").start()
    url = f"http://127.0.0.1:{server.port}"
    create_bucket(url, "mathvidya-test")
    yield url
    server.stop()


@pytest.fixture(scope="session")
def smtp_sink():
    sink = SmtpSink(free_port()).start()
    yield sink
    sink.stop()


@pytest.fixture(scope="session")
def template_database(postgres_server):
    postgres_server.create_database(TEMPLATE_DB, owner=OWNER_ROLE)
    command.upgrade(alembic_config(postgres_server.owner_url(TEMPLATE_DB)), "head")
    return TEMPLATE_DB


@pytest.fixture(scope="session")
def app_database(postgres_server, template_database):
    postgres_server.create_database(APP_DB, template=template_database, owner=OWNER_ROLE)
    return APP_DB


@pytest.fixture(scope="session")
def database_url(postgres_server, app_database):
    """The app database as the runtime role (what the app and the worker connect as)."""
    return postgres_server.app_url(app_database)


@pytest.fixture(scope="session")
def owner_database_url(postgres_server, app_database):
    """The app database as the owner role that runs the migrations."""
    return postgres_server.owner_url(app_database)


@pytest.fixture
def fresh_database_url(postgres_server, template_database):
    """An empty, migrated database of the test's own (dropped afterwards), as the runtime role."""
    name = f"mv_{uuid.uuid4().hex[:12]}"
    postgres_server.create_database(name, template=template_database, owner=OWNER_ROLE)
    yield postgres_server.app_url(name)
    postgres_server.drop_database(name)


@pytest.fixture(scope="session")
def redis_url(redis_server_proc):
    return f"redis://127.0.0.1:{redis_server_proc.port}/0"


@pytest.fixture(scope="session")
def settings(database_url, redis_url, s3_endpoint, smtp_sink) -> Settings:
    return Settings(
        env="test",
        database_url=database_url,
        redis_url=redis_url,
        s3_bucket="mathvidya-test",
        s3_endpoint_url=s3_endpoint,
        smtp_url=smtp_sink.url,
        app_base_url="http://app.test",
        log_level="WARNING",
        auth_rate_limit="10000 per minute",
    )


@pytest.fixture(scope="session")
def app(settings):
    from mathvidya import create_app

    application = create_app(settings)
    yield application


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def redis(redis_url):
    return redis_lib.Redis.from_url(redis_url)


@pytest.fixture
def frozen_business_clock():
    """The business clock (mathvidya.business_time.now) held at the current instant for the
    test, so a test that reads "today in India" agrees with the code even across midnight.
    For a chosen instant use ``with business_time.frozen_at(instant):`` in the test."""
    from mathvidya import business_time

    with business_time.frozen_at(business_time.now()) as instant:
        yield instant


WORKER_REDIS_DB = 1  # the session's app uses database 0, the journey test 3


@pytest.fixture
def worker_redis_url(redis_server_proc):
    """A Redis database of the test's own, emptied before and after, for a real RQ worker:
    the worker then runs only the jobs this test queued, not every job earlier tests left."""
    url = f"redis://127.0.0.1:{redis_server_proc.port}/{WORKER_REDIS_DB}"
    client = redis_lib.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()
    client.close()


@pytest.fixture
def worker_settings(settings, worker_redis_url) -> Settings:
    """The session's settings with the worker's private Redis database (see worker_redis_url)."""
    from dataclasses import replace

    return replace(settings, redis_url=worker_redis_url)


@pytest.fixture
def db(database_url):
    """A connection to the app database whose changes are rolled back after the test."""
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        with conn.transaction(force_rollback=True):
            yield conn


@pytest.fixture
def owner_db(owner_database_url):
    """Like `db`, as the owner role (for guarantees that must hold even against the owner)."""
    with psycopg.connect(owner_database_url, row_factory=dict_row) as conn:
        with conn.transaction(force_rollback=True):
            yield conn


@pytest.fixture
def committing_db(database_url):
    """A connection that commits (for tests whose code under test opens its own connections)."""
    with psycopg.connect(database_url, row_factory=dict_row, autocommit=True) as conn:
        yield conn


@pytest.fixture
def make_user(app):
    """make_user(role, **kw) → a committed user dict with `headers` carrying a live token."""
    from tests.factories import make_user as factory

    return lambda role, **kw: factory(app, role, **kw)


@pytest.fixture
def link_parent(app):
    from tests.factories import link_parent as factory

    return lambda parent, student, **kw: factory(app, parent, student, **kw)


@pytest.fixture
def fresh_app(settings, fresh_database_url):
    """An app on a private, freshly migrated database (its own pool, closed afterwards)."""
    from dataclasses import replace

    from mathvidya import create_app
    from mathvidya.db import POOL_KEY

    application = create_app(replace(settings, database_url=fresh_database_url))
    yield application
    application.extensions[POOL_KEY].close()
