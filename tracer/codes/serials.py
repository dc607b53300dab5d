"""Package serial numbers, their check character, and the Merkle commitment of a packaging event to them.

A serial is 12 characters of Crockford's Base32 (https://www.crockford.com/base32.html: digits and letters
without I, L, O, U), about 60 random bits from ``secrets``, so it cannot be guessed, reads aloud and types by
hand without look-alikes. It is used as GS1 AI 21 (all characters are in set 82), and the QR code carries it
bare: URIs are unchanged by the check character.

Check character: Crockford's check symbol, the serial's value (as a base-32 number) modulo 37, written with
the 32 data symbols for 0-31 and ``*``, ``~``, ``$``, ``=``, ``U`` for 32-36. 37 is prime and larger than 32,
so every single-character substitution and every transposition of two adjacent characters (the check
character included) changes the check: a typing slip reads as a typo, never as a code we did not issue. It is
printed after the serial, ``JDSF-GHMK-4169-X`` (``format_serial``), and may be typed or left out.

Which check symbols we print: serials made since the check character (``new_serial``) are drawn so that
their check value is below 32, so the printed check is always a digit or a letter of the data alphabet. The
five extra symbols are awkward on paper and keyboards: ``$`` looks like S, ``~`` like a hyphen on a thermal
label, ``*`` means bold in chat apps and ``=``/``~`` sit on a phone keyboard's second symbol page; ``~`` and
``$`` are outside GS1 set 82, so a ``/p/`` address cannot carry them. Skipping them costs log2(37/32) = 0.21
of the 60 bits. Serials issued before keep their value, so about 5 in 37 of them print one of those symbols;
all five are accepted when typed (``u`` as ``U``).

Typed input is decoded by Crockford's rules (``read_serial``): case does not matter, O reads as 0, I and L
as 1, hyphens and spaces are ignored (and full-width forms, by NFKC); 12 characters are a serial without its
check, 13 a serial and its check, which must match (``CheckCharacterError``, a ``SerialError``).

A packaging event commits to the RFC 9162 Merkle tree of its serials, in the order
given: leaf i = SHA-256(0x00 || ASCII serial i) via ``tracer.ledger.merkle``. One signed
event covers 10,000 packages; each package carries a 14-hash inclusion proof to the root.
"""

from __future__ import annotations

import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

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
    "CHECK_SYMBOLS",
    "SERIAL_BITS",
    "SERIAL_LENGTH",
    "CheckCharacterError",
    "SerialError",
    "TypedSerial",
    "check_symbol",
    "format_serial",
    "new_serial",
    "new_serials",
    "normalise_serial",
    "read_serial",
    "serial_leaf",
    "serial_proof",
    "serial_proofs",
    "serials_root",
    "verify_serial",
]

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHECK_SYMBOLS = ALPHABET + "*~$=U"  # Crockford's check symbols for the values 0..36
SERIAL_LENGTH = 12
SERIAL_BITS = 5 * SERIAL_LENGTH
_DECODE = {c: c for c in ALPHABET} | {"O": "0", "I": "1", "L": "1"}
_CHECK_DECODE = _DECODE | {c: c for c in CHECK_SYMBOLS[32:]}
_VALUE = {c: i for i, c in enumerate(CHECK_SYMBOLS)}
#: Separators a person or a copied text may put between groups: hyphens and dashes, spaces of any kind.
_IGNORED = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2212 \t\u00a0\u202f")
_MAX_TYPED = 64  # far more than a serial with separators: longer input is refused before it is read


class SerialError(ValueError):
    """A serial that is not 12 Crockford Base32 characters (and a check), or a bad list of serials."""


class CheckCharacterError(SerialError):
    """A serial typed with a check character that does not match it: a typing slip, not an unknown code."""


@dataclass(frozen=True, slots=True)
class TypedSerial:
    """A serial read from what a person typed: its canonical form, and whether a matching check came with
    it."""

    serial: str
    checked: bool


def random_code(length: int) -> str:
    """``length`` Crockford characters from ``5 * length`` bits of ``secrets``."""
    value = secrets.randbits(5 * length)
    return "".join(ALPHABET[(value >> (5 * i)) & 31] for i in reversed(range(length)))


def _value(serial: str) -> int:
    number = 0
    for ch in serial:
        number = number * 32 + _VALUE[ch]
    return number


def check_symbol(serial: str) -> str:
    """Crockford's check symbol of a serial: its value modulo 37 (``SerialError`` if it is not one)."""
    canonical = read_serial(serial).serial
    return CHECK_SYMBOLS[_value(canonical) % 37]


def new_serial() -> str:
    """One fresh serial: 12 Crockford characters from ``secrets``, drawn again while its check value is 32 or
    more (see the module docstring: its printed check is then a plain digit or letter)."""
    while True:
        serial = random_code(SERIAL_LENGTH)
        if _value(serial) % 37 < 32:
            return serial


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


def read_serial(typed: str) -> TypedSerial:
    """A serial as typed by a person or carried by a URI, with or without its check character, in any case,
    with hyphens or spaces anywhere; ``SerialError`` saying why not, ``CheckCharacterError`` for a check
    character that does not match."""
    if len(typed) > _MAX_TYPED:
        raise SerialError(f"a serial has {SERIAL_LENGTH} characters, got {len(typed)} (too long to read)")
    chars = [ch for ch in unicodedata.normalize("NFKC", typed).strip().upper() if ch not in _IGNORED]
    if len(chars) not in (SERIAL_LENGTH, SERIAL_LENGTH + 1):
        raise SerialError(
            f"a serial has {SERIAL_LENGTH} characters ({SERIAL_LENGTH + 1} with its check character), "
            f"got {len(chars)}"
        )
    data: list[str] = []
    for ch in chars[:SERIAL_LENGTH]:
        mapped = _DECODE.get(ch)
        if mapped is None:
            raise SerialError(f"character {ch!r} is not used in serials (Crockford Base32)")
        data.append(mapped)
    serial = "".join(data)
    if len(chars) == SERIAL_LENGTH:
        return TypedSerial(serial, checked=False)
    check = _CHECK_DECODE.get(chars[SERIAL_LENGTH])
    if check is None:
        raise SerialError(f"character {chars[SERIAL_LENGTH]!r} is not a check character (Crockford Base32)")
    if _VALUE[check] != _value(serial) % 37:
        raise CheckCharacterError("the check character does not match the serial: a character was mistyped")
    return TypedSerial(serial, checked=True)


def normalise_serial(typed: str) -> str:
    """The canonical form (12 characters, no check) of a serial as typed by a person (``read_serial``)."""
    return read_serial(typed).serial


def format_serial(serial: str) -> str:
    """The serial as printed under the QR code, in groups of four with its check: ``ABCD-2345-EFGH-X``."""
    canonical = normalise_serial(serial)
    groups = [canonical[i : i + 4] for i in range(0, SERIAL_LENGTH, 4)]
    return "-".join([*groups, CHECK_SYMBOLS[_value(canonical) % 37]])


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
