"""``LedgerStore``: the transparency log kept in SQL (SQLite or PostgreSQL) through a caller's Connection.

Every method takes the caller's ``Connection`` first and never commits: an append is atomic together with
whatever else the caller writes in the same transaction (the event's projections), and is rolled back with
it. ``append`` takes the single-writer lock (``connection.lock_state``), admits each envelope only if it is
signed by a key valid at its index (``keyevents``), writes entries, Go ``sumdb/tlog`` stored hashes, key
changes, the new state, and ONE newly signed checkpoint per call: checkpoint-per-transaction keeps proofs
and bundles available the moment the transaction commits, and costs one Ed25519 signature per batch.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, select

from tracer.ledger import audit, connection, hashstore, keystore, tilestore, vmap_store
from tracer.ledger.batch import Receipt, SignCheckpoint, append_batch
from tracer.ledger.bundle import format_bundle
from tracer.ledger.checkpoint import Checkpoint, sign_checkpoint
from tracer.ledger.dsse import Envelope, pae, sign_envelope
from tracer.ledger.errors import InvalidRequestError, LedgerError, NotFoundError
from tracer.ledger.keyevents import register_payload, revoke_payload
from tracer.ledger.keys import KeyID
from tracer.ledger.keystore import KeyInfo
from tracer.ledger.merkle import RootHash
from tracer.ledger.note import format_verifier_key, is_valid_name
from tracer.ledger.schema import ledger_checkpoints, ledger_entries
from tracer.ledger.tiles import Tile
from tracer.ledger.vmap import MapRoot, map_extension
from tracer.ledger.vmap_feed import Subjects, no_subjects, subject_lists

LOG_OWNER = "log"
SIGNED_MEMORY = 4096  # signatures ``sign`` vouches for until they are appended
TILE_MEMORY = 2048  # full hash tiles kept in memory (8 KiB each): they never change
AUTHORITY_OWNER = "authority"


class LedgerStore:
    """The log named ``origin`` (checkpoint origin and log key name), keys encrypted under ``master_key``;
    ``subjects`` is the service's rule of which verifiable-map keys an entry bears on (``vmap_feed``)."""

    def __init__(self, origin: str, master_key: bytes, subjects: Subjects = no_subjects) -> None:
        if not is_valid_name(origin):
            raise LedgerError(f"invalid log origin {origin!r}: no spaces or '+'")
        if len(master_key) != 32:
            raise LedgerError("the master key must be 32 bytes")
        self.origin = origin
        self.subjects = subjects
        self._master_key = master_key
        self._private_keys: dict[str, Ed25519PrivateKey] = {}
        self._log_keys: dict[str, KeyInfo] = {}  # by database URL: the log key never changes
        self._signed: OrderedDict[bytes, tuple[str, bytes]] = OrderedDict()  # see sign
        self._signed_lock = threading.Lock()
        self._tiles: OrderedDict[tuple[str, Tile], bytes] = OrderedDict()  # see tile
        self._tiles_lock = threading.Lock()

    # -- set-up and keys -------------------------------------------------------------------------------

    def bootstrap(self, conn: Connection) -> None:
        """Create the log key and the authority key and append index 0, the authority's self-signed
        registration. Idempotent: does nothing once the log has entries."""
        connection.ensure_state(conn)
        state = connection.lock_state(conn)
        if state is not None and state[0] > 0:
            return
        if not keystore.by_role(conn, "log"):
            keystore.create_key(conn, self._master_key, LOG_OWNER, role="log")
        authorities = keystore.by_role(conn, "authority")
        keyid = (
            authorities[0].keyid
            if authorities
            else keystore.create_key(conn, self._master_key, AUTHORITY_OWNER, role="authority")
        )
        self.append(conn, [self._register_envelope(conn, keyid, signer=keyid)])

    def create_key(self, conn: Connection, owner: str, role: str = "signer") -> KeyID:
        """A new custodial key for ``owner``, stored encrypted and not yet registered."""
        return keystore.create_key(conn, self._master_key, owner, role)

    def register_public_key(self, conn: Connection, owner: str, public_key_raw: bytes) -> KeyID:
        """Record an organisation's own public key (non-custodial), not yet registered."""
        return keystore.register_public_key(conn, owner, public_key_raw)

    def key_register_envelope(self, conn: Connection, keyid: str) -> Envelope:
        """A ``key.register`` envelope for ``keyid``, signed by the authority key; append it to register."""
        return self._register_envelope(conn, keyid, signer=self._authority(conn))

    def _register_envelope(self, conn: Connection, keyid: str, signer: str) -> Envelope:
        info = keystore.get(conn, keyid)
        if info.role == "log":
            raise InvalidRequestError("the log key signs checkpoints; it is not registered in the log")
        payload = register_payload(info.keyid, info.owner, info.public_key, info.role)
        return sign_envelope(payload, self.private_key(conn, signer), signer)

    def key_revoke_envelope(self, conn: Connection, keyid: str) -> Envelope:
        """A ``key.revoke`` envelope for ``keyid``, signed by the authority key; append it to revoke."""
        keystore.get(conn, keyid)
        authority = self._authority(conn)
        return sign_envelope(revoke_payload(keyid), self.private_key(conn, authority), authority)

    def _authority(self, conn: Connection) -> str:
        for info in reversed(keystore.by_role(conn, "authority")):
            if info.custodial and info.registered_index is not None and info.revoked_index is None:
                return info.keyid
        raise LedgerError("no registered custodial authority key: bootstrap the ledger first")

    def signing_key(self, conn: Connection, owner: str) -> str | None:
        """The key id that signs for ``owner`` now: its newest registered, unrevoked custodial key. Read it
        under the write lock, and it stays valid until the transaction ends: revoking is an append."""
        return keystore.current_custodial(conn, owner)

    def private_key(self, conn: Connection, keyid: str) -> Ed25519PrivateKey:
        """The decrypted private key of custodial key ``keyid``, checked against its public key on record."""
        key = self._private_keys.get(keyid)
        if key is None:
            key = keystore.decrypt(conn, self._master_key, keyid)
            if key.public_key().public_bytes_raw() != keystore.get(conn, keyid).public_key:
                raise LedgerError(f"the private key stored for {keyid} does not match its public key")
            self._private_keys[keyid] = key
        return key

    def sign(self, conn: Connection, keyid: str, payload: bytes) -> Envelope:
        """An envelope of ``payload`` signed with custodial key ``keyid``. ``append`` admits it without
        checking its signature again: the signature was just made with the private key that matches the
        key's public key (``private_key``), over this payload. Admission (the key valid at the index) is
        never skipped. The store remembers the last ``SIGNED_MEMORY`` signatures it made."""
        envelope = sign_envelope(payload, self.private_key(conn, keyid), keyid)
        [signature] = envelope.signatures
        with self._signed_lock:
            self._signed[signature.sig] = (keyid, _message_digest(envelope))
            while len(self._signed) > SIGNED_MEMORY:
                self._signed.popitem(last=False)
        return envelope

    def _signed_here(self, envelope: Envelope) -> str | None:
        """The key id that ``sign`` signed ``envelope`` with (each signature is vouched for once), or None."""
        if len(envelope.signatures) != 1:
            return None
        [signature] = envelope.signatures
        with self._signed_lock:
            made = self._signed.pop(signature.sig, None)
        return signature.keyid if made == (signature.keyid, _message_digest(envelope)) else None

    def keys(self, conn: Connection) -> list[KeyInfo]:
        """Every key on record."""
        return keystore.all_keys(conn)

    def _log_key(self, conn: Connection) -> KeyInfo:
        database = conn.engine.url.render_as_string()
        info = self._log_keys.get(database)
        if info is None:
            logs = keystore.by_role(conn, "log")
            if not logs:
                raise LedgerError("the ledger has no log key: bootstrap it first")
            info = self._log_keys[database] = logs[0]
        return info

    def _log_private_key(self, conn: Connection) -> Ed25519PrivateKey:
        return self.private_key(conn, self._log_key(conn).keyid)

    def verifier_key(self, conn: Connection) -> str:
        """The C2SP verifier key of the log (what offline verifiers are given)."""
        return format_verifier_key(self.origin, self._log_key(conn).public_key)

    # -- appending -------------------------------------------------------------------------------------

    def append(self, conn: Connection, envelopes: Sequence[Envelope]) -> list[Receipt]:
        """Append ``envelopes`` in order; refuse them all (KeyRefusedError, InvalidRequestError) if any is
        not signed by a key valid at its index. Writes one signed checkpoint for the new size. Callers in
        the service append through an ``appender.Appender``, which batches a transaction's envelopes into
        one call."""
        if not envelopes:
            return []
        state = connection.lock_state(conn)
        if state is None:
            raise LedgerError("the ledger is not bootstrapped")
        vouched = [self._signed_here(envelope) for envelope in envelopes]
        self._ensure_map(conn, state[0])
        return append_batch(conn, state[0], envelopes, self._signer(conn), vouched, self.subjects)

    def _signer(self, conn: Connection) -> SignCheckpoint:
        def sign(size: int, root: RootHash, map_root: MapRoot) -> str:
            cp = Checkpoint(self.origin, size, root, (map_extension(map_root),))
            return sign_checkpoint(cp, self._log_private_key(conn))

        return sign

    def _ensure_map(self, conn: Connection, size: int) -> None:
        """Bring a log kept before the verifiable map into it, in one pass, before its next append (under the
        lock): every log that has entries has a map key, ``key:`` of the authority at index 0, so an empty
        map beside entries is one that was never loaded. The checkpoint of this append is the first to commit
        to a map; ``ledger verify`` accepts earlier ones without."""
        if size == 0 or vmap_store.has_keys(conn):
            return
        e = ledger_entries.c
        rows = conn.execute(select(e.idx, e.envelope, e.leaf_hash).where(e.idx < size).order_by(e.idx))
        lists = subject_lists(((int(i), bytes(env), bytes(leaf)) for i, env, leaf in rows), self.subjects)
        vmap_store.load_map(conn, lists)

    # -- reading ---------------------------------------------------------------------------------------

    def size(self, conn: Connection) -> int:
        """The number of entries in the log."""
        state = connection.read_state(conn)
        return 0 if state is None else state[0]

    def entry(self, conn: Connection, index: int) -> bytes:
        """The envelope bytes at ``index`` exactly as hashed."""
        row = conn.execute(select(ledger_entries.c.envelope).where(ledger_entries.c.idx == index)).first()
        if row is None:
            raise NotFoundError(f"no entry at index {index}")
        return bytes(row.envelope)

    def _checkpoint_row(self, conn: Connection, size: int | None) -> tuple[int, str]:
        query = select(ledger_checkpoints.c.size, ledger_checkpoints.c.note)
        if size is None:
            query = query.order_by(ledger_checkpoints.c.size.desc()).limit(1)
        else:
            query = query.where(ledger_checkpoints.c.size == size)
        row = conn.execute(query).first()
        if row is None:
            raise NotFoundError("no checkpoint yet" if size is None else f"no checkpoint of size {size}")
        return int(row.size), str(row.note)

    def checkpoint(self, conn: Connection, size: int | None = None) -> str:
        """The signed checkpoint note of ``size`` (the latest if None)."""
        return self._checkpoint_row(conn, size)[1]

    def inclusion_proof(self, conn: Connection, index: int, size: int) -> list[bytes]:
        """RFC 9162 inclusion proof of ``index`` in the tree of ``size``: one indexed query."""
        return hashstore.inclusion_proof(conn, index, size)

    def consistency_proof(self, conn: Connection, m: int, n: int) -> list[bytes]:
        """RFC 9162 consistency proof from size ``m`` to size ``n``: one indexed query."""
        return hashstore.consistency_proof(conn, m, n)

    def tile(self, conn: Connection, tile: Tile) -> bytes:
        """A C2SP tlog-tiles tile or entry bundle of the committed log (NotFoundError beyond it). Full hash
        tiles never change once the log holds them: the last ``TILE_MEMORY`` read are kept in memory."""
        if not tile.full or tile.is_entries:
            return tilestore.read_tile(conn, tile)
        key = (conn.engine.url.render_as_string(), tile)
        with self._tiles_lock:
            found = self._tiles.get(key)
            if found is not None:
                self._tiles.move_to_end(key)
        if found is not None and tile.needs() <= self.size(conn):  # (a log restored to a smaller size)
            return found
        data = tilestore.read_tile(conn, tile)
        with self._tiles_lock:
            self._tiles[key] = data
            while len(self._tiles) > TILE_MEMORY:
                self._tiles.popitem(last=False)
        return data

    def bundle(self, conn: Connection, index: int, size: int | None = None) -> str:
        """A C2SP tlog-proof@v1 for ``index`` against the checkpoint of ``size`` (the latest if None)."""
        cp_size, note = self._checkpoint_row(conn, size)
        return format_bundle(index, self.inclusion_proof(conn, index, cp_size), note)

    # -- auditing --------------------------------------------------------------------------------------

    def verify_store(self, conn: Connection) -> audit.AuditReport:
        """Re-derive and check everything (see ``audit.verify_log``); VerificationError names the index."""
        return audit.verify_log(conn, self.verifier_key(conn), self.subjects)

    def check_head(self, conn: Connection) -> None:
        """Check that the state row matches the latest signed checkpoint (cheap; run at start-up)."""
        audit.check_head(conn, self.verifier_key(conn))


def _message_digest(envelope: Envelope) -> bytes:
    return hashlib.sha256(pae(envelope.payload_type, envelope.payload)).digest()
