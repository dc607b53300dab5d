"""Strict base64 (RFC 4648 section 4, and section 5 where a standard allows it).

Python's decoder accepts non-canonical input (stray padding bits, missing padding with ``validate=False``);
signed formats must not, or one signature would cover several encodings. Decoding here re-encodes and
compares, so exactly one text maps to each byte string.
"""

from __future__ import annotations

import base64
import binascii

from tracer.ledger.errors import VerificationError


def b64encode(data: bytes) -> str:
    """Standard base64 with padding."""
    return base64.b64encode(data).decode("ascii")


def b64decode(text: str, *, what: str = "base64", urlsafe_ok: bool = False) -> bytes:
    """Decode canonical standard base64 (or URL-safe base64 when ``urlsafe_ok``); raise VerificationError."""
    if not isinstance(text, str) or not text.isascii():
        raise VerificationError(f"{what}: not base64")
    try:
        data = base64.b64decode(text, validate=True)
        if base64.b64encode(data).decode("ascii") == text:
            return data
    except (binascii.Error, ValueError):
        pass
    if urlsafe_ok:
        try:
            data = base64.urlsafe_b64decode(text)
            if base64.urlsafe_b64encode(data).decode("ascii") == text:
                return data
        except (binascii.Error, ValueError):
            pass
    raise VerificationError(f"{what}: not canonical base64")
