"""flask-jwt-extended configured to answer in the API's error shape."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask_jwt_extended import JWTManager

from mathvidya.error_handling import error_response

ACCESS_TOKEN_LIFETIME = timedelta(minutes=15)
REFRESH_TOKEN_LIFETIME = timedelta(days=30)

jwt = JWTManager()


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
