"""Heartbeat keys in Redis: the worker and the clock say they are alive; /readyz reports it.

Each process overwrites one key per kind (``mathvidya:heartbeat:worker`` / ``…:clock``)
with the time and its state, so the key holds the freshest beat of any process of that
kind. A key older than its kind's ``stale_after`` means no such process has looped lately.
"""

from __future__ import annotations

import json
import os
import socket
import time
from dataclasses import dataclass
from typing import Any

import redis

KEY_PREFIX = "mathvidya:heartbeat:"
KEY_TTL_SECONDS = 24 * 3600  # after a day without any beat the kind reads "missing"


@dataclass(frozen=True)
class ProcessKind:
    name: str
    stale_after: int  # seconds; a healthy process beats well within this


WORKER = ProcessKind("worker", stale_after=120)  # beats at least every 45 s (dequeue timeout) and per job
CLOCK = ProcessKind("clock", stale_after=60)  # beats at least every 10 s
KINDS = (WORKER, CLOCK)


def key(kind: ProcessKind) -> str:
    return KEY_PREFIX + kind.name


def beat(connection: redis.Redis, kind: ProcessKind, state: str = "running") -> None:
    """Record a beat now (``connection`` may be a pipeline: the beat joins its round trip)."""
    value = {"at": time.time(), "state": state, "process": f"{socket.gethostname()}:{os.getpid()}"}
    connection.set(key(kind), json.dumps(value), ex=KEY_TTL_SECONDS)


def report(connection: redis.Redis, now: float | None = None) -> dict[str, dict[str, Any]]:
    """Per kind: status ok / stale / missing, seconds since the last beat, and its state."""
    now = time.time() if now is None else now
    raw_values = connection.mget([key(kind) for kind in KINDS])
    return {kind.name: _describe(kind, raw, now) for kind, raw in zip(KINDS, raw_values, strict=True)}


def _describe(kind: ProcessKind, raw: bytes | None, now: float) -> dict[str, Any]:
    if raw is None:
        return {"status": "missing"}
    value = json.loads(raw)
    age = max(0, round(now - float(value["at"])))
    status = "ok" if age <= kind.stale_after else "stale"
    return {"status": status, "seconds_since_heartbeat": age, "state": value.get("state", "running")}
