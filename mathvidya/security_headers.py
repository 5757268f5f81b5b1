"""Headers every response carries (docs/security.md).

- `X-Content-Type-Options: nosniff` everywhere: a browser never second-guesses a type.
- `Cache-Control: no-store` on every /api/v1 answer except the public reference data
  below: tokens and personal data must not sit in shared or browser caches.
- Nothing may be framed (`X-Frame-Options: DENY`, CSP `frame-ancestors 'none'`); /docs
  (Swagger UI) runs only the app's own assets, every other answer runs nothing at all.
"""

from __future__ import annotations

from flask import Flask, Response, request

API_PREFIX = "/api/v1"
DOCS_PATH = "/docs"
# Public, identical for everyone, and safe to cache: the API's own description.
CACHEABLE_API_PATHS = frozenset({f"{API_PREFIX}/openapi.json"})
DOCS_CSP = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
DATA_CSP = "default-src 'none'; frame-ancestors 'none'"


def _is_docs(path: str) -> bool:
    return path == DOCS_PATH or path.startswith(DOCS_PATH + "/")


def add_security_headers(response: Response) -> Response:
    response.headers["X-Content-Type-Options"] = "nosniff"
    path = request.path
    if path.startswith(API_PREFIX) and path not in CACHEABLE_API_PATHS:
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Security-Policy"] = DOCS_CSP if _is_docs(path) else DATA_CSP
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
