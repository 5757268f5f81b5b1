"""The storage module against the local S3-compatible endpoint (moto server over HTTP)."""

from __future__ import annotations

import base64
import json
import urllib.parse
import uuid
from dataclasses import replace

import pytest
import requests

from mathvidya.storage import (
    UPLOAD_CONTENT_TYPE,
    Storage,
    _TimedCache,
    reuse_seconds,
    serving_overrides,
    sniff_content_type,
)
from tools.local_services import free_port

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"\x00" * 64


def test_presigned_put_then_head_and_ranged_read(settings):
    storage = Storage(settings)
    key = f"tests/{uuid.uuid4()}/page-1"
    url = storage.presigned_put(key, "image/png", expires_in=60)
    response = requests.put(url, data=PNG, headers={"Content-Type": "image/png"}, timeout=10)
    assert response.status_code == 200

    info = storage.head(key)
    assert info is not None and info.size == len(PNG) and info.content_type == "image/png"
    assert storage.read_range(key, 0, 8) == PNG[:8]


def test_head_of_missing_object_is_none(settings):
    assert Storage(settings).head(f"tests/{uuid.uuid4()}/absent") is None


def test_presigned_post_accepts_a_file_within_its_size_range(settings):
    storage = Storage(settings)
    key = f"tests/{uuid.uuid4()}/post"
    target = storage.presigned_post(key, max_bytes=1024, expires_in=60)
    response = requests.post(target["url"], data=target["fields"], files={"file": ("p.jpg", JPEG)}, timeout=10)
    assert response.status_code in (200, 204), response.text
    assert storage.head(key).size == len(JPEG)


def test_presigned_get_serves_the_object(settings):
    storage = Storage(settings)
    key = f"tests/{uuid.uuid4()}/doc.pdf"
    storage.put(key, PDF, "application/pdf")
    response = requests.get(storage.presigned_get(key, expires_in=60), timeout=10)
    assert response.status_code == 200 and response.content == PDF


def test_content_type_is_sniffed_from_bytes_not_names():
    assert sniff_content_type(PNG) == "image/png"
    assert sniff_content_type(JPEG) == "image/jpeg"
    assert sniff_content_type(PDF) == "application/pdf"
    assert sniff_content_type(b"GIF89a....") is None
    assert sniff_content_type(b"") is None


# --- serving uploads safely ----------------------------------------------------------------
HTML = b"<html><script>alert(1)</script></html>"


def _policy_allows(policy: dict, form: dict[str, str], size: int) -> bool:
    """S3's POST policy rules (eq, starts-with, content-length-range, {field: value}); the
    local S3 server does not enforce policies, so the test evaluates them itself."""
    for condition in policy["conditions"]:
        if isinstance(condition, dict):
            ((name, value),) = condition.items()
            if name != "bucket" and form.get(name) != value:
                return False
        elif condition[0] == "content-length-range":
            if not condition[1] <= size <= condition[2]:
                return False
        else:
            operator, name, value = condition
            actual = form.get(name.lstrip("$"))
            if actual is None or not (actual == value if operator == "eq" else actual.startswith(value)):
                return False
    return True


def test_the_upload_policy_pins_the_declared_content_type(settings):
    target = Storage(settings).presigned_post("tests/p", 1024, expires_in=60)
    policy = json.loads(base64.b64decode(target["fields"]["policy"]))
    assert target["fields"]["Content-Type"] == UPLOAD_CONTENT_TYPE
    assert _policy_allows(policy, target["fields"], 100)
    for declared in ("text/html", "image/svg+xml", "image/jpeg; text/html", "application/octet-streamx"):
        assert not _policy_allows(policy, {**target["fields"], "Content-Type": declared}, 100), declared
    assert not _policy_allows(policy, target["fields"], 1025)


def _served(storage: Storage, key: str) -> requests.Response:
    response = requests.get(storage.presigned_get(key, expires_in=60), timeout=10)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize(
    ("data", "served_type", "disposition"),
    [
        (PNG, "image/png", "inline"),
        (JPEG, "image/jpeg", "inline"),
        (PDF, "application/pdf", "attachment"),
        (HTML, "application/octet-stream", "attachment"),
    ],
)
def test_signed_gets_serve_the_sniffed_type_whatever_was_declared(settings, data, served_type, disposition):
    storage = Storage(settings)
    key = f"tests/{uuid.uuid4()}/upload"
    storage.put(key, data, "text/html")  # what a hostile client declares
    response = _served(storage, key)
    assert response.headers["Content-Type"] == served_type
    assert response.headers["Content-Disposition"] == disposition
    assert response.content == data


