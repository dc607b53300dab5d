"""C2SP tlog-checkpoint (c2sp.org/tlog-checkpoint): the signed statement of a log's size and root.

The body is ``<origin>\\n<size, ASCII decimal>\\n<base64 root hash>\\n`` followed by optional non-empty
extension lines, and is signed as a C2SP signed note by the log key whose name is the origin.
Parsing is strict: no leading zeros, canonical base64, 32-byte root, no empty lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tracer.ledger.encoding import b64decode, b64encode
from tracer.ledger.errors import LedgerError, VerificationError
from tracer.ledger.merkle import HASH_SIZE
from tracer.ledger.note import parse_verifier_key, sign_note, verify_note

_SIZE = re.compile(r"0|[1-9][0-9]{0,18}")


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A log's origin, tree size and root hash, plus optional extension lines."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()


def format_checkpoint(cp: Checkpoint) -> str:
    """The checkpoint body text (ends with a newline)."""
    if not cp.origin or "\n" in cp.origin or cp.size < 0 or len(cp.root_hash) != HASH_SIZE:
        raise LedgerError("checkpoint needs an origin line, a size >= 0 and a 32-byte root hash")
    if any(not line or "\n" in line for line in cp.extensions):
        raise LedgerError("checkpoint extension lines must be non-empty single lines")
    lines = [cp.origin, str(cp.size), b64encode(cp.root_hash), *cp.extensions]
    return "".join(line + "\n" for line in lines)


def parse_checkpoint(text: str) -> Checkpoint:
    """Parse a checkpoint body strictly; raise VerificationError."""
    if not text.endswith("\n"):
        raise VerificationError("checkpoint must end with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise VerificationError("checkpoint needs origin, size and root hash lines")
    origin, size_text, root_text, *extensions = lines
    if not origin or origin != origin.strip():
        raise VerificationError("checkpoint origin line is empty or padded")
    if not _SIZE.fullmatch(size_text) or int(size_text) >= 1 << 63:
        raise VerificationError(f"checkpoint size {size_text!r} is not a decimal without leading zeros")
    root = b64decode(root_text, what="checkpoint root hash")
    if len(root) != HASH_SIZE:
        raise VerificationError(f"checkpoint root hash is {len(root)} bytes, not {HASH_SIZE}")
    if any(not line for line in extensions):
        raise VerificationError("checkpoint has an empty extension line")
    return Checkpoint(origin=origin, size=int(size_text), root_hash=root, extensions=tuple(extensions))


def sign_checkpoint(cp: Checkpoint, private_key: Ed25519PrivateKey) -> str:
    """The checkpoint as a signed note, signer name = origin."""
    return sign_note(format_checkpoint(cp), cp.origin, private_key)


def verify_checkpoint(note: str, verifier_key: str) -> Checkpoint:
    """Verify the log's signature on a checkpoint note and return the parsed checkpoint."""
    text = verify_note(note, verifier_key)
    cp = parse_checkpoint(text)
    if cp.origin != parse_verifier_key(verifier_key).name:
        raise VerificationError(f"checkpoint origin {cp.origin!r} is not the verifier key's name")
    return cp
