"""Rate limits: moving-window counters per key (client address, account, token), shared by every worker.

One ``RateLimiter`` per app, made in ``create_app`` and kept in the app's services
(``tracer.platform.services``). Its counters
live in Redis when ``TRACER_REDIS_URL`` is set, so a limit holds across gunicorn workers and hosts; without
it they live in the process (development, a single worker). Counting uses the ``limits`` package's moving
window (every hit is kept until it is older than the window: no burst at a window's edge).

Keys are hashed with the app's secret key before they reach the store: client addresses, e-mails and token
ids are personal data, and two deployments (or two test runs) sharing one Redis never share a counter.
Exceeding a limit through ``enforce`` raises TooManyRequests (429 with Retry-After); a store that does not
answer raises Unavailable (503), never an unexplained 500.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import current_app, request
from limits import RateLimitItemPerSecond
from limits.errors import StorageError
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import MovingWindowRateLimiter

from tracer.platform.errors import TooManyRequests, Unavailable
from tracer.platform.services import services

if TYPE_CHECKING:
    from config.settings import Settings

KEY_PREFIX = "tracer-limits"
STORE_TIMEOUT = 2.0  # seconds: a Redis that does not answer makes a 503, not a hung worker


@dataclass(frozen=True)
class Limit:
    """At most ``count`` hits per ``seconds`` per key; ``name`` keeps each limit's counters apart."""

    name: str
    count: int
    seconds: int

    def item(self) -> RateLimitItemPerSecond:
        return RateLimitItemPerSecond(self.count, self.seconds, namespace=self.name)

    def describe(self) -> str:
        return f"at most {self.count} per {self.seconds} s"


def login_limit() -> Limit:
    """Sign-in attempts per client address, beside the per-account back-off (``TRACER_LOGIN_LIMIT``)."""
    return Limit("login", *services().settings.login_limit)


def token_limit() -> Limit:
    """Requests per API token (``TRACER_TOKEN_LIMIT``). Scans have their own cap:
    ``tracer.scans.recorder``."""
    return Limit("token", *services().settings.token_limit)


class RateLimiter:
    """Moving-window limits over one store: in the process (``memory://``) or Redis (``redis://...``)."""

    def __init__(self, storage: Storage, *, secret: str) -> None:
        self.storage = storage
        self._strategy = MovingWindowRateLimiter(storage)
        self._secret = hashlib.sha256(secret.encode()).digest()

    @classmethod
    def in_memory(cls, *, secret: str) -> RateLimiter:
        return cls(MemoryStorage(wrap_exceptions=True), secret=secret)

    @classmethod
    def on_redis(cls, url: str, *, secret: str) -> RateLimiter:
        # One prefix per deployment (per secret key), so that reset() clears only this deployment's counters.
        deployment = hashlib.blake2b(secret.encode(), digest_size=6, person=b"tracer-limits").hexdigest()
        storage = RedisStorage(
            url,
            key_prefix=f"{KEY_PREFIX}:{deployment}",
            wrap_exceptions=True,
            socket_timeout=STORE_TIMEOUT,
            socket_connect_timeout=STORE_TIMEOUT,
        )
        return cls(storage, secret=secret)

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimiter:
        if settings.redis_url:
            return cls.on_redis(settings.redis_url, secret=settings.secret_key)
        return cls.in_memory(secret=settings.secret_key)

    @property
    def shared(self) -> bool:
        """Whether the counters are shared by every process (Redis), not kept in this one."""
        return isinstance(self.storage, RedisStorage)

    def _key(self, key: str) -> str:
        return hashlib.blake2b(key.encode("utf-8"), key=self._secret, digest_size=16).hexdigest()

    def hit(self, limit: Limit, key: str) -> bool:
        """Count one hit; False when ``key`` is at ``limit`` already (the hit is then not counted)."""
        try:
            return self._strategy.hit(limit.item(), self._key(key))
        except StorageError as error:
            raise _unavailable(error) from None

    def test(self, limit: Limit, key: str) -> bool:
        """Whether one more hit would be allowed, without counting it."""
        try:
            return self._strategy.test(limit.item(), self._key(key))
        except StorageError as error:
            raise _unavailable(error) from None

    def retry_after(self, limit: Limit, key: str) -> int:
        """Whole seconds until ``key`` may hit ``limit`` again (at least 1)."""
        try:
            stats = self._strategy.get_window_stats(limit.item(), self._key(key))
        except StorageError as error:
            raise _unavailable(error) from None
        return max(1, min(limit.seconds, math.ceil(stats.reset_time - time.time())))

    def clear(self, limit: Limit, key: str) -> None:
        try:
            self._strategy.clear(limit.item(), self._key(key))
        except StorageError as error:
            raise _unavailable(error) from None

    def enforce(self, limit: Limit, key: str) -> None:
        """Count one hit of ``key``; TooManyRequests (429, Retry-After) when it is over ``limit``."""
        if not self.hit(limit, key):
            raise TooManyRequests(
                f"too many requests: {limit.describe()}", retry_after=self.retry_after(limit, key)
            )

    def reset(self) -> None:
        """Forget every counter of this store (tests; an operator after a false alarm)."""
        try:
            self.storage.reset()
        except StorageError as error:
            raise _unavailable(error) from None


def _unavailable(error: StorageError) -> Unavailable:
    current_app.logger.warning("rate-limit store unavailable: %s", error.storage_error)
    return Unavailable("the rate-limit store is not answering; try again shortly")


def limiter() -> RateLimiter:
    """The app's limiter (made by ``create_app``)."""
    return services().limiter


def client_network(address: str | None = None) -> str:
    """The network a client is counted as: its IPv4 address, or the /64 of its IPv6 address (one
    subscriber's allocation; counting single IPv6 addresses would give an attacker 2^64 of them)."""
    address = request.remote_addr if address is None else address
    try:
        parsed = ipaddress.ip_address(address or "")
    except ValueError:
        return "unknown"
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed)


def client_key() -> str:
    """The key of the client's network, for limits per client address."""
    return "net:" + client_network()


def enforce(limit: Limit, key: str | None = None) -> None:
    """Count one hit for ``key`` (the client's network when None) on the app's limiter."""
    limiter().enforce(limit, key or client_key())
