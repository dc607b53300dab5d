"""``Appender``: how entries enter the log within one writer transaction; batching is the log's business.

The caller adds an envelope and gets its receipt (index, RFC 9162 leaf hash) at once, the way Tessera's
``Add`` hands back an index future; ``seal`` then appends everything added since the last seal in one call of
``LedgerStore.append`` (one admission pass, one write of the stored hashes, ONE signed checkpoint) and checks
that the log placed each envelope where its receipt said. A single event is ``add`` then ``seal``; a batch
(group commit, a CSV file) adds many and seals once. ``mark``/``undo`` work like a savepoint: a job rolled
back to its savepoint forgets the envelopes it added, and the receipts after it close up, because nothing is
appended before ``seal``.

Making an ``Appender`` takes the single-writer lock (``connection.lock_state``) on the caller's connection,
and the lock is held until that transaction ends, so the receipts cannot be overtaken by another writer. The
caller must seal before it commits: a transaction that commits a size without its checkpoint fails
``check_head``, and one that commits without sealing simply loses the envelopes it added.
"""

from __future__ import annotations

from sqlalchemy import Connection

from tracer.ledger import connection
from tracer.ledger.batch import Receipt
from tracer.ledger.dsse import Envelope
from tracer.ledger.errors import LedgerError
from tracer.ledger.merkle import leaf_hash
from tracer.ledger.store import LedgerStore


class Appender:
    """Appends to ``store``'s log through ``conn``, whose transaction it locks (see the module text)."""

    def __init__(self, store: LedgerStore, conn: Connection) -> None:
        state = connection.lock_state(conn)
        if state is None:
            raise LedgerError("the ledger is not bootstrapped")
        self.store = store
        self.conn = conn
        self._appended = state[0]  # the log's size as of the last seal
        self._queued: list[tuple[Envelope, Receipt]] = []
        self._signers: dict[str, str | None] = {}

    @property
    def size(self) -> int:
        """The log's size once sealed: where the next envelope added will land."""
        return self._appended + len(self._queued)

    def add(self, envelope: Envelope) -> Receipt:
        """Queue ``envelope`` for ``seal``; its receipt, which ``seal`` guarantees."""
        receipt = Receipt(self.size, leaf_hash(envelope.to_json()))
        self._queued.append((envelope, receipt))
        return receipt

    def mark(self) -> int:
        """A point to ``undo`` back to (the size at this moment)."""
        return self.size

    def undo(self, mark: int) -> None:
        """Forget the envelopes added since ``mark``: the events of a job rolled back to its savepoint."""
        if mark < self._appended:
            raise LedgerError(f"cannot undo to {mark}: the log was sealed at {self._appended}")
        del self._queued[mark - self._appended :]

    def seal(self) -> list[Receipt]:
        """Append what was added since the last seal, with one signed checkpoint; its receipts. Nothing
        added: nothing written. LedgerError if the log placed an envelope other than its receipt said (it
        cannot while the lock is held: a bug if so)."""
        if not self._queued:
            return []
        promised = [receipt for _, receipt in self._queued]
        receipts = self.store.append(self.conn, [envelope for envelope, _ in self._queued])
        if receipts != promised:
            raise LedgerError(
                f"the log placed the sealed entries differently from the receipts given at {self._appended}"
            )
        self._appended += len(receipts)
        self._queued.clear()
        self._signers.clear()  # a sealed key.register or key.revoke may have changed them
        return receipts

    def signing_key(self, owner: str) -> str | None:
        """The key id that signs for ``owner``: its newest registered, unrevoked custodial key, read once
        until the next seal. Read under the lock, it cannot be revoked before the seal by anyone else (a
        revocation is an append); one added here and not yet sealed does not count yet, either way."""
        if owner not in self._signers:
            self._signers[owner] = self.store.signing_key(self.conn, owner)
        return self._signers[owner]

    def sign(self, keyid: str, payload: bytes) -> Envelope:
        """An envelope of ``payload`` signed with custodial key ``keyid`` (``LedgerStore.sign``)."""
        return self.store.sign(self.conn, keyid, payload)
