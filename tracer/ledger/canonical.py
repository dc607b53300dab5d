"""RFC 8785 JSON Canonicalization Scheme (JCS) for event bodies, through the ``rfc8785`` package.

Event bodies carry no floating-point numbers: quantities are decimal strings or integers, so that every
implementation hashes the same bytes. A float anywhere is refused with the JSON path that holds it; so are
integers outside the IEEE 754 safe range, which RFC 8785 section 3.2.2.3 cannot represent exactly.

For what event bodies hold (ASCII keys, strings, safe integers, booleans, null) RFC 8785 is exactly
``json.dumps`` with sorted keys, no whitespace and raw UTF-8: both escape only ``"``, ``\\`` and the C0
controls (``\\b \\t \\n \\f \\r``, else ``\\u00xx`` in lower case), and with ASCII keys sorting by code
point is sorting by UTF-16 code unit. That path is taken when one walk over the value finds nothing else;
anything else (a non-ASCII key, a lone surrogate, a value of another type) goes through ``rfc8785``, and
``tests/ledger/test_primitives.py`` checks the two agree on generated values.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import rfc8785

from tracer.ledger.errors import LedgerError

SAFE_INTEGER = 2**53 - 1


def canonical_json(obj: Any) -> bytes:
    """The RFC 8785 canonical UTF-8 encoding of ``obj``; raise LedgerError naming the path of a bad value."""
    if _plain(obj, "$"):
        try:
            return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: rfc8785 says what is wrong with it
            pass
    try:
        return rfc8785.dumps(obj)
    except rfc8785.IntegerDomainError as exc:
        raise LedgerError(f"integer out of the JSON safe range: {exc}") from exc
    except rfc8785.CanonicalizationError as exc:
        raise LedgerError(f"cannot canonicalise: {exc}") from exc


def _plain(obj: Any, path: str) -> bool:
    """Whether ``obj`` holds only ASCII keys, strings, safe integers, booleans and null; LedgerError naming
    the path of a float or of a key that is not a string. (Paths are built only for an error.)"""
    if isinstance(obj, str) or obj is None or isinstance(obj, bool):
        return True
    if isinstance(obj, int):
        return -SAFE_INTEGER <= obj <= SAFE_INTEGER
    if isinstance(obj, float):
        raise LedgerError(f"{path}: floating-point numbers are not allowed; use a decimal string or integer")
    plain = True
    if isinstance(obj, Mapping):
        for key, value in obj.items():
            if not isinstance(key, str):
                raise LedgerError(f"{path}: object keys must be strings, got {type(key).__name__}")
            if not _plain(value, f"{path}.{key}") or not key.isascii():
                plain = False
    elif isinstance(obj, list | tuple):
        for position, value in enumerate(obj):
            if not _plain(value, f"{path}[{position}]"):
                plain = False
    else:
        plain = False  # another type: rfc8785 refuses it
    return plain
