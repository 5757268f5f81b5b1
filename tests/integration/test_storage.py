"""The storage module against the local S3-compatible endpoint (moto server over HTTP)."""

from __future__ import annotations

import uuid

import requests

from mathvidya.storage import Storage, sniff_content_type

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
    target = storage.presigned_post(key, max_bytes=1024, content_types=["image/jpeg"], expires_in=60)
    fields = {**target["fields"], "Content-Type": "image/jpeg"}
    response = requests.post(target["url"], data=fields, files={"file": ("p.jpg", JPEG)}, timeout=10)
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
