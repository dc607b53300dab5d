"""C2SP tlog-cosignature (c2sp.org/tlog-cosignature), Ed25519 cosignature/v1: a witness's timestamped
signature on a checkpoint, carried as one more signed-note signature line.

- key ID: ``SHA-256(<name> || "\\n" || 0x04 || 32-byte public key)[:4]``; a verifier key (vkey) is
  ``<name>+<key ID hex>+base64(0x04 || public key)``;
- signature line: ``— <name> base64(key ID || u64 big-endian timestamp || Ed25519 signature)``;
- signed message: ``cosignature/v1\\n``, ``time <timestamp>\\n``, then the whole checkpoint body (every line
  before the signatures, extension lines included, with its final newline).

A cosignature says: as of that time, this is the largest consistent tree the witness has seen for the
origin. The witness checks the first three lines only; it makes no statement on extension lines.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from tracer.ledger.encoding import b64decode, b64encode
from tracer.ledger.errors import LedgerError, VerificationError
from tracer.ledger.keys import private_key_seed, public_key_raw
from tracer.ledger.note import SIGNATURE_PREFIX, format_vkey, is_valid_name, parse_vkey, vkey_id

ALG_COSIGNATURE_V1 = 0x04
HEADER = "cosignature/v1\n"
MAX_TIMESTAMP = (1 << 63) - 1


@dataclass(frozen=True, slots=True)
class Cosigner:
    """A witness as a verifier knows it: its name, key ID and Ed25519 public key."""

    name: str
    key_id: bytes
    public_key: Ed25519PublicKey


@dataclass(frozen=True, slots=True)
class Cosignature:
    """One verified cosignature: who, when (POSIX seconds), and its signature line (with its newline)."""

    name: str
    timestamp: int
    line: str


def key_id(name: str, public_key: bytes) -> bytes:
    """The 4-byte key ID of an Ed25519 cosigner."""
    return vkey_id(name, ALG_COSIGNATURE_V1, public_key)


def format_cosigner_key(name: str, public_key: bytes) -> str:
    """The cosigner's vkey: ``name+keyid+base64(0x04 || key)``."""
    return format_vkey(name, ALG_COSIGNATURE_V1, public_key, "cosigner key")


def parse_cosigner_key(text: str) -> Cosigner:
    """Parse a cosigner vkey (signature type 0x04); VerificationError if malformed or inconsistent."""
    name, kid, public_key = parse_vkey(text, ALG_COSIGNATURE_V1, "cosigner key")
    return Cosigner(name=name, key_id=kid, public_key=public_key)


def format_cosigner_signer_key(name: str, private_key: Ed25519PrivateKey) -> str:
    """The witness's private key file: ``PRIVATE+KEY+name+keyid+base64(0x04 || seed)``."""
    kid = key_id(name, public_key_raw(private_key)).hex()
    return (
        f"PRIVATE+KEY+{name}+{kid}+{b64encode(bytes([ALG_COSIGNATURE_V1]) + private_key_seed(private_key))}"
    )


def parse_cosigner_signer_key(text: str) -> tuple[str, Ed25519PrivateKey]:
    """(name, private key) from ``format_cosigner_signer_key``'s text."""
    parts = text.strip().split("+", 4)
    if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"] or not is_valid_name(parts[2]):
        raise VerificationError("malformed cosigner signer key")
    raw = b64decode(parts[4], what="cosigner signer key")
    if len(raw) != 33 or raw[0] != ALG_COSIGNATURE_V1:
        raise VerificationError("the signer key is not an Ed25519 cosignature/v1 key (type 0x04)")
    private_key = Ed25519PrivateKey.from_private_bytes(raw[1:])
    if key_id(parts[2], public_key_raw(private_key)).hex() != parts[3]:
        raise VerificationError("the signer key ID does not match its name and key")
    return parts[2], private_key


def signed_message(body: str, timestamp: int) -> bytes:
    """The bytes a cosignature/v1 signs over the checkpoint ``body`` at ``timestamp``."""
    if not 0 <= timestamp <= MAX_TIMESTAMP:
        raise LedgerError(f"a cosignature timestamp is 0 to 2^63-1, not {timestamp}")
    if not body.endswith("\n"):
        raise LedgerError("a checkpoint body ends with a newline")
    return f"{HEADER}time {timestamp}\n{body}".encode()


def cosign(body: str, name: str, private_key: Ed25519PrivateKey, timestamp: int) -> str:
    """The signature line (ending in a newline) of a cosignature on checkpoint ``body``."""
    signature = private_key.sign(signed_message(body, timestamp))
    blob = key_id(name, public_key_raw(private_key)) + timestamp.to_bytes(8, "big") + signature
    return f"{SIGNATURE_PREFIX}{name} {b64encode(blob)}\n"


def note_body(note: str) -> str:
    """The checkpoint body of a signed note: everything before its signature block."""
    split = note.rfind("\n\n")
    if split < 0:
        raise VerificationError("note has no signature block")
    return note[: split + 1]


def verify_cosignature(body: str, line: str, cosigner: Cosigner) -> Cosignature:
    """The cosignature in signature ``line`` (with or without its newline) by ``cosigner`` over ``body``;
    VerificationError if the line is not that cosigner's or does not verify."""
    text = line.removesuffix("\n")
    if not text.startswith(SIGNATURE_PREFIX):
        raise VerificationError("a cosignature line starts with an em dash and a space")
    name, space, encoded = text[len(SIGNATURE_PREFIX) :].partition(" ")
    if not space or name != cosigner.name:
        raise VerificationError(f"the line is not signed by {cosigner.name}")
    raw = b64decode(encoded, what="cosignature")
    if len(raw) != 4 + 8 + 64 or raw[:4] != cosigner.key_id:
        raise VerificationError(f"the line is not a cosignature/v1 by {cosigner.name}")
    timestamp = int.from_bytes(raw[4:12], "big")
    if timestamp > MAX_TIMESTAMP:
        raise VerificationError("the cosignature's timestamp is beyond 2^63-1")
    try:
        cosigner.public_key.verify(raw[12:], signed_message(body, timestamp))
    except InvalidSignature as exc:
        raise VerificationError(f"invalid cosignature by {cosigner.name}") from exc
    return Cosignature(name=name, timestamp=timestamp, line=text + "\n")


def cosignatures_in(note: str, cosigners: list[Cosigner]) -> list[Cosignature]:
    """The valid cosignatures in ``note`` by any of ``cosigners`` (other lines are ignored)."""
    body = note_body(note)
    found: list[Cosignature] = []
    for line in note[len(body) + 1 :].splitlines():
        for cosigner in cosigners:
            try:
                found.append(verify_cosignature(body, line, cosigner))
                break
            except VerificationError:
                continue
    return found
