"""`make dev` prepares the two roles and a database the owner role owns."""

from __future__ import annotations

import uuid

import psycopg

from tools import devstack
from tools.local_services import APP_ROLE, OWNER_ROLE


def test_dev_database_belongs_to_the_owner_and_processes_use_the_runtime_role(postgres_server, monkeypatch):
    name = f"mv_dev_{uuid.uuid4().hex[:8]}"
    monkeypatch.setattr(devstack, "DATABASE", name)
    postgres_server.create_database(name)  # as an older checkout left it: owned by the superuser
    try:
        urls = devstack.prepare_database(postgres_server)
        assert postgres_server.database_owner(name) == OWNER_ROLE
        assert urls["MIGRATION_DATABASE_URL"] == postgres_server.owner_url(name)
        assert urls["DATABASE_URL"] == postgres_server.app_url(name)
        with psycopg.connect(urls["DATABASE_URL"]) as conn:
            assert conn.execute("SELECT current_user").fetchone()[0] == APP_ROLE
        devstack.prepare_database(postgres_server)  # a second start keeps it
        assert postgres_server.database_owner(name) == OWNER_ROLE
    finally:
        postgres_server.drop_database(name)
