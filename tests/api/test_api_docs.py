"""/docs is served whole by the application: the page, Swagger UI's files (pinned) and our
initializer, with no outside host and nothing inline that a strict CSP would block."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

from mathvidya.api_docs import SWAGGER_UI_VERSION

EXPECTED_TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}


class _PageParts(HTMLParser):
    """Every URL the page loads, every inline script body, every inline style."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts: list[str] = []
        self.inline_styles: list[str] = []
        self._in = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            if attrs.get("src"):
                self.urls.append(attrs["src"])
            self._in = "script"
        elif tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])
        elif tag == "style":
            self._in = "style"
        if "style" in attrs or any(name.startswith("on") for name in attrs):
            self.inline_styles.append(f"<{tag} {attrs}>")

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "script" and data.strip():
            self.inline_scripts.append(data)
        elif self._in == "style" and data.strip():
            self.inline_styles.append(data)


def _page(client) -> _PageParts:
    response = client.get("/docs")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    parts = _PageParts()
    parts.feed(response.get_data(as_text=True))
    return parts


def test_docs_page_loads_only_files_the_app_serves(client):
    parts = _page(client)
    assert len(parts.urls) == 7  # 2 stylesheets, 2 icons, 3 scripts
    for url in parts.urls:
        assert not urlsplit(url).netloc, f"{url} is on another host"
        asset = client.get(url)
        assert asset.status_code == 200, url
        suffix = "." + url.rsplit(".", 1)[-1]
        assert asset.mimetype == EXPECTED_TYPES[suffix], url
        assert len(asset.data) > 100, url


def test_docs_page_has_no_inline_script_or_style(client):
    parts = _page(client)
    assert parts.inline_scripts == []
    assert parts.inline_styles == []


def test_swagger_ui_files_are_the_pinned_release_and_cacheable(client):
    parts = _page(client)
    bundle = next(u for u in parts.urls if u.endswith("swagger-ui-bundle.js"))
    assert f"/{SWAGGER_UI_VERSION}/" in bundle
    response = client.get(bundle)
    assert response.cache_control.max_age >= 3600
    assert b"SwaggerUIBundle" in response.data


def test_initializer_points_swagger_ui_at_the_served_spec(client):
    page = client.get("/docs").get_data(as_text=True)
    spec_url = re.search(r'data-spec-url="([^"]+)"', page).group(1)
    assert client.get(spec_url).get_json()["info"]["title"] == "Mathvidya API"
    script = client.get("/docs/swagger-initializer.js").get_data(as_text=True)
    assert "data-spec-url" in script and "validatorUrl: null" in script


def test_unknown_or_stale_assets_are_404_in_the_error_shape(client):
    for url in (
        f"/docs/assets/{SWAGGER_UI_VERSION}/flask_swagger_ui.py",
        f"/docs/assets/{SWAGGER_UI_VERSION}/..%2F__init__.py",
        "/docs/assets/0.0.1/swagger-ui.css",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.get_json()["error"] == "NOT_FOUND"
