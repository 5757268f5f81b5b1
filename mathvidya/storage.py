"""Every file goes through here: boto3 against AWS S3, or a local S3-compatible endpoint
when S3_ENDPOINT_URL is set (development and tests)."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from threading import Lock
from typing import Any

import boto3
import psycopg
from botocore.client import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError

from mathvidya.config import Settings, current_settings
from mathvidya.settings_store import get_setting


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    content_type: str | None


class Storage:
    """A bucket: signed URLs for clients, HEAD and ranged reads for checks, puts for renders."""

    def __init__(self, settings: Settings) -> None:
        self.bucket = settings.s3_bucket
        self.client = boto3.client(
            "s3",
            endpoint_url=settings.s3_endpoint_url,
            region_name=settings.aws_region,
            config=BotoConfig(
                signature_version="s3v4",
                s3={"addressing_style": "path"},
                retries={"max_attempts": 3, "mode": "standard"},
            ),
        )
        self._signed_gets = _TimedCache(size=4096, seconds=SIGNED_GET_REUSE_MAX_SECONDS)

    def presigned_put(self, key: str, content_type: str, expires_in: int) -> str:
        return self.client.generate_presigned_url(
            "put_object",
            Params={"Bucket": self.bucket, "Key": key, "ContentType": content_type},
            ExpiresIn=expires_in,
        )

    def presigned_post(self, key: str, max_bytes: int, expires_in: int) -> dict[str, Any]:
        """A POST form whose policy bounds the size and pins the declared content type.

        A policy cannot say "one of these types", and a declared type is only a claim: the
        form fixes it to UPLOAD_CONTENT_TYPE (eq), the file's real type is read from its
        bytes when the upload is confirmed (it must be one the caller accepts), and every
        signed GET names that sniffed type (presigned_get)."""
        conditions: list[Any] = [["content-length-range", 1, max_bytes], ["eq", "$Content-Type", UPLOAD_CONTENT_TYPE]]
        return self.client.generate_presigned_post(
            self.bucket,
            key,
            Fields={"Content-Type": UPLOAD_CONTENT_TYPE},
            Conditions=conditions,
            ExpiresIn=expires_in,
        )

    def presigned_get(self, key: str, expires_in: int, sniffed: str | None = None) -> str:
        """A GET URL that serves the object as the type its bytes show, never as declared:
        images inline, anything else as a download (`attachment`). ``sniffed`` is the type
        read from the object's bytes when it was stored (answer-sheet pages keep it in their
        row): signing with it reads nothing from S3; without it the bytes are read here.

        A link signed for the same object, type and expiry is handed out again for a short
        while (``reuse_seconds``): SigV4 signing costs about half a millisecond, and a page
        of question images or answer sheets would otherwise sign every link on every view.
        Each link is still valid for at least ``expires_in`` seconds from the response
        that carries it, and at most 10 % longer. Its ``no-cache`` makes a browser check an
        object that was replaced under the same key (a re-uploaded or re-stamped page)."""
        served = sniffed if sniffed in SNIFFED_TYPES else self.sniffed_type(key)
        reuse = reuse_seconds(expires_in)
        cache_key = (key, served, expires_in)
        url = self._signed_gets.get(cache_key) if reuse else None
        if url is None:
            params = {"Bucket": self.bucket, "Key": key, **serving_overrides(served)}
            # Valid `reuse` seconds (plus the second X-Amz-Date rounds away) longer than
            # asked, so a link handed out again at the end of its reuse window still has
            # the whole expiry ahead of it.
            lifetime = expires_in + reuse + 1 if reuse else expires_in
            url = self.client.generate_presigned_url("get_object", Params=params, ExpiresIn=lifetime)
            if reuse:
                self._signed_gets.put(cache_key, url, reuse)
        return url

    def sniffed_type(self, key: str) -> str | None:
        """The object's type from its first bytes (cached per process; None when unknown)."""
        cached = _sniffed_types.get((self.bucket, key))
        if cached is not None:
            return cached
        try:
            found = sniff_content_type(self.read_range(key, 0, SNIFF_BYTES))
        except (ClientError, BotoCoreError):  # missing, or S3 unreachable: served as a download
            return None
        if found is not None:
            _sniffed_types.put((self.bucket, key), found)
        return found

    def head(self, key: str) -> ObjectInfo | None:
        """The object's size and type, or None when it does not exist."""
        try:
            meta = self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return ObjectInfo(key=key, size=meta["ContentLength"], content_type=meta.get("ContentType"))

    def read_range(self, key: str, start: int, length: int) -> bytes:
        """Bytes [start, start+length) — enough to sniff a file's type without downloading it."""
        response = self.client.get_object(Bucket=self.bucket, Key=key, Range=f"bytes={start}-{start + length - 1}")
        return response["Body"].read()

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)


