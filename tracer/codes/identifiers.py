"""Short random identifiers for zones, lots and certificates: Crockford base32, no look-alike characters.

A lot's id doubles as its GS1 batch/lot number (AI 10), so it stays within the GS1 character set and short
enough to keep the QR code small.
"""

from __future__ import annotations

from tracer.codes.serials import random_code  # Crockford base32: no I, L, O, U


def new_id(prefix: str, length: int = 9) -> str:
    """``prefix`` followed by ``length`` random Crockford characters (5 bits each)."""
    return prefix + random_code(length)


def new_lot_id() -> str:
    return new_id("L")


def new_zone_id() -> str:
    return new_id("Z")


def new_certificate_id() -> str:
    return new_id("C")