def test_a_file_posted_as_text_html_with_png_bytes_is_never_served_as_html(settings):
    storage = Storage(settings)
    key = f"tests/{uuid.uuid4()}/post"
    target = storage.presigned_post(key, max_bytes=1024, expires_in=60)
    hostile = {**target["fields"], "Content-Type": "text/html"}  # the local server does not check policies
    response = requests.post(target["url"], data=hostile, files={"file": ("x.html", PNG)}, timeout=10)
    assert response.status_code in (200, 204)
    assert storage.head(key).content_type == "text/html"
    assert _served(storage, key).headers["Content-Type"] == "image/png"


def test_a_missing_object_is_signed_as_a_download(settings):
    assert serving_overrides(None) == {
        "ResponseContentType": "application/octet-stream",
        "ResponseContentDisposition": "attachment",
        "ResponseCacheControl": "no-cache",
    }
    url = Storage(settings).presigned_get(f"tests/{uuid.uuid4()}/absent", expires_in=60)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert query["response-content-disposition"] == ["attachment"]
    assert query["response-content-type"] == ["application/octet-stream"]


def test_urls_are_still_signed_when_s3_cannot_be_reached(settings):
    unreachable = Storage(replace(settings, s3_endpoint_url=f"http://127.0.0.1:{free_port()}"))
    url = unreachable.presigned_get("tests/any", expires_in=60)
    assert "response-content-disposition=attachment" in url


def test_a_type_sniffed_when_stored_is_signed_without_reading_s3_and_anything_else_is_sniffed(settings):
    unreachable = Storage(replace(settings, s3_endpoint_url=f"http://127.0.0.1:{free_port()}"))
    stored = urllib.parse.parse_qs(urllib.parse.urlsplit(unreachable.presigned_get("k", 60, "image/png")).query)
    assert stored["response-content-type"] == ["image/png"] and stored["response-content-disposition"] == ["inline"]
    storage = Storage(settings)
    key = f"tests/{uuid.uuid4()}/upload"
    storage.put(key, PDF, "text/html")
    for declared in ("text/html", "image/jpg", None):  # never a type the bytes were not read for
        response = requests.get(storage.presigned_get(key, 60, declared), timeout=10)
        assert response.headers["Content-Type"] == "application/pdf", declared


def _query(url: str) -> dict[str, list[str]]:
    return urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)


class Clock:
    def __init__(self) -> None:
        self.now = 500.0

    def __call__(self) -> float:
        return self.now


def test_a_signed_link_is_handed_out_again_for_a_tenth_of_its_expiry_at_most_a_minute(settings):
    storage = Storage(settings)
    clock = Clock()
    storage._signed_gets = _TimedCache(size=16, seconds=60, clock=clock)
    key = f"tests/{uuid.uuid4()}/page-1"
    storage.put(key, JPEG, "image/jpeg")

    first = storage.presigned_get(key, 3600, "image/jpeg")
    assert _query(first)["X-Amz-Expires"] == ["3661"]  # the hour asked, from any reuse within the minute
    clock.now += 59.9
    assert storage.presigned_get(key, 3600, "image/jpeg") == first
    assert storage.presigned_get(key, 600, "image/jpeg") != first  # another expiry: its own link
    assert storage.presigned_get(key, 3600, "image/png") != first  # another served type: its own link
    clock.now += 0.1
    assert storage._signed_gets.get((key, "image/jpeg", 3600)) is None  # the minute is over
    storage.presigned_get(key, 3600, "image/jpeg")  # signed afresh, and kept for the next minute
    assert storage._signed_gets.get((key, "image/jpeg", 3600)) is not None

    response = requests.get(first, timeout=10)
    assert response.status_code == 200 and response.content == JPEG
    assert response.headers["Cache-Control"] == "no-cache"  # a replaced page is fetched again


def test_short_expiries_are_reused_for_a_tenth_and_the_shortest_not_at_all():
    assert [reuse_seconds(s) for s in (60, 300, 600, 3600, 86_400)] == [6, 30, 60, 60, 60]
    assert reuse_seconds(9) == 0


def test_a_link_too_short_to_reuse_is_signed_each_time_for_exactly_its_expiry(settings):
    storage = Storage(settings)
    key = f"tests/{uuid.uuid4()}/page-1"
    first = storage.presigned_get(key, 5, "image/jpeg")
    assert _query(first)["X-Amz-Expires"] == ["5"]
    assert storage._signed_gets.get((key, "image/jpeg", 5)) is None
