"""The verifiable map's hashing: key derivation, the value chain, leaf, node and empty-subtree hashes.

The map says, for every subject of a verdict (``lot:L123``, ``product:7``, ``org:3``, ``key:<keyid>``),
which ledger entries bear on it: its value is a hash chain over the ordered (log index, RFC 9162 leaf hash)
list of those entries, kept in a sparse Merkle tree over SHA-256 of the key string whose root every
checkpoint commits to (an extension line ``map <base64 root>``). docs/verifiable-map.md is the
specification; all hashes are SHA-256 with one domain-separation byte of their own, none of them the
RFC 9162 bytes 0x00 / 0x01 of the log's own tree:

- key hash   ``K = SHA-256(map key as ASCII)``; its bits, most significant first, are the path from the root
- value      ``V_0 = 32 zero bytes``, ``V_i = SHA-256(0x10 || V_{i-1} || uint64_be(index_i) || leaf_hash_i)``
  over the entries in increasing index order; a key without entries is absent from the map
- leaf       ``SHA-256(0x11 || K || V)``, the hash of a subtree holding that one key
- node       ``SHA-256(0x12 || left || right)``, a subtree holding two keys or more
- empty      ``SHA-256(0x13)``, the default hash of every subtree holding no key

A subtree with one key hashes to that key's leaf hash (the leaf sits at the shallowest depth where its
prefix is unique), as in Diem's Jellyfish Merkle tree and Dahlberg, Pulls and Peeters, "Efficient Sparse
Merkle Trees" (NordSec 2016); CONIKS places leaves the same way. Updates and proofs then cost about log2 n
hashes instead of 256. Prior art: Laurie and Kasper, "Revocation Transparency" (2012, sparse Merkle trees
with default hashes); CONIKS (Melara et al., USENIX Security 2015); Google Key Transparency and Trillian's
log-derived maps.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import NewType

from tracer.ledger.encoding import b64decode, b64encode
from tracer.ledger.errors import InvalidRequestError, MapVerificationError, VerificationError

MapKeyHash = NewType("MapKeyHash", bytes)
MapValue = NewType("MapValue", bytes)
MapRoot = NewType("MapRoot", bytes)
MapEntry = tuple[int, bytes]  # (log index, RFC 9162 leaf hash of the entry)

HASH_SIZE = 32
KEY_BITS = 256
MAX_INDEX = (1 << 63) - 1  # log indexes are SQL BIGINTs
MAX_KEY_LENGTH = 200
VALUE_PREFIX = b"\x10"
LEAF_PREFIX = b"\x11"
NODE_PREFIX = b"\x12"
EMPTY_PREFIX = b"\x13"
VALUE_START = MapValue(bytes(HASH_SIZE))
EMPTY = hashlib.sha256(EMPTY_PREFIX).digest()
EMPTY_ROOT = MapRoot(EMPTY)
EXTENSION = "map"

# A map key is ``kind:id``: printable ASCII without spaces, so that one subject has one spelling (no
# Unicode normalisation, no case folding, no stray whitespace).
_MAP_KEY = re.compile(r"[a-z][a-z0-9-]{0,15}:[\x21-\x7e]+")
_sha256 = hashlib.sha256
_HIGH_BITS = [(0xFF << (8 - r)) & 0xFF for r in range(8)]


def check_map_key(map_key: str) -> None:
    """Raise InvalidRequestError unless ``map_key`` is ``kind:id`` in printable ASCII (at most 200)."""
    if not isinstance(map_key, str) or len(map_key) > MAX_KEY_LENGTH or not _MAP_KEY.fullmatch(map_key):
        raise InvalidRequestError(f"map key {str(map_key)[:60]!r} is not kind:id in printable ASCII")


def key_hash(map_key: str) -> MapKeyHash:
    """The 256-bit tree key of ``map_key``: SHA-256 of its ASCII bytes."""
    check_map_key(map_key)
    return MapKeyHash(_sha256(map_key.encode("ascii")).digest())


def bit(key: bytes, depth: int) -> int:
    """Bit ``depth`` of ``key``, most significant bit of byte 0 first: 0 goes left, 1 right."""
    return (key[depth >> 3] >> (7 - (depth & 7))) & 1


def extend_value(previous: bytes, index: int, leaf: bytes) -> MapValue:
    """``SHA-256(0x10 || previous || uint64_be(index) || leaf)``: the value after one more entry."""
    return MapValue(_sha256(VALUE_PREFIX + previous + index.to_bytes(8, "big") + leaf).digest())


def check_entries(entries: Sequence[MapEntry], after: int = -1) -> None:
    """Raise InvalidRequestError unless the indexes increase strictly (from above ``after``), each in
    0..2^63-1, and every leaf hash is 32 bytes."""
    last = after
    for index, leaf in entries:
        if type(index) is not int or not 0 <= index <= MAX_INDEX:
            raise InvalidRequestError(f"map entry index {index!r} is not an integer in 0..2^63-1")
        if index <= last:
            raise InvalidRequestError(f"map entry index {index} does not follow index {last}")
        if not isinstance(leaf, bytes) or len(leaf) != HASH_SIZE:
            raise InvalidRequestError(f"map entry {index}: a leaf hash is {HASH_SIZE} bytes")
        last = index


def map_value(entries: Sequence[MapEntry]) -> MapValue:
    """The value of a key whose entries are ``entries`` (at least one, indexes increasing)."""
    if not entries:
        raise InvalidRequestError("a key without entries has no value: it is absent from the map")
    check_entries(entries)
    value = VALUE_START
    for index, leaf in entries:
        value = extend_value(value, index, leaf)
    return value


def verify_value(value: bytes, entries: Sequence[MapEntry]) -> None:
    """Check that ``entries`` are exactly the entries that give ``value``; raise MapVerificationError."""
    try:
        computed = map_value(entries)
    except InvalidRequestError as exc:
        raise MapVerificationError(f"entry list: {exc}", "malformed") from exc
    if computed != value:
        raise MapVerificationError(
            f"the {len(entries)} entries given do not make the committed value (an entry left out, added "
            "or changed)",
            "value",
        )


def leaf_hash(key: bytes, value: bytes) -> bytes:
    """``SHA-256(0x11 || K || V)``."""
    return _sha256(LEAF_PREFIX + key + value).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """``SHA-256(0x12 || left || right)``."""
    return _sha256(NODE_PREFIX + left + right).digest()


def root_of(values: Mapping[MapKeyHash, MapValue]) -> MapRoot:
    """The root of the map holding ``values``, from the definition; O(n log n). The reference that the
    incremental and stored maps are tested against, and what an auditor computes from scratch."""
    items = sorted((k, leaf_hash(k, v)) for k, v in values.items())
    return MapRoot(subtree_hash(items, 0, 0, len(items)))


def split(items: Sequence[tuple[bytes, ...]], depth: int, lo: int, hi: int) -> int:
    """In ``items[lo:hi]``, sorted by key hash and sharing their first ``depth`` bits (< 256): the first
    whose bit ``depth`` is 1 (``hi`` if none). Bisects on the smallest key with that bit set."""
    first = items[lo][0]
    whole, rest = divmod(depth, 8)
    turn = (first[whole] & _HIGH_BITS[rest]) | (0x80 >> rest)
    boundary = first[:whole] + bytes([turn]) + bytes(HASH_SIZE - whole - 1)
    return bisect.bisect_left(items, (boundary,), lo, hi)


def subtree_hash(items: Sequence[tuple[bytes, ...]], depth: int, lo: int, hi: int) -> bytes:
    """The hash of the subtree at ``depth`` holding sorted (key hash, leaf hash) ``items[lo:hi]``."""
    if hi == lo:
        return EMPTY
    if hi - lo == 1:
        return items[lo][1]
    mid = split(items, depth, lo, hi)
    return node_hash(subtree_hash(items, depth + 1, lo, mid), subtree_hash(items, depth + 1, mid, hi))


def map_extension(root: bytes) -> str:
    """The checkpoint extension line committing to the map: ``map <base64 root>``."""
    if len(root) != HASH_SIZE:
        raise InvalidRequestError(f"a map root is {HASH_SIZE} bytes, got {len(root)}")
    return f"{EXTENSION} {b64encode(root)}"


def parse_map_extension(extensions: Iterable[str]) -> MapRoot:
    """The map root from a checkpoint's extension lines: exactly one ``map <base64 root>`` line."""
    roots = [line for line in extensions if line.split(" ", 1)[0] == EXTENSION]
    if len(roots) != 1:
        raise MapVerificationError(f"a checkpoint has {len(roots)} map lines, not 1", "malformed")
    try:
        root = b64decode(roots[0][len(EXTENSION) + 1 :], what="map root")
    except VerificationError as exc:
        raise MapVerificationError(str(exc), "malformed") from exc
    if len(root) != HASH_SIZE:
        raise MapVerificationError(f"the map root is {len(root)} bytes, not {HASH_SIZE}", "malformed")
    return MapRoot(root)
