"""Small helpers for ledger tests: canonical event payloads, a registered custodial signer."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection

from tracer.ledger.canonical import canonical_json
from tracer.ledger.dsse import Envelope, sign_envelope
from tracer.ledger.store import LedgerStore


def event(number: int, **extra: Any) -> bytes:
    """A canonical event body with Vietnamese text, as the domain would write it."""
    return canonical_json(
        {
            "type": "harvest.recorded",
            "lot": f"GAC-{number:05d}",
            "zone": "ấp số 2, xã Mỹ Cẩm, huyện Càng Long, Trà Vinh",
            "quantity": "12.5",
            **extra,
        }
    )


@contextmanager
def tx(conn: Connection) -> Iterator[None]:
    """One transaction on ``conn``, ending the read transaction that reads outside ``tx`` autobegin."""
    if conn.in_transaction():
        conn.rollback()
    with conn.begin():
        yield


def registered_signer(store: LedgerStore, conn: Connection, owner: str = "org:3") -> str:
    """A custodial key for ``owner``, registered in the log, in its own transaction."""
    with tx(conn):
        keyid = store.create_key(conn, owner)
        store.append(conn, [store.key_register_envelope(conn, keyid)])
    return keyid


def signed(store: LedgerStore, conn: Connection, keyid: str, number: int, **extra: Any) -> Envelope:
    return sign_envelope(event(number, **extra), store.private_key(conn, keyid), keyid)