_storages: dict[tuple, Storage] = {}


def storage_for(settings: Settings) -> Storage:
    key = (settings.s3_bucket, settings.s3_endpoint_url, settings.aws_region)
    if key not in _storages:
        _storages[key] = Storage(settings)
    return _storages[key]


def storage() -> Storage:
    return storage_for(current_settings())


def signed_url_seconds(conn: psycopg.Connection) -> int:
    """How long a signed GET link lives (system_config s3_signed_url_expiry_minutes)."""
    return int(get_setting(conn, "s3_signed_url_expiry_minutes")) * 60


def url_signer(conn: psycopg.Connection, settings: Settings) -> Callable[..., str | None]:
    """Signs object keys with the configured expiry (read once per response, when the first
    key is signed: a response without objects reads no setting); no key, no URL.
    ``sign(key, sniffed=None)``: ``sniffed`` as in Storage.presigned_get."""
    bucket = storage_for(settings)
    expiry: list[int] = []

    def sign(key: str | None, sniffed: str | None = None) -> str | None:
        if not key:
            return None
        if not expiry:
            expiry.append(signed_url_seconds(conn))
        return bucket.presigned_get(key, expiry[0], sniffed)

    return sign


def signed_url(conn: psycopg.Connection, settings: Settings, key: str | None, sniffed: str | None = None) -> str | None:
    """One time-limited GET link to a stored object, or None when there is no object."""
    return url_signer(conn, settings)(key, sniffed)


class _TimedCache:
    """Entries kept for a while (``seconds``, or less per entry), oldest dropped first
    beyond ``size``; safe to share between threads."""

    def __init__(self, size: int, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.size, self.seconds, self.clock = size, seconds, clock
        self.items: OrderedDict[Any, tuple[Any, float]] = OrderedDict()
        self.lock = Lock()

    def get(self, key: Any) -> Any:
        with self.lock:
            entry = self.items.get(key)
            if entry is None or entry[1] <= self.clock():
                return None
            return entry[0]

    def put(self, key: Any, value: Any, seconds: float | None = None) -> None:
        with self.lock:
            self.items[key] = (value, self.clock() + min(self.seconds, seconds or self.seconds))
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)


# (bucket, key) → sniffed type for a few minutes, so a page of question images costs one
# ranged read per image per process, not per response. A stale entry (the object was
# replaced) can only name a type the key's bytes once had: at worst a broken image, never a
# type a browser would run.
_sniffed_types = _TimedCache(size=4096, seconds=300)

# How long one signed GET link may be handed out again: a tenth of its expiry, at most a
# minute (a link asked for 60 minutes lives at most 61 from its signing).
SIGNED_GET_REUSE_MAX_SECONDS = 60


def reuse_seconds(expires_in: int) -> int:
    return min(SIGNED_GET_REUSE_MAX_SECONDS, expires_in // 10)


UPLOAD_CONTENT_TYPE = "application/octet-stream"
SNIFF_BYTES = 16
INLINE_TYPES = frozenset({"image/jpeg", "image/png"})
NO_CACHE = "no-cache"

FILE_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
)
SNIFFED_TYPES = frozenset(content_type for _, content_type in FILE_SIGNATURES)


def sniff_content_type(first_bytes: bytes) -> str | None:
    """The file's real type from its magic bytes (never from its name or declared type)."""
    for signature, content_type in FILE_SIGNATURES:
        if first_bytes.startswith(signature):
            return content_type
    return None


def serving_overrides(sniffed: str | None) -> dict[str, str]:
    """The response headers a signed GET forces: the sniffed type (octet-stream when the
    bytes match no known type), shown inline only for images, and ``no-cache`` (a browser
    revalidates before reusing a copy: an object may be replaced under its key)."""
    inline = sniffed in INLINE_TYPES
    return {
        "ResponseContentType": sniffed if inline else sniffed or UPLOAD_CONTENT_TYPE,
        "ResponseContentDisposition": "inline" if inline else "attachment",
        "ResponseCacheControl": NO_CACHE,
    }
