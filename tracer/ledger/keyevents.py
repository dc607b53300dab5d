"""Key registration and revocation as log entries, and which key may sign the entry at which index.

A key becomes valid with a ``key.register`` entry and stops with a ``key.revoke`` entry; both are DSSE
envelopes signed by an authority key, so a verifier replaying the log learns every key's validity from the
log alone. Payloads (RFC 8785 canonical JSON)::

    {"type": "key.register", "keyid": ..., "owner": ..., "public_key": base64, "role": "signer"|"authority"}
    {"type": "key.revoke", "keyid": ...}

A key registered at index r and revoked at index v may sign entries r <= i < v. Index 0 of every log is the
self-signed registration of the first authority key. The same rules admit an append (``store``) and judge a
replay (``audit``), so they cannot drift apart.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from tracer.ledger.canonical import canonical_json
from tracer.ledger.dsse import PAYLOAD_TYPE, Envelope, pae
from tracer.ledger.encoding import b64decode, b64encode
from tracer.ledger.errors import InvalidRequestError, KeyRefusedError, LedgerError
from tracer.ledger.keys import key_id

KEY_REGISTER = "key.register"
KEY_REVOKE = "key.revoke"
REGISTRABLE_ROLES = frozenset({"signer", "authority"})


@dataclass(frozen=True, slots=True)
class KeyRecord:
    """What the log says about one key."""

    keyid: str
    owner: str
    role: str
    public_key: bytes
    registered_index: int | None = None
    revoked_index: int | None = None

    def valid_at(self, index: int) -> bool:
        """Whether this key may sign the entry at ``index``."""
        if self.registered_index is None or index < self.registered_index:
            return False
        return self.revoked_index is None or index < self.revoked_index


@dataclass(frozen=True, slots=True)
class KeyEvent:
    """A parsed ``key.register`` (with owner, role, public key) or ``key.revoke`` payload."""

    kind: str
    keyid: str
    owner: str = ""
    role: str = ""
    public_key: bytes = b""


@dataclass(frozen=True, slots=True)
class Admission:
    """What it takes to admit one envelope at one index: the signatures to try and the key change."""

    message: bytes
    candidates: tuple[tuple[str, bytes, bytes], ...]  # (keyid, raw public key, signature)
    key_change: KeyRecord | None


def register_payload(keyid: str, owner: str, public_key: bytes, role: str = "signer") -> bytes:
    """The canonical ``key.register`` payload."""
    body = {
        "type": KEY_REGISTER,
        "keyid": keyid,
        "owner": owner,
        "public_key": b64encode(public_key),
        "role": role,
    }
    return canonical_json(body)


def revoke_payload(keyid: str) -> bytes:
    """The canonical ``key.revoke`` payload."""
    return canonical_json({"type": KEY_REVOKE, "keyid": keyid})


def parse_key_event(payload: bytes) -> KeyEvent | None:
    """The key event in ``payload``, or None for any other event; raise InvalidRequestError if malformed."""
    try:
        body = json.loads(payload)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidRequestError(f"payload is not JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise InvalidRequestError("payload must be a JSON object")
    kind = body.get("type")
    if kind not in (KEY_REGISTER, KEY_REVOKE):
        return None
    keyid = body.get("keyid")
    if not isinstance(keyid, str):
        raise InvalidRequestError(f"{kind}: keyid must be a string")
    if kind == KEY_REVOKE:
        if set(body) != {"type", "keyid"}:
            raise InvalidRequestError("key.revoke takes exactly type and keyid")
        return KeyEvent(kind=kind, keyid=keyid)
    owner, role, encoded = body.get("owner"), body.get("role"), body.get("public_key")
    if (
        set(body) != {"type", "keyid", "owner", "role", "public_key"}
        or not isinstance(owner, str)
        or not owner
    ):
        raise InvalidRequestError("key.register takes type, keyid, owner, public_key and role")
    if role not in REGISTRABLE_ROLES:
        raise InvalidRequestError(f"key.register: role must be one of {sorted(REGISTRABLE_ROLES)}")
    if not isinstance(encoded, str):
        raise InvalidRequestError("key.register: public_key must be a base64 string")
    try:
        public_key = b64decode(encoded, what="public_key")
        derived = key_id(public_key)
    except LedgerError as exc:
        raise InvalidRequestError(f"key.register: {exc}") from exc
    if derived != keyid:
        raise InvalidRequestError(f"key.register: keyid {keyid} is not the id of that public key ({derived})")
    return KeyEvent(kind=kind, keyid=keyid, owner=owner, role=str(role), public_key=public_key)


def admit(index: int, env: Envelope, event: KeyEvent | None, keys: Mapping[str, KeyRecord]) -> Admission:
    """Decide which signatures may admit ``env`` at ``index`` and the key change it makes.

    Raises KeyRefusedError when no signature is by a key valid at ``index`` (or, for a key event, by an
    authority key) and InvalidRequestError for a key event that cannot apply. Signatures are not checked
    here: the caller verifies ``candidates`` over ``message``, in bulk.
    """
    if env.payload_type != PAYLOAD_TYPE:
        raise InvalidRequestError(f"payloadType must be {PAYLOAD_TYPE}, got {env.payload_type!r}")
    # Nothing is registered before index 0, so the first authority key vouches for itself.
    bootstrap = index == 0 and event is not None and event.kind == KEY_REGISTER and event.role == "authority"
    candidates = []
    for signature in env.signatures:
        if bootstrap and event is not None and signature.keyid == event.keyid:
            candidates.append((signature.keyid, event.public_key, signature.sig))
            continue
        record = keys.get(signature.keyid)
        if record is None or not record.valid_at(index):
            continue
        if event is not None and record.role != "authority":
            continue
        candidates.append((signature.keyid, record.public_key, signature.sig))
    if not candidates:
        raise KeyRefusedError(_refusal(index, env, event, keys))
    change = _apply(index, event, keys) if event is not None else None
    return Admission(
        message=pae(env.payload_type, env.payload), candidates=tuple(candidates), key_change=change
    )


def _refusal(index: int, env: Envelope, event: KeyEvent | None, keys: Mapping[str, KeyRecord]) -> str:
    for signature in env.signatures:
        record = keys.get(signature.keyid)
        if record is None:
            continue
        if record.registered_index is None or index < record.registered_index:
            return f"key {record.keyid} is not registered"
        if record.revoked_index is not None and index >= record.revoked_index:
            return f"key {record.keyid} was revoked at index {record.revoked_index}"
        if event is not None:
            return f"{event.kind} must be signed by an authority key, not {record.keyid} ({record.role})"
    return f"unknown key {', '.join(s.keyid for s in env.signatures)}"


def _apply(index: int, event: KeyEvent, keys: Mapping[str, KeyRecord]) -> KeyRecord:
    existing = keys.get(event.keyid)
    if event.kind == KEY_REVOKE:
        if existing is None or existing.registered_index is None:
            raise InvalidRequestError(f"key.revoke: key {event.keyid} is not registered")
        if existing.revoked_index is not None:
            raise InvalidRequestError(f"key.revoke: key {event.keyid} is already revoked")
        return KeyRecord(
            existing.keyid,
            existing.owner,
            existing.role,
            existing.public_key,
            existing.registered_index,
            index,
        )
    if existing is not None:
        if existing.registered_index is not None:
            raise InvalidRequestError(f"key.register: key {event.keyid} is already registered")
        if (existing.owner, existing.role, existing.public_key) != (
            event.owner,
            event.role,
            event.public_key,
        ):
            raise InvalidRequestError(f"key.register: owner or role differ from key {event.keyid} on record")
    return KeyRecord(event.keyid, event.owner, event.role, event.public_key, index, None)
