"""Ed25519 keys (RFC 8032): key ids, generation, and private keys encrypted at rest.

An organisation's key id is the lowercase hex of the first 8 bytes of SHA-256 over the raw 32-byte public
key; it is the DSSE ``keyid`` of every envelope the key signs. Custodial private keys are kept as
``nonce(12) || AES-256-GCM(master_key, nonce, raw 32-byte seed, aad)`` (NIST SP 800-38D), the associated
data binding the ciphertext to its row so a blob cannot be moved to another key.
"""

from __future__ import annotations

import hashlib
import os
from typing import NewType

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from tracer.ledger.errors import LedgerError, VerificationError

KeyID = NewType("KeyID", str)

PUBLIC_KEY_SIZE = 32
NONCE_SIZE = 12


def key_id(public_key_raw: bytes) -> KeyID:
    """Lowercase hex of SHA-256(raw public key)[:8]: 16 characters."""
    if len(public_key_raw) != PUBLIC_KEY_SIZE:
        raise LedgerError(f"an Ed25519 public key is {PUBLIC_KEY_SIZE} bytes, got {len(public_key_raw)}")
    return KeyID(hashlib.sha256(public_key_raw).hexdigest()[:16])


def generate_key() -> Ed25519PrivateKey:
    """A fresh Ed25519 private key from the operating system's CSPRNG."""
    return Ed25519PrivateKey.generate()


def public_key_raw(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    """The raw 32-byte public key of ``key``."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


def load_public_key(raw: bytes) -> Ed25519PublicKey:
    """An Ed25519 public key from its raw 32 bytes; raise LedgerError if malformed."""
    if len(raw) != PUBLIC_KEY_SIZE:
        raise LedgerError(f"an Ed25519 public key is {PUBLIC_KEY_SIZE} bytes, got {len(raw)}")
    try:
        return Ed25519PublicKey.from_public_bytes(raw)
    except ValueError as exc:
        raise LedgerError(f"malformed Ed25519 public key: {exc}") from exc


def private_key_seed(key: Ed25519PrivateKey) -> bytes:
    """The raw 32-byte seed of ``key``."""
    return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def encrypt_private_key(master_key: bytes, key: Ed25519PrivateKey, aad: bytes) -> bytes:
    """``nonce || AES-256-GCM ciphertext+tag`` of the key's seed under ``master_key`` (32 bytes)."""
    aead = _aead(master_key)
    nonce = os.urandom(NONCE_SIZE)
    return nonce + aead.encrypt(nonce, private_key_seed(key), aad)


def decrypt_private_key(master_key: bytes, blob: bytes, aad: bytes) -> Ed25519PrivateKey:
    """Inverse of ``encrypt_private_key``; raise VerificationError on a wrong key, wrong aad or tampering."""
    aead = _aead(master_key)
    if len(blob) <= NONCE_SIZE:
        raise VerificationError("encrypted private key is truncated")
    try:
        seed = aead.decrypt(blob[:NONCE_SIZE], blob[NONCE_SIZE:], aad)
    except InvalidTag as exc:
        raise VerificationError("cannot decrypt private key: wrong master key or altered ciphertext") from exc
    return Ed25519PrivateKey.from_private_bytes(seed)


def _aead(master_key: bytes) -> AESGCM:
    if len(master_key) != 32:
        raise LedgerError(f"the master key must be 32 bytes (AES-256), got {len(master_key)}")
    return AESGCM(master_key)
