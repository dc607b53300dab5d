"""Where a scan came from, as the copy signal counts it: a network prefix, and whether it was a page visit.

- A *source* is a network prefix, not an address: the /24 of an IPv4 address, the /64 of an IPv6 address (one
  subscriber's allocation). Ten addresses in one office, or the 2^64 addresses of one IPv6 line, are one
  source. It is kept as an HMAC under the app's secret key (never the prefix itself).
- A *visit* is a top-level navigation to the page, judged by the Fetch Metadata headers a browser sends
  (``Sec-Fetch-Dest: document`` and ``Sec-Fetch-Mode: navigate``). An ``<img>``, an ``<iframe>`` or a
  ``fetch()`` on someone else's page sends other values and is not a visit; neither is a proof fetch or an API
  read (they never call this). A client that sends no Fetch Metadata (an old browser, some in-app browsers and
  QR apps) is a visit only when it asks for HTML.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Mapping
from typing import Protocol

__all__ = ["environ_headers", "is_visit", "network_prefix", "source_of"]

IPV4_PREFIX = 24
IPV6_PREFIX = 64


def network_prefix(address: str) -> str:
    """The prefix ``address`` is counted under (``203.0.113.0/24``, ``2001:db8:1:2::/64``); an IPv4-mapped
    IPv6 address counts as its IPv4 address; anything that is not an address is ``unknown``."""
    try:
        parsed = ipaddress.ip_address(address.strip())
    except ValueError:
        return "unknown"
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        parsed = parsed.ipv4_mapped
    bits = IPV4_PREFIX if parsed.version == 4 else IPV6_PREFIX
    return str(ipaddress.ip_network((parsed, bits), strict=False))


def source_of(secret_key: str, address: str) -> str:
    """The source of a client address: an HMAC-SHA256 of its prefix under the app's secret key, hex, 32
    characters (enough to tell sources apart; not reversible without the key)."""
    prefix = network_prefix(address)
    return hmac.digest(secret_key.encode("utf-8"), b"source:" + prefix.encode("ascii"), "sha256").hex()[:32]


class Headers(Protocol):
    """What ``is_visit`` reads of request headers: Flask's ``request.headers`` or a plain dict."""

    def get(self, key: str, /) -> str | None: ...


def is_visit(headers: Headers) -> bool:
    """Whether a GET with these request headers is a person's visit to the page (see the module's text).
    ``headers``: Flask's ``request.headers``, or ``environ_headers(environ)`` on the WSGI fast path."""
    dest, mode = headers.get("Sec-Fetch-Dest"), headers.get("Sec-Fetch-Mode")
    if dest is not None or mode is not None:
        return dest == "document" and mode == "navigate"
    return "text/html" in (headers.get("Accept") or "")


def environ_headers(environ: Mapping[str, object]) -> dict[str, str]:
    """The headers ``is_visit`` reads, from a WSGI environ."""
    names = {"Sec-Fetch-Dest": "HTTP_SEC_FETCH_DEST", "Sec-Fetch-Mode": "HTTP_SEC_FETCH_MODE",
             "Accept": "HTTP_ACCEPT"}  # fmt: skip
    return {name: str(environ[key]) for name, key in names.items() if key in environ}
