"""Verifiable-map proofs: inclusion of a key's value and absence of a key, their encodings and verifiers.

A proof for key K lists the hashes of the siblings along K's path, from depth 1 (a child of the root) down
to depth D, where the path meets a subtree holding at most one key (the terminal): K's own leaf (inclusion),
an empty subtree, or the leaf of another key K' sharing K's first D bits (absence). The verifier hashes
from the terminal up, left or right by K's bits, and compares with the root. Compressed as in Laurie and
Kasper's sparse Merkle trees and Trillian's map proofs: only non-empty siblings are sent, a bitmap says
which. Binary form (docs/verifiable-map.md):

``terminal (1 byte: 0 included, 1 empty, 2 other key) || D (uint16 big-endian, 0..256) ||
bitmap (ceil(D / 8) bytes, bit d-1 most significant first for depth d, set when a hash follows) ||
32-byte sibling hashes, shallowest first || [terminal 2: K' (32 bytes) || V' (32 bytes)]``

Each (tree, key) has exactly one valid proof and one encoding: unused bitmap bits are zero, a listed
sibling is never the empty hash, and below a terminal at D > 0 the sibling at D is never empty (a subtree
of one key is its leaf, so an honest path never ends next to an empty sibling).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from tracer.ledger.encoding import b64decode, b64encode
from tracer.ledger.errors import InvalidRequestError, MapVerificationError, VerificationError
from tracer.ledger.vmap import (
    EMPTY,
    HASH_SIZE,
    KEY_BITS,
    MapEntry,
    MapKeyHash,
    MapValue,
    bit,
    key_hash,
    leaf_hash,
    map_value,
    node_hash,
)

_TERMINAL_NAMES = ("included", "empty", "other")


class Terminal(IntEnum):
    """Where a proof's path ends."""

    INCLUDED = 0  # the key's own leaf: an inclusion proof
    EMPTY = 1  # an empty subtree: the key is absent
    OTHER = 2  # the leaf of another key with the same first D bits: the key is absent


