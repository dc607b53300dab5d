"""One entry checked end to end by the server that keeps the keys, trusting nothing the database says alone.

A page that shows a signed fact (an inspector's decision) from a projection row would believe whoever can
edit that row. ``verify_signed_entry`` believes only what needs the master key (which is not in the
database) or a signature by a key so proved:

1. the entry's envelope (DSSE) is signed by one custodial key, and that key's private half, decrypted with
   the master key (AES-GCM bound to the key id, ``keystore``), gives the public key the signature verifies
   under: a key row edited or inserted without the master key fails here;
2. the key was registered before the entry by a ``key.register`` entry naming it and its owner, signed by an
   authority key proved the same way, and not revoked before the entry;
3. the entry is included (RFC 9162) in the latest checkpoint, signed by the log key, proved the same way.

It returns the payload (to be read by the caller, never a projection) and the key's owner.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Connection

from tracer.ledger import keystore
from tracer.ledger.bundle import verify_bundle
from tracer.ledger.dsse import Envelope, verify_envelope
from tracer.ledger.errors import LedgerError, VerificationError
from tracer.ledger.keyevents import KEY_REGISTER
from tracer.ledger.note import format_verifier_key
from tracer.ledger.store import LedgerStore


@dataclass(frozen=True)
class SignedEntry:
    index: int
    payload: bytes
    keyid: str
    owner: str


def _proved_key(
    conn: Connection, store: LedgerStore, keyid: str
) -> tuple[keystore.KeyInfo, Ed25519PublicKey]:
    """The key on record and its public key as derived from the private key the master key decrypts."""
    info = keystore.find(conn, keyid)
    if info is None:
        raise VerificationError(f"no key {keyid}")
    try:
        public = store.private_key(conn, keyid).public_key()
    except LedgerError as exc:
        raise VerificationError(f"key {keyid} is not one this service made: {exc}") from None
    if public.public_bytes_raw() != info.public_key:
        raise VerificationError(f"key {keyid}: the public key on record is not the key's")
    return info, public


def _registration(conn: Connection, store: LedgerStore, info: keystore.KeyInfo, index: int) -> None:
    registered = info.registered_index
    if registered is None or registered >= index:
        raise VerificationError(f"key {info.keyid} was not registered before entry {index}")
    if info.revoked_index is not None and info.revoked_index <= index:
        raise VerificationError(f"key {info.keyid} was revoked at entry {info.revoked_index}")
    envelope = Envelope.from_json(store.entry(conn, registered))
    [signature] = envelope.signatures
    authority, public = _proved_key(conn, store, signature.keyid)
    if authority.role != "authority":
        raise VerificationError(f"entry {registered} is not signed by an authority key")
    verify_envelope(envelope, {signature.keyid: public})
    body = json.loads(envelope.payload)
    if body.get("type") != KEY_REGISTER or body.get("keyid") != info.keyid or body.get("owner") != info.owner:
        raise VerificationError(f"entry {registered} does not register key {info.keyid} for {info.owner}")


def verify_signed_entry(conn: Connection, store: LedgerStore, index: int) -> SignedEntry:
    """The entry at ``index``, checked as the module says; VerificationError naming what failed."""
    try:
        raw = store.entry(conn, index)
        envelope = Envelope.from_json(raw)
        if len(envelope.signatures) != 1:
            raise VerificationError(f"entry {index} has {len(envelope.signatures)} signatures, not one")
        keyid = envelope.signatures[0].keyid
        info, public = _proved_key(conn, store, keyid)
        verify_envelope(envelope, {keyid: public})
        _registration(conn, store, info, index)
        [log] = keystore.by_role(conn, "log")
        _, log_public = _proved_key(conn, store, log.keyid)
        verify_bundle(
            store.bundle(conn, index), raw, format_verifier_key(store.origin, log_public.public_bytes_raw())
        )
    except VerificationError:
        raise
    except (LedgerError, ValueError) as exc:
        raise VerificationError(f"entry {index}: {exc}") from None
    return SignedEntry(index, envelope.payload, keyid, info.owner)
