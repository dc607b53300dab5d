"""Ed25519 signature checks (RFC 8032) spread over a thread pool.

OpenSSL's Ed25519 verification releases the GIL inside ``cryptography``, and a verification costs about
three signatures, so checking a batch on one thread would cap appends well below the signing rate. The pool
is made lazily and remade after ``fork`` (gunicorn workers), since threads do not survive it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import TypeVar

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from tracer.ledger.keyevents import Admission

T = TypeVar("T")
R = TypeVar("R")

MIN_PARALLEL = 32

_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_pool_pid = 0


@lru_cache(maxsize=1)
def _workers() -> int:
    return max(1, min(8, os.cpu_count() or 1))


def in_background(count: int) -> bool:
    """Whether ``start_signature_checks`` would check ``count`` admissions on other threads."""
    return _workers() > 1 and count >= MIN_PARALLEL


def _executor() -> ThreadPoolExecutor:
    global _pool, _pool_pid
    with _lock:
        if _pool is None or _pool_pid != os.getpid():
            _pool = ThreadPoolExecutor(max_workers=_workers(), thread_name_prefix="ledger-verify")
            _pool_pid = os.getpid()
        return _pool


def _run(fn: Callable[[T], R], part: Sequence[T]) -> list[R]:
    return [fn(item) for item in part]


@lru_cache(maxsize=4096)
def _public_key(raw: bytes) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(raw)


def first_valid_signature(admission: Admission) -> str | None:
    """The key id of the first candidate signature that verifies over the admission's message, or None."""
    for keyid, raw, signature in admission.candidates:
        try:
            _public_key(raw).verify(signature, admission.message)
        except (InvalidSignature, ValueError):
            continue
        return keyid
    return None


def start_map(fn: Callable[[T], R], items: Sequence[T]) -> Callable[[], list[R]]:
    """Start ``[fn(x) for x in items]`` on the pool; return a function that waits for the results.

    Small batches run on the calling thread when the results are collected.
    """
    if not in_background(len(items)):
        return lambda: [fn(item) for item in items]
    step = -(-len(items) // _workers())
    futures = [_executor().submit(_run, fn, items[i : i + step]) for i in range(0, len(items), step)]
    return lambda: [result for future in futures for result in future.result()]


def start_signature_checks(admissions: Sequence[Admission]) -> Callable[[], list[str | None]]:
    """``first_valid_signature`` for each admission, in the background (see ``start_map``)."""
    return start_map(first_valid_signature, admissions)