@dataclass(frozen=True, slots=True)
class MapProof:
    """A map proof: ``siblings[d - 1]`` is the sibling hash at depth d (``EMPTY`` where empty)."""

    terminal: Terminal
    siblings: tuple[bytes, ...]
    other_key: MapKeyHash | None = None  # terminal OTHER only
    other_value: MapValue | None = None

    @property
    def depth(self) -> int:
        return len(self.siblings)

    def to_bytes(self) -> bytes:
        """The compact binary form."""
        _check_shape(self)
        bitmap = bytearray((self.depth + 7) // 8)
        hashes = []
        for d, sibling in enumerate(self.siblings):
            if sibling != EMPTY:
                bitmap[d >> 3] |= 0x80 >> (d & 7)
                hashes.append(sibling)
        tail = b"".join(_other(self)) if self.terminal == Terminal.OTHER else b""
        return (
            bytes([self.terminal]) + self.depth.to_bytes(2, "big") + bytes(bitmap) + b"".join(hashes) + tail
        )

    def to_base64(self) -> str:
        return b64encode(self.to_bytes())

    def to_json(self) -> dict[str, Any]:
        """The JSON form: terminal, depth, the non-empty siblings as [depth, base64] pairs, other key."""
        _check_shape(self)
        out: dict[str, Any] = {
            "terminal": _TERMINAL_NAMES[self.terminal],
            "depth": self.depth,
            "siblings": [[d + 1, b64encode(s)] for d, s in enumerate(self.siblings) if s != EMPTY],
        }
        if self.terminal == Terminal.OTHER:
            other_key, other_value = _other(self)
            out["other"] = {"key_hash": b64encode(other_key), "value": b64encode(other_value)}
        return out


def _other(proof: MapProof) -> tuple[bytes, bytes]:
    if proof.other_key is None or proof.other_value is None:
        raise _malformed("a proof ending at another key's leaf names that key and its value")
    return proof.other_key, proof.other_value


def _malformed(message: str) -> MapVerificationError:
    return MapVerificationError(f"proof: {message}", "malformed")


def _check_shape(proof: MapProof) -> None:
    """The canonical-form rules every proof obeys, whichever form it came in."""
    if not isinstance(proof.terminal, Terminal):
        raise _malformed(f"unknown terminal {proof.terminal!r}")
    if proof.depth > KEY_BITS:
        raise _malformed(f"depth {proof.depth} is more than {KEY_BITS}")
    if any(not isinstance(s, bytes) or len(s) != HASH_SIZE for s in proof.siblings):
        raise _malformed(f"a sibling hash is not {HASH_SIZE} bytes")
    if proof.depth and proof.siblings[-1] == EMPTY:
        raise _malformed(f"the sibling at depth {proof.depth}, next to the terminal, is empty")
    other = (proof.other_key, proof.other_value)
    if proof.terminal == Terminal.OTHER:
        if any(not isinstance(h, bytes) or len(h) != HASH_SIZE for h in other):
            raise _malformed(f"the other key's hash and value are {HASH_SIZE} bytes each")
    elif other != (None, None):
        raise _malformed("only a proof ending at another key's leaf names another key")


def proof_from_bytes(data: bytes) -> MapProof:
    """Parse the binary form strictly; raise MapVerificationError."""
    if len(data) < 3 or data[0] > Terminal.OTHER:
        raise _malformed("no terminal and depth header" if len(data) < 3 else f"unknown terminal {data[0]}")
    terminal, depth = Terminal(data[0]), int.from_bytes(data[1:3], "big")
    if depth > KEY_BITS:
        raise _malformed(f"depth {depth} is more than {KEY_BITS}")
    at = 3 + (depth + 7) // 8
    bitmap = data[3:at]
    present = [d for d in range(depth) if len(bitmap) == at - 3 and bitmap[d >> 3] & (0x80 >> (d & 7))]
    tail = 2 * HASH_SIZE if terminal == Terminal.OTHER else 0
    if len(bitmap) != at - 3 or len(data) != at + HASH_SIZE * len(present) + tail:
        raise _malformed(f"{len(data)} bytes do not match its depth {depth} and bitmap")
    if depth % 8 and bitmap[-1] & (0xFF >> (depth % 8)):
        raise _malformed("bitmap bits past the depth are set")
    siblings = [EMPTY] * depth
    for n, d in enumerate(present):
        siblings[d] = data[at + HASH_SIZE * n : at + HASH_SIZE * (n + 1)]
        if siblings[d] == EMPTY:
            raise _malformed(f"the sibling at depth {d + 1} is listed although empty")
    other_key = other_value = None
    if terminal == Terminal.OTHER:
        other_key, other_value = MapKeyHash(data[-2 * HASH_SIZE : -HASH_SIZE]), MapValue(data[-HASH_SIZE:])
    proof = MapProof(terminal, tuple(siblings), other_key, other_value)
    _check_shape(proof)
    return proof


def proof_from_base64(text: str) -> MapProof:
    try:
        data = b64decode(text, what="map proof")
    except VerificationError as exc:
        raise _malformed(str(exc)) from exc
    return proof_from_bytes(data)


def _b64_hash(value: Any, what: str) -> bytes:
    try:
        raw = b64decode(value, what=what)
    except VerificationError as exc:
        raise _malformed(str(exc)) from exc
    if len(raw) != HASH_SIZE:
        raise _malformed(f"{what} is {len(raw)} bytes, not {HASH_SIZE}")
    return raw


def proof_from_json(obj: Any) -> MapProof:
    """Parse the JSON form strictly (no missing or extra fields); raise MapVerificationError."""
    if not isinstance(obj, dict) or obj.get("terminal") not in _TERMINAL_NAMES:
        raise _malformed("not an object with a terminal of included, empty or other")
    terminal = Terminal(_TERMINAL_NAMES.index(obj["terminal"]))
    fields = {"terminal", "depth", "siblings"} | ({"other"} if terminal == Terminal.OTHER else set())
    if set(obj) != fields:
        raise _malformed(f"fields are {sorted(obj)}, expected {sorted(fields)}")
    depth, listed = obj["depth"], obj["siblings"]
    if type(depth) is not int or not 0 <= depth <= KEY_BITS or not isinstance(listed, list):
        raise _malformed(f"depth is an integer in 0..{KEY_BITS} and siblings a list")
    siblings, last = [EMPTY] * depth, 0
    for pair in listed:
        if not (
            isinstance(pair, list) and len(pair) == 2 and type(pair[0]) is int and last < pair[0] <= depth
        ):
            raise _malformed("siblings are [depth, hash] pairs with depths increasing within 1..depth")
        last = pair[0]
        siblings[last - 1] = _b64_hash(pair[1], f"sibling at depth {last}")
        if siblings[last - 1] == EMPTY:
            raise _malformed(f"the sibling at depth {last} is listed although empty")
    other_key = other_value = None
    if terminal == Terminal.OTHER:
        other = obj["other"]
        if not isinstance(other, dict) or set(other) != {"key_hash", "value"}:
            raise _malformed("other is an object with key_hash and value")
        other_key = MapKeyHash(_b64_hash(other["key_hash"], "other key hash"))
        other_value = MapValue(_b64_hash(other["value"], "other value"))
    proof = MapProof(terminal, tuple(siblings), other_key, other_value)
    _check_shape(proof)
    return proof


def _key(map_key: str) -> MapKeyHash:
    try:
        return key_hash(map_key)
    except InvalidRequestError as exc:
        raise MapVerificationError(str(exc), "malformed") from exc


def _check_root(root: bytes, key: bytes, start: bytes, proof: MapProof, failure: str) -> None:
    if not isinstance(root, bytes) or len(root) != HASH_SIZE:
        raise MapVerificationError(f"the root is {HASH_SIZE} bytes", "malformed")
    h = start
    for depth in range(proof.depth, 0, -1):
        sibling = proof.siblings[depth - 1]
        h = node_hash(h, sibling) if bit(key, depth - 1) == 0 else node_hash(sibling, h)
    if h != root:
        raise MapVerificationError(failure, "root")


def verify_inclusion(root: bytes, map_key: str, value: bytes, proof: MapProof) -> None:
    """Check that ``map_key`` has ``value`` in the map with ``root``; raise MapVerificationError."""
    failure = f"{map_key}: this value and proof do not lead to the committed root"
    _verify_inclusion(root, map_key, value, proof, failure)


def _verify_inclusion(root: bytes, map_key: str, value: bytes, proof: MapProof, failure: str) -> None:
    _check_shape(proof)
    key = _key(map_key)
    if proof.terminal != Terminal.INCLUDED:
        raise MapVerificationError(f"{map_key}: the proof shows the key absent, not its value", "kind")
    if not isinstance(value, bytes) or len(value) != HASH_SIZE:
        raise MapVerificationError(f"{map_key}: a value is {HASH_SIZE} bytes", "malformed")
    _check_root(root, key, leaf_hash(key, value), proof, failure)


def verify_absence(root: bytes, map_key: str, proof: MapProof) -> None:
    """Check that ``map_key`` has no entry at all in the map with ``root``; raise MapVerificationError."""
    _check_shape(proof)
    key = _key(map_key)
    if proof.terminal == Terminal.INCLUDED:
        raise MapVerificationError(f"{map_key}: the proof shows the key's value, not its absence", "kind")
    start = EMPTY
    if proof.terminal == Terminal.OTHER:
        other, value = _other(proof)
        if other == key:
            raise MapVerificationError(
                f"{map_key}: the other leaf of the absence proof is the key itself", "key"
            )
        if any(bit(other, d) != bit(key, d) for d in range(proof.depth)):
            raise MapVerificationError(
                f"{map_key}: the other leaf of the absence proof is off the key's path", "key"
            )
        start = leaf_hash(other, value)
    _check_root(root, key, start, proof, f"{map_key}: the absence proof does not lead to the committed root")


def verify_entries(root: bytes, map_key: str, entries: Sequence[MapEntry], proof: MapProof) -> None:
    """Check that ``entries`` are every entry about ``map_key`` in the map with ``root``: its value is
    recomputed from them (none: the key must be absent). An entry left out, added or changed fails."""
    if not entries:
        verify_absence(root, map_key, proof)
        return
    try:
        value = map_value(entries)
    except InvalidRequestError as exc:
        raise MapVerificationError(f"{map_key}: entry list: {exc}", "malformed") from exc
    failure = (
        f"{map_key}: the {len(entries)} entries given do not lead to the committed root (an entry left out, "
        "added or changed, or a wrong proof)"
    )
    _verify_inclusion(root, map_key, value, proof, failure)
