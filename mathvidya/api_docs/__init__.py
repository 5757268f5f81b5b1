"""The API docs page (/docs): Swagger UI served by the application itself.

The Swagger UI files come from a pinned Python package (flask-swagger-ui ships the
official swagger-ui-dist build), so the page needs no outside host: it works offline and
on locked-down networks, and no unpinned third-party script runs on it. The page holds no
inline script or style — the initializer is a file of ours — so it works under a
Content-Security-Policy of ``default-src 'self'``.
"""

from __future__ import annotations

from importlib.metadata import version
from importlib.resources import files
from pathlib import Path

from flask import Blueprint, Flask, render_template, send_from_directory, url_for

from mathvidya.authz import public
from mathvidya.errors import NotFound

SWAGGER_UI_PACKAGE = "flask_swagger_ui"
SWAGGER_UI_VERSION = version("flask-swagger-ui")
# Only what the page loads is served; the rest of the package (its own blueprint and
# template, which use an inline script) is not.
SWAGGER_UI_ASSETS = frozenset(
    {
        "swagger-ui.css",
        "index.css",
        "swagger-ui-bundle.js",
        "swagger-ui-standalone-preset.js",
        "favicon-16x16.png",
        "favicon-32x32.png",
    }
)
ASSET_MAX_AGE_SECONDS = 24 * 3600
HERE = Path(__file__).resolve().parent

blp = Blueprint("api_docs", __name__, template_folder="templates", static_folder=None)


def swagger_ui_dist() -> Path:
    return Path(str(files(SWAGGER_UI_PACKAGE) / "dist"))


@blp.get("/docs")
@public
def swagger_ui():
    return render_template(
        "api_docs/swagger_ui.html",  # a folder of its own: flask-smorest has a swagger_ui.html too
        title="Mathvidya API",
        spec_url=url_for("api-docs.openapi_json"),
        swagger_ui_version=SWAGGER_UI_VERSION,
    )


@blp.get("/docs/swagger-initializer.js")
@public
def swagger_initializer():
    return send_from_directory(
        HERE, "swagger-initializer.js", mimetype="text/javascript", max_age=ASSET_MAX_AGE_SECONDS
    )


@blp.get("/docs/assets/<version>/<name>")
@public
def swagger_ui_asset(version: str, name: str):
    """Versioned URLs, so a browser may cache them for a day and still see an upgrade at once."""
    if version != SWAGGER_UI_VERSION or name not in SWAGGER_UI_ASSETS:
        raise NotFound("No such file.")
    return send_from_directory(swagger_ui_dist(), name, max_age=ASSET_MAX_AGE_SECONDS)


def init_app(app: Flask) -> None:
    app.register_blueprint(blp)
