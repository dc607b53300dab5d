"""C2SP tlog-proof@v1 (c2sp.org/tlog-proof): an offline-verifiable proof that an entry is in the log.

```
c2sp.org/tlog-proof@v1
[extra <base64>]
index <N>
<base64 hash>            (zero or more: the RFC 9162 audit path, leaf's sibling first)

<signed checkpoint note, verbatim>
```
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from tracer.ledger.checkpoint import Checkpoint, verify_checkpoint
from tracer.ledger.encoding import b64decode, b64encode
from tracer.ledger.errors import LedgerError, VerificationError
from tracer.ledger.merkle import HASH_SIZE, leaf_hash, verify_inclusion

HEADER = "c2sp.org/tlog-proof@v1"
_INDEX = re.compile(r"index (0|[1-9][0-9]{0,18})")


@dataclass(frozen=True, slots=True)
class Bundle:
    """A parsed tlog-proof: entry index, audit path, the signed checkpoint note and optional extra data."""

    index: int
    proof: tuple[bytes, ...]
    checkpoint_note: str
    extra: bytes | None = None


def format_bundle(
    index: int, proof: Sequence[bytes], signed_checkpoint: str, extra: bytes | None = None
) -> str:
    """The tlog-proof@v1 text."""
    if index < 0 or any(len(h) != HASH_SIZE for h in proof):
        raise LedgerError("a bundle needs an index >= 0 and 32-byte proof hashes")
    lines = [HEADER]
    if extra is not None:
        lines.append(f"extra {b64encode(extra)}")
    lines.append(f"index {index}")
    lines.extend(b64encode(h) for h in proof)
    return "\n".join(lines) + "\n\n" + signed_checkpoint


def parse_bundle(text: str) -> Bundle:
    """Parse tlog-proof@v1 text strictly; raise VerificationError."""
    head, sep, note = text.partition("\n\n")
    if not sep or not note:
        raise VerificationError("bundle has no checkpoint after a blank line")
    lines = head.split("\n")
    if lines[0] != HEADER:
        raise VerificationError(f"bundle must start with {HEADER}")
    position, extra = 1, None
    if len(lines) > position and lines[position].startswith("extra "):
        extra = b64decode(lines[position][len("extra ") :], what="bundle extra data")
        position += 1
    match = _INDEX.fullmatch(lines[position]) if len(lines) > position else None
    if match is None:
        raise VerificationError("bundle index line is missing or malformed")
    proof = []
    for line in lines[position + 1 :]:
        value = b64decode(line, what="bundle proof hash")
        if len(value) != HASH_SIZE:
            raise VerificationError(f"bundle proof hash is {len(value)} bytes, not {HASH_SIZE}")
        proof.append(value)
    return Bundle(index=int(match.group(1)), proof=tuple(proof), checkpoint_note=note, extra=extra)


def verify_bundle(text: str, entry: bytes, verifier_key: str) -> Checkpoint:
    """Check the checkpoint's signature and that ``entry`` is at the bundle's index in that tree."""
    bundle = parse_bundle(text)
    cp = verify_checkpoint(bundle.checkpoint_note, verifier_key)
    try:
        verify_inclusion(bundle.index, cp.size, leaf_hash(entry), bundle.proof, cp.root_hash)
    except VerificationError as exc:
        raise VerificationError(
            f"entry is not at index {bundle.index} of {cp.origin} size {cp.size}: {exc}", index=bundle.index
        ) from exc
    return cp
