"""Device cookies (OWASP Authentication Cheat Sheet): a browser that signed in to an account once is
recognised on later sign-ins to that account, and counted apart from every other client.

The cookie is a value signed with the app's secret key (itsdangerous, HMAC-SHA-1 keyed by a derived key)
holding the user id and a random device id. It proves nothing about who is typing and opens nothing: it only
lets ``tracer.accounts.throttle`` keep the owner's own browser out of the slow-down meant for attackers.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "device"
LIFETIME = timedelta(days=365)
_SALT = "tracer.accounts.device"


@dataclass(frozen=True)
class Device:
    user_id: int
    id: str


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=_SALT)


def issue(*, secret: str, user_id: int) -> str:
    """A new device cookie value for a browser that has just signed in as ``user_id``."""
    return _serializer(secret).dumps({"u": user_id, "d": secrets.token_urlsafe(16)})


def read(*, secret: str, value: str | None) -> Device | None:
    """The device a cookie value names, or None when it is missing, forged, malformed or too old."""
    if not value or len(value) > 300:
        return None
    try:
        data = _serializer(secret).loads(value, max_age=int(LIFETIME.total_seconds()))
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    user_id, device_id = data.get("u"), data.get("d")
    if type(user_id) is not int or not isinstance(device_id, str) or not 0 < len(device_id) <= 40:
        return None
    return Device(user_id=user_id, id=device_id)
