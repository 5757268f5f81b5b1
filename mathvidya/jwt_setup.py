"""flask-jwt-extended configured to answer in the API's error shape."""

from __future__ import annotations

import time
from collections import OrderedDict
from datetime import timedelta
from threading import Lock

from flask import Flask
from flask_jwt_extended import JWTManager
from flask_jwt_extended.config import config

from mathvidya.error_handling import error_response

ACCESS_TOKEN_LIFETIME = timedelta(minutes=15)
REFRESH_TOKEN_LIFETIME = timedelta(days=30)

VERIFIED_TOKENS_KEPT = 2048  # per process; a few hundred bytes each


class VerifiedTokens:
    """Tokens whose signature and claims were verified, by (secret, token), until they expire;
    the oldest are dropped first."""

    def __init__(self, size: int) -> None:
        self.size, self.items, self.lock = size, OrderedDict(), Lock()

    def get(self, key: tuple[str, str], leeway: float) -> dict | None:
        with self.lock:
            claims = self.items.get(key)
        if claims is None or claims["exp"] + leeway <= time.time():
            return None
        return dict(claims)

    def put(self, key: tuple[str, str], claims: dict) -> None:
        if not isinstance(claims.get("exp"), int | float):
            return
        with self.lock:
            self.items[key] = dict(claims)
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)


class RememberingJWTManager(JWTManager):
    """Verifying a token (three base64 segments checked character by character, the HMAC and
    the claims) was a fifth of a small request's Python time. A token verified once is
    remembered until its expiry; whether it is still live (revoked, deactivated, role
    changed) is checked on every request all the same (mathvidya/authz.py)."""

    def __init__(self) -> None:
        super().__init__()
        self.verified = VerifiedTokens(VERIFIED_TOKENS_KEPT)

    def _decode_jwt_from_config(self, encoded_token: str, csrf_value=None, allow_expired: bool = False) -> dict:
        if csrf_value is not None or allow_expired:
            return super()._decode_jwt_from_config(encoded_token, csrf_value, allow_expired)
        key = (config.decode_key, encoded_token)
        claims = self.verified.get(key, config.leeway)
        if claims is None:
            claims = super()._decode_jwt_from_config(encoded_token)
            self.verified.put(key, claims)
        return claims


jwt = RememberingJWTManager()


def _unauthenticated(message: str):
    return error_response(401, "UNAUTHENTICATED", message)


def init_app(app: Flask) -> None:
    app.config.update(
        JWT_SECRET_KEY=app.config["SECRET_KEY"],
        JWT_ACCESS_TOKEN_EXPIRES=ACCESS_TOKEN_LIFETIME,
        JWT_REFRESH_TOKEN_EXPIRES=REFRESH_TOKEN_LIFETIME,
        JWT_TOKEN_LOCATION=["headers"],
        JWT_ALGORITHM="HS256",
        JWT_ERROR_MESSAGE_KEY="message",
    )
    jwt.init_app(app)
    jwt.unauthorized_loader(lambda reason: _unauthenticated("Sign in to continue: " + reason))
    jwt.invalid_token_loader(lambda reason: _unauthenticated("The token is invalid: " + reason))
    jwt.expired_token_loader(lambda _header, _payload: _unauthenticated("The token has expired."))
    jwt.revoked_token_loader(lambda _header, _payload: _unauthenticated("The token was revoked."))
    jwt.needs_fresh_token_loader(lambda _header, _payload: _unauthenticated("A fresh sign-in is required."))
    jwt.user_lookup_error_loader(lambda _header, _payload: _unauthenticated("The account no longer exists."))
