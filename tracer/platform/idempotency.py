"""Idempotent writes: a client's ``Idempotency-Key`` header makes a retried POST happen exactly once.

Follows the IETF httpapi draft "The Idempotency-Key HTTP Header Field": the first request with a key is
carried out and its response stored; a later request with the same key and the same body gets the stored
response again and changes nothing; the same key with a different body is refused (409). Keys belong to a
user, so two clients cannot collide. Both the look-up and the storing happen in the writer's transaction
after the ledger lock is taken, so concurrent retries, from any number of workers, are serialised by the
database: exactly one of them records the event.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from tracer.models.events import IdempotencyRecord
from tracer.platform.errors import Conflict, TracerError

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200


class BadKey(TracerError):
    status = 400
    title = "Bad idempotency key"
    slug = "bad-idempotency-key"


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: dict[str, Any]


def check_key(key: str | None) -> str | None:
    """The header's key (None when absent); BadKey when empty, too long or not printable ASCII."""
    if key is None:
        return None
    if not key or len(key) > MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        raise BadKey(f"{HEADER} must be 1 to {MAX_KEY_LENGTH} printable ASCII characters", field=HEADER)
    return key


def request_hash(method: str, path: str, data: Any) -> str:
    """A digest of what was asked: the same JSON value (whatever its key order or spacing) hashes the same."""
    text = json.dumps(
        [method, path, data],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=lambda v: str(v) if isinstance(v, Decimal) else repr(v),
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def replay(session: Session, *, user_id: int, key: str, digest: str) -> StoredResponse | None:
    """The stored response for this key, if any; Conflict when the key was used for a different request.

    Call with the ledger lock held (a ``tracer.ledger.appender.Appender`` made) so no concurrent twin can
    slip in.
    """
    stored = session.get(IdempotencyRecord, (user_id, key))
    if stored is None:
        return None
    if stored.request_hash != digest:
        raise Conflict(f"{HEADER} {key!r} was already used for a different request", field=HEADER)
    return StoredResponse(status=stored.status, body=json.loads(stored.response))


def remember(
    session: Session, *, user_id: int, key: str, digest: str, status: int, body: dict[str, Any]
) -> None:
    """Store the response to this key in the caller's transaction (it commits with the event)."""
    session.add(
        IdempotencyRecord(
            user_id=user_id,
            key=key,
            request_hash=digest,
            status=status,
            response=json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        )
    )
    session.flush()
