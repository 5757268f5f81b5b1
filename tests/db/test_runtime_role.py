"""The runtime role the app and the worker connect as: enough to run the app, never enough
to rewrite the audit trail (no ownership, no TRIGGER, not superuser)."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from psycopg import errors
from psycopg.rows import dict_row

from tools.local_services import APP_ROLE, OWNER_ROLE, RUNTIME_GROUP

APPEND_ONLY_TABLES = {"audit_logs", "question_versions"}


@pytest.fixture
def runtime(database_url):
    """Autocommit as the runtime role: each refused statement stands on its own."""
    with psycopg.connect(database_url, row_factory=dict_row, autocommit=True) as conn:
        yield conn


@pytest.fixture
def audit_row(owner_database_url):
    with psycopg.connect(owner_database_url, autocommit=True) as conn:
        log_id = conn.execute(
            "INSERT INTO audit_logs (event_type, resource_type, resource_id, details) "
            "VALUES ('user.login', 'runtime-role-test', %s, '{}') RETURNING log_id",
            (uuid.uuid4().hex,),
        ).fetchone()[0]
    return log_id


def _tables(conn) -> list[str]:
    rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    return [row["tablename"] for row in rows]


def _sequences(conn) -> list[str]:
    rows = conn.execute("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1")
    return [row["sequencename"] for row in rows]


def test_the_app_connects_as_the_plain_runtime_role(runtime):
    role = runtime.execute(
        "SELECT rolname, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls FROM pg_roles WHERE rolname = current_user"
    ).fetchone()
    assert role == {
        "rolname": APP_ROLE,
        "rolsuper": False,
        "rolcreaterole": False,
        "rolcreatedb": False,
        "rolbypassrls": False,
    }
    assert runtime.execute("SELECT pg_has_role(current_user, %s, 'member') AS m", (RUNTIME_GROUP,)).fetchone()["m"]
    assert not runtime.execute("SELECT pg_has_role(current_user, %s, 'member') AS m", (OWNER_ROLE,)).fetchone()["m"]


def test_the_runtime_role_owns_nothing_in_the_schema(runtime):
    owned = runtime.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND pg_has_role(current_user, c.relowner, 'USAGE')"
    ).fetchall()
    assert owned == []


def test_every_table_and_sequence_is_usable_by_the_runtime_role(runtime):
    """A later migration whose tables the runtime role cannot use fails here."""
    tables = _tables(runtime)
    assert {"users", "audit_logs", "email_outbox", "leaderboard_entries"} <= set(tables)
    missing = []
    for table in tables:
        needed = ["SELECT", "INSERT"] + ([] if table in APPEND_ONLY_TABLES else ["UPDATE", "DELETE"])
        for privilege in needed:
            if not runtime.execute("SELECT has_table_privilege(%s, %s) AS ok", (table, privilege)).fetchone()["ok"]:
                missing.append(f"{privilege} on {table}")
        for privilege in ("TRUNCATE", "TRIGGER", "REFERENCES"):
            if runtime.execute("SELECT has_table_privilege(%s, %s) AS ok", (table, privilege)).fetchone()["ok"]:
                missing.append(f"unexpected {privilege} on {table}")
    for sequence in _sequences(runtime):
        if not runtime.execute("SELECT has_sequence_privilege(%s, 'USAGE') AS ok", (sequence,)).fetchone()["ok"]:
            missing.append(f"USAGE on sequence {sequence}")
    assert missing == []


@pytest.mark.parametrize("privilege", ["UPDATE", "DELETE", "TRUNCATE"])
@pytest.mark.parametrize("table", sorted(APPEND_ONLY_TABLES))
def test_append_only_tables_grant_no_change(runtime, table, privilege):
    assert not runtime.execute("SELECT has_table_privilege(%s, %s) AS ok", (table, privilege)).fetchone()["ok"]


def test_a_table_a_later_migration_adds_is_granted_by_default(postgres_server, fresh_database_url):
    name = fresh_database_url.rsplit("/", 1)[1]
    with psycopg.connect(postgres_server.owner_url(name), autocommit=True) as owner:
        owner.execute("CREATE TABLE later_feature (id bigserial PRIMARY KEY, note text)")
    with psycopg.connect(fresh_database_url, autocommit=True) as conn:
        conn.execute("INSERT INTO later_feature (note) VALUES ('x')")
        conn.execute("UPDATE later_feature SET note = 'y'")
        assert conn.execute("SELECT note FROM later_feature").fetchone() == ("y",)
        conn.execute("DELETE FROM later_feature")


REWRITES = [
    "ALTER TABLE audit_logs DISABLE TRIGGER ALL",
    "ALTER TABLE audit_logs DISABLE TRIGGER USER",
    "DROP TRIGGER audit_logs_append_only ON audit_logs",
    "DROP TRIGGER audit_logs_no_truncate ON audit_logs",
    "DROP FUNCTION refuse_append_only_change() CASCADE",
    "ALTER TABLE audit_logs OWNER TO mathvidya_app",
    "SET session_replication_role = replica",
    "SET LOCAL session_replication_role = replica",
    "CREATE TRIGGER sneaky BEFORE INSERT ON audit_logs FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change()",
    "UPDATE audit_logs SET details = '{\"rewritten\": true}' WHERE log_id = '{log_id}'",
    "DELETE FROM audit_logs WHERE log_id = '{log_id}'",
    "TRUNCATE audit_logs",
    "DROP TABLE audit_logs",
]


@pytest.mark.parametrize("statement", REWRITES)
def test_the_runtime_role_cannot_rewrite_the_audit_trail(runtime, audit_row, statement):
    sql = statement.replace("{log_id}", str(audit_row))
    with pytest.raises((errors.InsufficientPrivilege, errors.UndefinedObject)) as refused:
        runtime.execute(sql)
    assert isinstance(refused.value, errors.InsufficientPrivilege), refused.value
    row = runtime.execute("SELECT details FROM audit_logs WHERE log_id = %s", (audit_row,)).fetchone()
    assert row == {"details": {}}


def test_the_runtime_role_appends_and_reads_the_trail(runtime):
    log_id = runtime.execute(
        "INSERT INTO audit_logs (event_type, resource_type, resource_id, details) "
        "VALUES ('user.login', 'runtime-role-test', 'append', '{}') RETURNING log_id"
    ).fetchone()["log_id"]
    assert runtime.execute("SELECT count(*) AS n FROM audit_logs WHERE log_id = %s", (log_id,)).fetchone()["n"] == 1
