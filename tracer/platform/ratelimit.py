"""Rate limits: a sliding-window counter per key (client address, account, token), kept in the process.

Each gunicorn worker keeps its own counters, so with W workers a client can reach at most W times a limit;
limits are set with that in mind. Exceeding one raises TooManyRequests (429 with Retry-After).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import deque
from dataclasses import dataclass

from flask import current_app, request

from tracer.platform.errors import TooManyRequests


@dataclass(frozen=True)
class Limit:
    name: str
    count: int
    seconds: int


def login_limit() -> Limit:
    """Sign-in attempts per client address, on top of the per-account lock-out (``TRACER_LOGIN_LIMIT``)."""
    return Limit("login", *current_app.extensions["tracer.settings"].login_limit)


def token_limit() -> Limit:
    """Requests per API token (``TRACER_TOKEN_LIMIT``). Scans have their own cap:
    ``tracer.scans.recorder``."""
    return Limit("token", *current_app.extensions["tracer.settings"].token_limit)


class Limiter:
    def __init__(self) -> None:
        self._hits: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, limit: Limit, key: str, now: float | None = None) -> bool:
        """Count one hit; False when ``key`` is over ``limit`` (the hit is then not counted)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            window = self._hits.setdefault((limit.name, key), deque())
            while window and window[0] <= now - limit.seconds:
                window.popleft()
            if len(window) >= limit.count:
                return False
            window.append(now)
            if len(self._hits) > 100_000:  # bound memory under a flood of distinct keys
                self._hits = {k: v for k, v in self._hits.items() if v and v[-1] > now - limit.seconds}
            return True

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()


def limiter() -> Limiter:
    app = current_app
    if "tracer.limiter" not in app.extensions:
        app.extensions["tracer.limiter"] = Limiter()
    return app.extensions["tracer.limiter"]


def client_key() -> str:
    """The client's address, hashed with the secret key (addresses are personal data)."""
    address = request.remote_addr or "unknown"
    secret = current_app.config["SECRET_KEY"].encode()
    return hashlib.blake2b(address.encode(), key=secret[:64], digest_size=16).hexdigest()


def enforce(limit: Limit, key: str | None = None) -> None:
    if not limiter().hit(limit, key or client_key()):
        raise TooManyRequests(
            f"too many requests: at most {limit.count} per {limit.seconds} s", retry_after=limit.seconds
        )
