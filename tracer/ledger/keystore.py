"""The ``ledger_keys`` table: the log key, authority keys and organisations' Ed25519 signing keys.

Custodial keys are generated here and stored encrypted under the master key (``keys.encrypt_private_key``,
associated data ``ledger_keys:<keyid>``); an organisation may instead submit its own public key and sign
its envelopes itself. Either way a key signs nothing until a ``key.register`` entry is in the log; the
``registered_index`` / ``revoked_index`` columns mirror those entries (``audit`` checks they agree).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, bindparam, insert, select, update

from tracer.ledger.errors import InvalidRequestError, LedgerError, NotFoundError
from tracer.ledger.keyevents import KeyRecord
from tracer.ledger.keys import (
    KeyID,
    decrypt_private_key,
    encrypt_private_key,
    generate_key,
    key_id,
    load_public_key,
    public_key_raw,
)
from tracer.ledger.schema import ledger_keys

ROLES = frozenset({"log", "authority", "signer"})


@dataclass(frozen=True, slots=True)
class KeyInfo:
    """Public facts about one key (never its private part)."""

    keyid: str
    owner: str
    role: str
    public_key: bytes
    custodial: bool
    registered_index: int | None
    revoked_index: int | None
    created_at: datetime


def _aad(keyid: str) -> bytes:
    return f"ledger_keys:{keyid}".encode()


def _info(row: Any) -> KeyInfo:
    m = row._mapping
    return KeyInfo(
        keyid=m["keyid"],
        owner=m["owner"],
        role=m["role"],
        public_key=bytes(m["public_key"]),
        custodial=m["private_key_enc"] is not None,
        registered_index=m["registered_index"],
        revoked_index=m["revoked_index"],
        created_at=m["created_at"],
    )


def create_key(conn: Connection, master_key: bytes, owner: str, role: str = "signer") -> KeyID:
    """Generate a custodial key for ``owner``, store it encrypted, unregistered; return its key id."""
    if role not in ROLES or not owner:
        raise InvalidRequestError(f"a key needs an owner and a role in {sorted(ROLES)}")
    private_key = generate_key()
    keyid = key_id(public_key_raw(private_key))
    blob = encrypt_private_key(master_key, private_key, _aad(keyid))
    _insert(conn, keyid, owner, role, public_key_raw(private_key), blob)
    return keyid


def register_public_key(conn: Connection, owner: str, public_key: bytes, role: str = "signer") -> KeyID:
    """Record a non-custodial public key for ``owner`` (idempotent for the same owner); return its key id."""
    load_public_key(public_key)
    keyid = key_id(public_key)
    existing = find(conn, keyid)
    if existing is not None:
        if existing.owner != owner or existing.role != role:
            raise InvalidRequestError(f"key {keyid} is already on record for another owner or role")
        return keyid
    _insert(conn, keyid, owner, role, public_key, None)
    return keyid


def _insert(
    conn: Connection, keyid: str, owner: str, role: str, public_key: bytes, blob: bytes | None
) -> None:
    conn.execute(
        insert(ledger_keys).values(
            keyid=keyid,
            owner=owner,
            role=role,
            public_key=public_key,
            private_key_enc=blob,
            registered_index=None,
            revoked_index=None,
            created_at=datetime.now(UTC),
        )
    )


def find(conn: Connection, keyid: str) -> KeyInfo | None:
    """The key ``keyid``, or None."""
    row = conn.execute(select(ledger_keys).where(ledger_keys.c.keyid == keyid)).first()
    return None if row is None else _info(row)


def get(conn: Connection, keyid: str) -> KeyInfo:
    """The key ``keyid``; NotFoundError if there is none."""
    info = find(conn, keyid)
    if info is None:
        raise NotFoundError(f"no key {keyid}")
    return info


def all_keys(conn: Connection) -> list[KeyInfo]:
    """Every key, oldest registration first, unregistered keys last."""
    rows = conn.execute(select(ledger_keys).order_by(ledger_keys.c.created_at, ledger_keys.c.keyid))
    return sorted(
        (_info(r) for r in rows), key=lambda k: (k.registered_index is None, k.registered_index or 0)
    )


def by_role(conn: Connection, role: str) -> list[KeyInfo]:
    """Keys of ``role``: registered ones by registration index, then unregistered ones."""
    return [k for k in all_keys(conn) if k.role == role]


def decrypt(conn: Connection, master_key: bytes, keyid: str) -> Ed25519PrivateKey:
    """The private key of custodial key ``keyid``."""
    row = conn.execute(select(ledger_keys.c.private_key_enc).where(ledger_keys.c.keyid == keyid)).first()
    if row is None:
        raise NotFoundError(f"no key {keyid}")
    if row.private_key_enc is None:
        raise LedgerError(f"key {keyid} is not custodial: its owner holds the private key")
    return decrypt_private_key(master_key, bytes(row.private_key_enc), _aad(keyid))


_CURRENT = (
    select(ledger_keys.c.keyid)
    .where(
        ledger_keys.c.owner == bindparam("owner"),
        ledger_keys.c.registered_index.is_not(None),
        ledger_keys.c.revoked_index.is_(None),
        ledger_keys.c.private_key_enc.is_not(None),
    )
    .order_by(ledger_keys.c.registered_index.desc())
    .limit(1)
)


def current_custodial(conn: Connection, owner: str) -> str | None:
    """The key id that signs for ``owner`` now: its newest registered, unrevoked custodial key."""
    return conn.execute(_CURRENT, {"owner": owner}).scalar()


_RECORDS = select(ledger_keys).where(ledger_keys.c.keyid.in_(bindparam("keyids", expanding=True)))


def records(conn: Connection, keyids: Iterable[str]) -> dict[str, KeyRecord]:
    """The log-relevant facts about ``keyids`` that are on record."""
    wanted = sorted(set(keyids))
    if not wanted:
        return {}
    rows = conn.execute(_RECORDS, {"keyids": wanted})
    return {
        r.keyid: KeyRecord(r.keyid, r.owner, r.role, bytes(r.public_key), r.registered_index, r.revoked_index)
        for r in rows
    }


def apply_changes(conn: Connection, changes: Iterable[KeyRecord]) -> None:
    """Write key registrations and revocations decided by an append."""
    for change in changes:
        result = conn.execute(
            update(ledger_keys)
            .where(ledger_keys.c.keyid == change.keyid)
            .values(registered_index=change.registered_index, revoked_index=change.revoked_index)
        )
        if result.rowcount == 0:
            conn.execute(
                insert(ledger_keys).values(
                    keyid=change.keyid,
                    owner=change.owner,
                    role=change.role,
                    public_key=change.public_key,
                    private_key_enc=None,
                    registered_index=change.registered_index,
                    revoked_index=change.revoked_index,
                    created_at=datetime.now(UTC),
                )
            )


def disagreements(conn: Connection, keys: Mapping[str, KeyRecord]) -> list[tuple[int, str]]:
    """Where the ``ledger_keys`` rows disagree with ``keys`` replayed from the log: (index, message)."""
    problems: list[tuple[int, str]] = []
    seen = set()
    for row in conn.execute(select(ledger_keys)):
        seen.add(row.keyid)
        record = keys.get(row.keyid)
        if record is None:
            marked = [i for i in (row.registered_index, row.revoked_index) if i is not None]
            if marked:
                problems.append(
                    (
                        min(marked),
                        f"key {row.keyid} is marked registered/revoked at index "
                        f"{min(marked)} but the log has no such event",
                    )
                )
            continue
        on_record = (row.owner, row.role, bytes(row.public_key), row.registered_index, row.revoked_index)
        in_log = (record.owner, record.role, record.public_key, record.registered_index, record.revoked_index)
        if on_record != in_log:
            index = min(
                i for i in (record.registered_index, record.revoked_index, row.revoked_index) if i is not None
            )
            problems.append((index, f"key {row.keyid}: ledger_keys row disagrees with the log's key events"))
    for keyid, record in keys.items():
        if keyid not in seen:
            problems.append((record.registered_index or 0, f"key {keyid} registered in the log is missing"))
    return problems
