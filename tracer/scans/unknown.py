"""Unknown codes: how many a network prefix may have recorded, so that made-up codes cannot be pinned on a
producer in bulk.

A request for a code we never issued (``/01/{a real GTIN}/21/FAKE1``...) is a counterfeit signal: it is
recorded as an ``unknown`` scan and shown to the inspectors and to the producer whose GTIN it names. Anyone
can make up such codes by the thousand, so a source (the /24 or /64 network prefix of the client,
``tracer.scans.sources``) has at most ``Settings.unknown_code_limit`` of them recorded per window (60 an
hour by default); past that the page is still answered (the shopper sees the same warning), the scan is just
not recorded. The counters are the app's rate limiter's (``tracer.platform.ratelimit``: Redis when
configured, so the limit holds across workers and hosts); if that store does not answer, a counter in this
process takes over rather than recording without limit or failing the page.
"""

from __future__ import annotations

import logging

from flask.sansio.app import App

from tracer.platform.errors import Unavailable
from tracer.platform.ratelimit import Limit, RateLimiter
from tracer.platform.services import Services, services

__all__ = ["UnknownCodes", "unknown_codes_for"]

log = logging.getLogger(__name__)


class UnknownCodes:
    """The per-source limit on recording unknown codes, over the app's rate limiter."""

    def __init__(self, limiter: RateLimiter, limit: Limit, *, secret: str) -> None:
        self.limiter = limiter
        self.limit = limit
        self._fallback = RateLimiter.in_memory(secret=secret)

    def may_record(self, source: str) -> bool:
        """Count one unknown code of ``source``; False when the source has had its share recorded already."""
        key = "unknown-code:" + source
        try:
            return self.limiter.hit(self.limit, key)
        except Unavailable:
            log.warning("rate-limit store unavailable: unknown codes counted in this process")
            return self._fallback.hit(self.limit, key)


def unknown_codes_for(app: App) -> UnknownCodes:
    """``app``'s limit on unknown codes (made on first use)."""

    def make(found: Services) -> UnknownCodes:
        limit = Limit("unknown-code", *found.settings.unknown_code_limit)
        return UnknownCodes(found.limiter, limit, secret=found.settings.secret_key)

    return services(app).made(UnknownCodes, make)
