"""C2SP signed notes (c2sp.org/signed-note) with Ed25519 signatures (algorithm byte 0x01).

A note is UTF-8 text ending in a newline, a blank line, then one or more lines
``U+2014 U+0020 <name> U+0020 base64(key_id(4) || signature)``. The key id is
``SHA-256(name || 0x0A || 0x01 || public key)[:4]``; the verifier key string is
``<name>+<key id, 8 hex digits>+base64(0x01 || public key)``. Verification follows Go's
``golang.org/x/mod/sumdb/note`` ``Open``: signatures by other keys are ignored, at most 16 signature lines
are accepted, and any deviation from the grammar (stray whitespace, missing newline, control characters)
rejects the note.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from tracer.ledger.encoding import b64decode, b64encode
from tracer.ledger.errors import LedgerError, VerificationError
from tracer.ledger.keys import load_public_key, private_key_seed, public_key_raw

ALG_ED25519 = 0x01
MAX_SIGNATURES = 16
SIGNATURE_PREFIX = "\u2014 "

_KEY_HASH = re.compile(r"[0-9a-f]{8}")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class VerifierKey:
    """A parsed verifier key: the signer's name, its 32-bit key id and its Ed25519 public key."""

    name: str
    key_hash: int
    public_key: Ed25519PublicKey


def is_valid_name(name: str) -> bool:
    """A key name is non-empty and has no ``+`` and no whitespace."""
    return bool(name) and "+" not in name and not any(c.isspace() for c in name) and not _CONTROL.search(name)


def vkey_id(name: str, alg: int, public_key: bytes) -> bytes:
    """The 4-byte key ID of a C2SP signed-note key of type ``alg``: SHA-256(name || 0x0A || alg || key)[:4]
    (0x01 an Ed25519 verifier key, 0x04 a cosignature/v1 key: ``tracer.ledger.cosignature``)."""
    return hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([alg]) + public_key).digest()[:4]


def format_vkey(name: str, alg: int, public_key: bytes, what: str) -> str:
    """``name+keyid+base64(alg || public key)``; LedgerError for a bad name or key (``what`` names it)."""
    if not is_valid_name(name):
        raise LedgerError(f"invalid {what} name {name!r}")
    load_public_key(public_key)
    return f"{name}+{vkey_id(name, alg, public_key).hex()}+{b64encode(bytes([alg]) + public_key)}"


def parse_vkey(text: str, alg: int, what: str) -> tuple[str, bytes, Ed25519PublicKey]:
    """(name, key ID, public key) of ``format_vkey``'s text for key type ``alg``; VerificationError naming
    ``what`` if it is malformed, of another type, or its key ID does not match its name and key."""
    name, sep1, rest = text.partition("+")
    hash_hex, sep2, encoded = rest.partition("+")
    if not (sep1 and sep2) or not is_valid_name(name) or not _KEY_HASH.fullmatch(hash_hex):
        raise VerificationError(f"malformed {what} {text!r}")
    raw = b64decode(encoded, what=what)
    if len(raw) != 33 or raw[0] != alg:
        raise VerificationError(f"{what} is not an Ed25519 key of type 0x{alg:02x}")
    if vkey_id(name, alg, raw[1:]).hex() != hash_hex:
        raise VerificationError(f"{what} id does not match its name and key")
    try:
        public_key = load_public_key(raw[1:])
    except LedgerError as exc:
        raise VerificationError(str(exc)) from exc
    return name, bytes.fromhex(hash_hex), public_key


def key_hash(name: str, public_key: bytes) -> int:
    """The note key id: SHA-256(name || 0x0A || 0x01 || key)[:4] as a big-endian integer."""
    return int.from_bytes(vkey_id(name, ALG_ED25519, public_key), "big")


def format_verifier_key(name: str, pub_raw: bytes) -> str:
    """``name+hash+base64(0x01 || public key)``."""
    return format_vkey(name, ALG_ED25519, pub_raw, "verifier key")


def parse_verifier_key(text: str) -> VerifierKey:
    """Parse ``name+hash+base64(0x01 || key)``; raise VerificationError if malformed or inconsistent."""
    name, kid, public_key = parse_vkey(text, ALG_ED25519, "verifier key")
    return VerifierKey(name=name, key_hash=int.from_bytes(kid, "big"), public_key=public_key)


def format_signer_key(name: str, private_key: Ed25519PrivateKey) -> str:
    """``PRIVATE+KEY+name+hash+base64(0x01 || seed)`` (Go's signer key encoding)."""
    pub = public_key_raw(private_key)
    encoded = b64encode(bytes([ALG_ED25519]) + private_key_seed(private_key))
    return f"PRIVATE+KEY+{name}+{key_hash(name, pub):08x}+{encoded}"


def parse_signer_key(text: str) -> tuple[str, Ed25519PrivateKey]:
    """Parse a signer key; return (name, private key)."""
    parts = text.split("+", 4)
    if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"] or not is_valid_name(parts[2]):
        raise VerificationError("malformed signer key")
    raw = b64decode(parts[4], what="signer key")
    if len(raw) != 33 or raw[0] != ALG_ED25519:
        raise VerificationError("signer key is not an Ed25519 key")
    private_key = Ed25519PrivateKey.from_private_bytes(raw[1:])
    if not _KEY_HASH.fullmatch(parts[3]) or key_hash(parts[2], public_key_raw(private_key)) != int(
        parts[3], 16
    ):
        raise VerificationError("signer key id does not match its name and key")
    return parts[2], private_key


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise VerificationError("note text must end with a newline")
    if _CONTROL.search(text):
        raise VerificationError("note text contains a control character")


def sign_note(text: str, name: str, private_key: Ed25519PrivateKey) -> str:
    """``text`` signed by ``private_key`` under ``name``: text, blank line, one signature line."""
    _check_text(text)
    if not is_valid_name(name):
        raise LedgerError(f"invalid key name {name!r}")
    signature = private_key.sign(text.encode("utf-8"))
    key_id = key_hash(name, public_key_raw(private_key)).to_bytes(4, "big")
    return f"{text}\n{SIGNATURE_PREFIX}{name} {b64encode(key_id + signature)}\n"


def verify_note(note: str, verifier_key: str) -> str:
    """Return the text of ``note`` if it carries a valid signature by ``verifier_key``; else raise."""
    key = parse_verifier_key(verifier_key)
    _check_text(note)
    split = note.rfind("\n\n")
    if split < 0:
        raise VerificationError("note has no signature block")
    text, block = note[: split + 1], note[split + 2 :]
    if not block:
        raise VerificationError("note has no signatures")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise VerificationError(f"note has more than {MAX_SIGNATURES} signatures")
    verified = False
    message = text.encode("utf-8")
    for line in lines:
        if not line.startswith(SIGNATURE_PREFIX):
            raise VerificationError("malformed signature line")
        name, space, encoded = line[len(SIGNATURE_PREFIX) :].partition(" ")
        if not space or not is_valid_name(name):
            raise VerificationError("malformed signature line")
        raw = b64decode(encoded, what="note signature")
        if len(raw) < 5:
            raise VerificationError("malformed signature line")
        if name != key.name or int.from_bytes(raw[:4], "big") != key.key_hash:
            continue  # a co-signer (e.g. a witness) this verifier does not know
        try:
            key.public_key.verify(raw[4:], message)
        except InvalidSignature as exc:
            raise VerificationError(f"invalid signature by {name}") from exc
        verified = True
    if not verified:
        raise VerificationError(f"no signature by {key.name}+{key.key_hash:08x}")
    return text
