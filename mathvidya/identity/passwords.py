"""Argon2id password hashing (argon2-cffi): the parameters live in the hash, so a change
of parameters is detected at login and the hash is upgraded then."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128

# 19 MiB, 2 passes: OWASP's recommended Argon2id floor; keeps a 2-core box responsive.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)

# Each hash holds 19 MiB while it runs, and glibc keeps freed arenas: with several threads
# hashing at once a web worker's memory grows by that much per thread for good. Hashes in
# one process wait their turn here (the other threads keep serving other requests); on a
# 2-core box two worker processes already keep both cores busy with logins.
DEFAULT_CONCURRENT_HASHES = 1
_hash_slots = threading.BoundedSemaphore(DEFAULT_CONCURRENT_HASHES)
_T = TypeVar("_T")


def limit_concurrent_hashes(slots: int) -> None:
    """How many Argon2 computations may run at once in this process (at start-up)."""
    global _hash_slots
    if slots < 1:
        raise ValueError("at least one password hash must be allowed at a time")
    _hash_slots = threading.BoundedSemaphore(slots)


def _one_at_a_time(work: Callable[[], _T]) -> _T:
    with _hash_slots:
        return work()


def password_problem(password: str) -> str | None:
    """Why a new password is refused, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"must be at least {MIN_PASSWORD_LENGTH} characters"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"must be at most {MAX_PASSWORD_LENGTH} characters"
    if password.strip() == "" or len(set(password)) < 3:
        return "is too simple"
    return None


def hash_password(password: str) -> str:
    return _one_at_a_time(lambda: _hasher.hash(password))


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _one_at_a_time(lambda: _hasher.verify(password_hash, password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
