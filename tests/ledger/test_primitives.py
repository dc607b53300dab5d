"""Canonical JSON, keys at rest, and the Go tlog stored-hash index arithmetic."""

from __future__ import annotations

import json
from typing import Any

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from tracer.ledger.canonical import canonical_json
from tracer.ledger.errors import LedgerError, VerificationError
from tracer.ledger.keys import decrypt_private_key, encrypt_private_key, generate_key, key_id, public_key_raw
from tracer.ledger.tlog_index import (
    record_of_stored_hash,
    split_stored_hash_index,
    stored_hash_count,
    stored_hash_index,
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(json_values)
def test_canonical_json_is_rfc8785(value: Any) -> None:
    data = canonical_json(value)
    assert data == rfc8785.dumps(value)
    assert canonical_json(json.loads(data)) == data


ascii_keyed = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(st.characters(max_codepoint=127)), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(ascii_keyed)
def test_the_json_dumps_path_is_rfc8785(value: Any) -> None:
    """Event bodies (ASCII keys) take ``json.dumps``; any string, control characters and astral ones too."""
    assert canonical_json(value) == rfc8785.dumps(value)


def test_what_json_dumps_would_get_wrong_goes_through_rfc8785() -> None:
    astral = {"\U0001f600": 1, "\uff61": 2}  # UTF-16 order puts the astral key (a surrogate pair) first
    assert canonical_json(astral) == rfc8785.dumps(astral)
    assert canonical_json(astral).startswith('{"\U0001f600"'.encode())
    with pytest.raises(LedgerError, match="cannot canonicalise"):
        canonical_json({"a": "\ud800"})  # a lone surrogate is not UTF-8


def test_canonical_json_known_answer() -> None:
    body = {"z": 1, "a": [True, None, "Trà Vinh"], "é": {"b": "2", "a": "1"}, "\u20ac": 0}
    assert canonical_json(body) == '{"a":[true,null,"Trà Vinh"],"z":1,"é":{"a":"1","b":"2"},"€":0}'.encode()


@pytest.mark.parametrize(
    ("value", "path"),
    [
        (1.5, r"\$"),
        ({"quantity": 12.5}, r"\$\.quantity"),
        ({"lines": [{"kg": "1"}, {"kg": 2.0}]}, r"\$\.lines\[1\]\.kg"),
        ([0, [float("nan")]], r"\$\[1\]\[0\]"),
    ],
)
def test_canonical_json_refuses_floats_naming_the_path(value: Any, path: str) -> None:
    with pytest.raises(LedgerError, match=f"^{path}: floating-point"):
        canonical_json(value)


def test_canonical_json_refuses_unsafe_integers_and_odd_keys() -> None:
    with pytest.raises(LedgerError, match="integer"):
        canonical_json({"n": 2**60})
    with pytest.raises(LedgerError, match="keys must be strings"):
        canonical_json({1: "x"})


def test_key_id_and_encryption_at_rest() -> None:
    key = generate_key()
    raw = public_key_raw(key)
    keyid = key_id(raw)
    assert len(keyid) == 16
    assert keyid == __import__("hashlib").sha256(raw).hexdigest()[:16]
    master = bytes(range(32))
    blob = encrypt_private_key(master, key, b"ledger_keys:" + keyid.encode())
    assert len(blob) == 12 + 32 + 16
    assert encrypt_private_key(master, key, b"a") != encrypt_private_key(master, key, b"a")  # fresh nonce
    restored = decrypt_private_key(master, blob, b"ledger_keys:" + keyid.encode())
    assert public_key_raw(restored) == raw
    with pytest.raises(VerificationError, match="cannot decrypt"):
        decrypt_private_key(bytes(32), blob, b"ledger_keys:" + keyid.encode())
    with pytest.raises(VerificationError, match="cannot decrypt"):
        decrypt_private_key(master, blob, b"ledger_keys:other")
    with pytest.raises(VerificationError, match="cannot decrypt"):
        decrypt_private_key(master, blob[:-1] + bytes([blob[-1] ^ 1]), b"ledger_keys:" + keyid.encode())
    with pytest.raises(LedgerError, match="32 bytes"):
        encrypt_private_key(b"short", key, b"")
    with pytest.raises(LedgerError, match="32 bytes"):
        key_id(raw[:31])


def _go_stored_hash_index(level: int, n: int) -> int:
    for _ in range(level):
        n = 2 * n + 1
    i = 0
    while n > 0:
        i += n
        n >>= 1
    return i + level


def test_stored_hash_index_matches_go() -> None:
    # Go's TestStoredHashIndex: round trips, and the first indexes laid out by hand.
    assert [stored_hash_index(0, n) for n in range(5)] == [0, 1, 3, 4, 7]
    assert [stored_hash_index(1, n) for n in range(3)] == [2, 5, 9]
    assert stored_hash_index(2, 0) == 6
    for level in range(10):
        for n in range(0, 3000, 7):
            index = stored_hash_index(level, n)
            assert index == _go_stored_hash_index(level, n)
            assert split_stored_hash_index(index) == (level, n)
            assert record_of_stored_hash(index) == ((n + 1) << level) - 1


def test_stored_hash_count() -> None:
    total = 0
    for n in range(2000):
        assert stored_hash_count(n) == total
        total += 1 + ((n + 1) & -(n + 1)).bit_length() - 1
