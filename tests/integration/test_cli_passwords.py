"""create-user never takes a password as an argument: it prompts (hidden) or reads stdin."""

from __future__ import annotations

import uuid

from mathvidya.cli import create_user_command


def _create(app, email: str, *extra: str, input: str):
    args = ["--role", "teacher", "--email", email, "--first-name", "T", "--last-name", "K", *extra]
    return app.test_cli_runner().invoke(create_user_command, args, input=input)


def _signs_in(client, email: str, password: str) -> bool:
    return client.post("/api/v1/auth/login", json={"email": email, "password": password}).status_code == 200


def test_the_password_is_prompted_for_twice_and_not_echoed(app, client):
    email = f"cli-{uuid.uuid4().hex[:8]}@example.com"
    result = _create(app, email, input="prompted-password-1\nprompted-password-1\n")
    assert result.exit_code == 0, result.output
    assert "Password" in result.output and "prompted-password-1" not in result.output
    uuid.UUID(result.output.strip().splitlines()[-1])
    assert _signs_in(client, email, "prompted-password-1")


def test_a_mistyped_confirmation_asks_again(app, client):
    email = f"cli-{uuid.uuid4().hex[:8]}@example.com"
    result = _create(app, email, input="first-password-1\nother-password-1\nfinal-password-1\nfinal-password-1\n")
    assert result.exit_code == 0, result.output
    assert _signs_in(client, email, "final-password-1")


def test_the_password_can_come_from_stdin(app, client):
    email = f"cli-{uuid.uuid4().hex[:8]}@example.com"
    result = _create(app, email, "--password-stdin", input="stdin-password-12\n")
    assert result.exit_code == 0, result.output
    assert _signs_in(client, email, "stdin-password-12")


def test_a_password_argument_is_refused(app):
    email = f"cli-{uuid.uuid4().hex[:8]}@example.com"
    result = _create(app, email, "--password", "visible-in-ps-1", input="")
    assert result.exit_code != 0 and "No such option" in result.output
