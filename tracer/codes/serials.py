"""Package serial numbers and the Merkle commitment of a packaging event to them.

A serial is 60 random bits from ``secrets`` written as 12 characters of Crockford's
Base32 (https://www.crockford.com/base32.html: digits and letters without I, L, O, U),
so it cannot be guessed, reads aloud and types by hand without look-alikes. Typed input
is decoded by Crockford's rules: case does not matter, O reads as 0, I and L as 1,
hyphens and spaces are ignored. It is used as GS1 AI 21 (all characters are in set 82).

A packaging event commits to the RFC 9162 Merkle tree of its serials, in the order
given: leaf i = SHA-256(0x00 || ASCII serial i) via ``tracer.ledger.merkle``. One signed
event covers 10,000 packages; each package carries a 14-hash inclusion proof to the root.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from tracer.ledger.errors import VerificationError
from tracer.ledger.merkle import (
    inclusion_proof_from_levels,
    leaf_hash,
    root_hash,
    tree_levels,
    verify_inclusion,
)

__all__ = [
    "ALPHABET",
    "SERIAL_BITS",
    "SERIAL_LENGTH",
    "SerialError",
    "format_serial",
    "new_serial",
    "new_serials",
    "normalise_serial",
    "serial_leaf",
    "serial_proof",
    "serial_proofs",
    "serials_root",
    "verify_serial",
]

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
SERIAL_LENGTH = 12
SERIAL_BITS = 5 * SERIAL_LENGTH
_DECODE = {c: c for c in ALPHABET} | {"O": "0", "I": "1", "L": "1"}
_IGNORED = frozenset("- ")


class SerialError(ValueError):
    """A serial that is not 12 Crockford Base32 characters, or a bad list of serials."""


def random_code(length: int) -> str:
    """``length`` Crockford characters from ``5 * length`` bits of ``secrets``."""
    value = secrets.randbits(5 * length)
    return "".join(ALPHABET[(value >> (5 * i)) & 31] for i in reversed(range(length)))


def new_serial() -> str:
    """One fresh serial: 60 bits from ``secrets``, 12 Crockford characters."""
    return random_code(SERIAL_LENGTH)


def new_serials(n: int) -> list[str]:
    """``n`` fresh serials, distinct within the list (collisions are redrawn)."""
    if n < 0:
        raise SerialError(f"cannot make {n} serials")
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < n:
        serial = new_serial()
        if serial not in seen:
            seen.add(serial)
            out.append(serial)
    return out


def normalise_serial(typed: str) -> str:
    """The canonical form of a serial as typed by a person, or ``SerialError`` saying why."""
    chars: list[str] = []
    for ch in typed.strip().upper():
        if ch in _IGNORED:
            continue
        mapped = _DECODE.get(ch)
        if mapped is None:
            raise SerialError(f"character {ch!r} is not used in serials (Crockford Base32)")
        chars.append(mapped)
    if len(chars) != SERIAL_LENGTH:
        raise SerialError(f"a serial has {SERIAL_LENGTH} characters, got {len(chars)}")
    return "".join(chars)


def format_serial(serial: str) -> str:
    """The serial in groups of four for printing, e.g. ``ABCD-2345-EFGH``."""
    canonical = normalise_serial(serial)
    return "-".join(canonical[i : i + 4] for i in range(0, SERIAL_LENGTH, 4))


def serial_leaf(serial: str) -> bytes:
    """The Merkle leaf hash of a serial (canonical form, ASCII)."""
    return leaf_hash(normalise_serial(serial).encode("ascii"))


def _leaves(serials: Sequence[str]) -> list[bytes]:
    if not serials:
        raise SerialError("a packaging event needs at least one serial")
    leaves = [serial_leaf(s) for s in serials]
    if len(set(leaves)) != len(leaves):
        raise SerialError("the same serial appears twice in one packaging event")
    return leaves


def serials_root(serials: Sequence[str]) -> bytes:
    """The Merkle root a packaging event commits to."""
    return bytes(root_hash(_leaves(serials)))


def serial_proof(serials: Sequence[str], index: int) -> list[bytes]:
    """The inclusion proof of ``serials[index]``; O(n), use ``serial_proofs`` for all of them."""
    if not 0 <= index < len(serials):
        raise SerialError(f"serial index {index} outside a list of {len(serials)}")
    return inclusion_proof_from_levels(tree_levels(_leaves(serials)), index)


def serial_proofs(serials: Sequence[str]) -> list[list[bytes]]:
    """Inclusion proofs of every serial, building the tree once: O(n log n)."""
    levels = tree_levels(_leaves(serials))
    return [inclusion_proof_from_levels(levels, i) for i in range(len(serials))]


def verify_serial(serial: str, index: int, size: int, proof: Sequence[bytes], root: bytes) -> None:
    """Check that ``serial`` is package ``index`` of ``size`` under ``root``; raises ``VerificationError``."""
    try:
        leaf = serial_leaf(serial)
    except SerialError as exc:
        raise VerificationError(f"serial: {exc}") from None
    verify_inclusion(index, size, leaf, proof, root)
