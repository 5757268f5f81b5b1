"""One account per address, however it is cased, composed or typed; look-alikes refused."""

from __future__ import annotations

import importlib.util
import uuid
from pathlib import Path

import psycopg
import pytest
from alembic import command

from mathvidya.identity.email_identity import email_key
from tests.api.test_auth import DEFAULT_PASSWORD, login, register
from tests.conftest import alembic_config

ROOT = Path(__file__).resolve().parents[2]


def _tag() -> str:
    return uuid.uuid4().hex[:8]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Éve.{t}@x.in", "éve.{t}@x.in"),
        ("éve.{t}@x.in", "E\u0301VE.{t}@X.IN"),
        ("asha.{t}@example.in", "ａｓｈａ.{t}@ｅｘａｍｐｌｅ.ｉｎ"),
        ("strasse.{t}@x.in", "Straße.{t}@x.in"),
    ],
)
def test_the_second_spelling_of_an_address_is_a_409_and_both_sign_in(client, first, second):
    tag = _tag()
    created, _ = register(client, email=first.format(t=tag))
    assert created.status_code == 201, created.get_json()
    again, _ = register(client, email=second.format(t=tag))
    assert again.status_code == 409 and again.get_json()["error"] == "EMAIL_TAKEN"
    for spelling in (first, second):
        response = login(client, spelling.format(t=tag))
        assert response.status_code == 200, (spelling, response.get_json())
        assert response.get_json()["user"]["user_id"] == created.get_json()["user_id"]


def test_fullwidth_addresses_are_stored_in_their_plain_form(client):
    tag = _tag()
    created, _ = register(client, email=f"ＡＳＨＡ.{tag}@ｘ.ｉｎ")
    assert created.status_code == 201
    assert created.get_json()["email"] == f"ASHA.{tag}@x.in"


@pytest.mark.parametrize(
    "address",
    [
        "\u0430sha.{t}@x.in",
        "asha.{t}@x.\u0456n",
        "\u0430\u0440\u0435{t}@\u0435\u0445\u043e.\u0441\u043e",
        "as\u200bha.{t}@x.in",
    ],
)
def test_look_alike_addresses_are_refused(client, address):
    response, _ = register(client, email=address.format(t=_tag()))
    assert response.status_code == 422
    assert "email" in response.get_json()["details"]["fields"]


def test_admin_created_accounts_follow_the_same_rule(client, make_user):
    admin, tag = make_user("admin"), _tag()
    body = {"role": "teacher", "password": DEFAULT_PASSWORD, "first_name": "T", "last_name": "K"}
    first = client.post("/api/v1/admin/users", json={**body, "email": f"Éva.{tag}@x.in"}, headers=admin["headers"])
    assert first.status_code == 201, first.get_json()
    second = client.post("/api/v1/admin/users", json={**body, "email": f"éva.{tag}@x.in"}, headers=admin["headers"])
    assert second.status_code == 409 and second.get_json()["error"] == "EMAIL_TAKEN"


def test_password_reset_finds_the_account_in_any_case(client, settings):
    tag = _tag()
    register(client, email=f"Éve.{tag}@x.in")
    assert client.post("/api/v1/auth/password-reset/request", json={"email": f"ÉVE.{tag}@X.IN"}).status_code < 300
    with psycopg.connect(settings.database_url) as conn:
        sent = conn.execute(
            "SELECT count(*) FROM email_outbox WHERE to_address = %s AND event_type = 'account.password_reset'",
            (f"Éve.{tag}@x.in",),
        ).fetchone()[0]
    assert sent == 1


def test_the_database_refuses_a_second_key_whatever_its_collation(db):
    db.execute(
        "INSERT INTO users (email, email_key, password_hash, role, first_name, last_name) "
        "VALUES ('Zoë@x.in', %s, 'x', 'parent', 'Z', 'K')",
        (email_key(f"Zoë.{_tag()}@x.in"),),
    )
    with pytest.raises(psycopg.errors.UniqueViolation), db.transaction():
        db.execute(
            "INSERT INTO users (email, email_key, password_hash, role, first_name, last_name) "
            "SELECT 'ZOË@x.in', email_key, 'x', 'parent', 'Z', 'K' FROM users WHERE email = 'Zoë@x.in'"
        )


def _migration():
    path = ROOT / "migrations" / "versions" / "0009_email_key.py"
    spec = importlib.util.spec_from_file_location("migration_0009", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_migration_computes_the_same_key_as_the_application():
    migration = _migration()
    for address in ("Éve@x.in", "E\u0301ve@X.in", "ａｓｈａ@ｘ.ｉｎ", "Straße@x.in", " a¨b@x.in "):
        assert migration._email_key(address) == email_key(address)


def _users_at_0007(postgres_server, name: str, emails: list[str]) -> str:
    postgres_server.drop_database(name)
    url = postgres_server.create_database(name)
    command.upgrade(alembic_config(url), "0007")
    with psycopg.connect(url) as conn:
        for address in emails:
            conn.execute(
                "INSERT INTO users (email, password_hash, role, first_name, last_name) "
                "VALUES (%s, 'x', 'parent', 'A', 'B')",
                (address,),
            )
    return url


def test_the_migration_backfills_keys_and_stops_on_accounts_that_fold_together(postgres_server):
    url = _users_at_0007(postgres_server, "mv_email_key_ok", ["Éve@x.in", "ASHA@x.in"])
    try:
        command.upgrade(alembic_config(url), "0009")
        with psycopg.connect(url) as conn:
            keys = dict(conn.execute("SELECT email, email_key FROM users").fetchall())
        assert keys == {"Éve@x.in": "éve@x.in", "ASHA@x.in": "asha@x.in"}
    finally:
        postgres_server.drop_database("mv_email_key_ok")

    url = _users_at_0007(postgres_server, "mv_email_key_clash", ["Straße@x.in", "strasse@x.in"])
    try:
        with pytest.raises(RuntimeError, match="same once case-folded"):
            command.upgrade(alembic_config(url), "0009")
    finally:
        postgres_server.drop_database("mv_email_key_clash")
