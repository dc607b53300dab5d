"""A cosignature verifier written from the text of c2sp.org/tlog-cosignature and c2sp.org/signed-note alone
(hashlib and an Ed25519 primitive; nothing of ``tracer``), to check what our witness signs."""

from __future__ import annotations

import base64
import hashlib

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def verify(note: str, vkey: str) -> int:
    """The timestamp of the valid cosignature by ``vkey`` (``name+id+base64(0x04||key)``) in ``note``."""
    name, key_id_hex, key64 = vkey.split("+", 2)
    raw = base64.b64decode(key64, validate=True)
    assert raw[0] == 0x04 and len(raw) == 33, "an Ed25519 cosignature/v1 vkey"
    # "SHA-256(<name> || "\n" || 0x04 || 32-byte Ed25519 cosigner public key)[:4]"
    assert hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4].hex() == key_id_hex
    body, _, block = note.rpartition("\n\n")
    body += "\n"
    for line in block.splitlines():
        signer, _, blob64 = line.removeprefix("\u2014 ").partition(" ")
        blob = base64.b64decode(blob64, validate=True)
        if signer != name or blob[:4].hex() != key_id_hex:
            continue  # "ignore any signature lines that don't match the name and key ID"
        assert len(blob) == 4 + 8 + 64
        timestamp = int.from_bytes(blob[4:12], "big")  # "u64 timestamp", big-endian
        message = f"cosignature/v1\ntime {timestamp}\n".encode() + body.encode()
        Ed25519PublicKey.from_public_bytes(raw[1:]).verify(blob[12:], message)
        return timestamp
    raise AssertionError(f"no cosignature by {name}")
