"""Access tokens for seeded users, minted the way login does (identity.tokens.start_session),
and the Lua tables wrk reads them from."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
from psycopg.rows import dict_row

from mathvidya.identity import tokens

# Long enough for the whole run; the server only checks the signature and the expiry.
TOKEN_LIFETIME = timedelta(hours=6)


def _claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def mint(app, database_url: str, users: list[tuple[UUID, str]]) -> dict[UUID, dict[str, Any]]:
    """One login (token family + access token) per (user_id, role): user_id → {token, family_id}."""
    app.config["JWT_ACCESS_TOKEN_EXPIRES"] = TOKEN_LIFETIME
    minted: dict[UUID, dict[str, Any]] = {}
    with psycopg.connect(database_url, row_factory=dict_row) as conn, app.test_request_context():
        for user_id, role in users:
            if user_id in minted:
                continue
            pair = tokens.start_session(conn, {"user_id": user_id, "token_version": 0, "role": role})
            token = pair["access_token"]
            minted[user_id] = {"token": token, "family_id": UUID(_claims(token)["fam"]), "user_id": user_id}
    return minted


def _lua_string(value: str) -> str:
    """A Lua long-bracket string: no escaping needed for JSON bodies."""
    level = "="
    while f"]{level}]" in value:
        level += "="
    return f"[{level}[{value}]{level}]"


def write_lua_items(path: Path, items: list[tuple[str, str, str | None]]) -> Path:
    """A Lua file returning {{token, path, body-or-nil}, ...} for tools/bench/wrk_request.lua."""
    lines = ["return {"]
    for token, request_path, body in items:
        body_lua = _lua_string(body) if body is not None else "nil"
        lines.append(f'  {{"{token}", "{request_path}", {body_lua}}},')
    lines.append("}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return path
