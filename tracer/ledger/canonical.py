"""RFC 8785 JSON Canonicalization Scheme (JCS) for event bodies, through the ``rfc8785`` package.

Event bodies carry no floating-point numbers: quantities are decimal strings or integers, so that every
implementation hashes the same bytes. A float anywhere is refused with the JSON path that holds it; so are
integers outside the IEEE 754 safe range, which RFC 8785 section 3.2.2.3 cannot represent exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import rfc8785

from tracer.ledger.errors import LedgerError


def canonical_json(obj: Any) -> bytes:
    """The RFC 8785 canonical UTF-8 encoding of ``obj``; raise LedgerError naming the path of a bad value."""
    _refuse_floats(obj, "$")
    try:
        return rfc8785.dumps(obj)
    except rfc8785.IntegerDomainError as exc:
        raise LedgerError(f"integer out of the JSON safe range: {exc}") from exc
    except rfc8785.CanonicalizationError as exc:
        raise LedgerError(f"cannot canonicalise: {exc}") from exc


def _refuse_floats(obj: Any, path: str) -> None:
    if isinstance(obj, float):
        raise LedgerError(f"{path}: floating-point numbers are not allowed; use a decimal string or integer")
    if isinstance(obj, Mapping):
        for key, value in obj.items():
            if not isinstance(key, str):
                raise LedgerError(f"{path}: object keys must be strings, got {type(key).__name__}")
            _refuse_floats(value, f"{path}.{key}")
    elif isinstance(obj, list | tuple):
        for position, value in enumerate(obj):
            _refuse_floats(value, f"{path}[{position}]")
