"""Whether a package's code was issued by us: its serial's membership in a signed serial commitment.

A ``packages`` row is a projection: whoever can write to the database can insert one for a serial that was
never issued, move one to another lot or product, or change its serial. None of that may turn a page green.
A serial counts as issued only when signed data says so, checked here for a row's *claim* (serial, packaging
index, position, lot, product) in this order:

1. the latest checkpoint verifies (c2sp.org/tlog-checkpoint, c2sp.org/signed-note) under the log's key, and
   that key is trusted because its private part decrypts under our master key (``LedgerStore.private_key``):
   a key put into ``ledger_keys`` by someone without the master key is not;
2. the entry at the packaging index is in that tree (RFC 9162 section 2.1.3.2 inclusion proof) and is a DSSE
   envelope of an OCOP ``package`` event;
3. it is signed (DSSE PAE, Ed25519) by the key it names, whose ``key.register`` entry is in the same tree at
   an earlier index and registers that key id and public key for the event's organisation;
4. the serial list kept beside the ledger (``serial_batches``) has the signed ``count`` and ``serials_root``
   (``tracer.codes.serials``: RFC 9162 tree of the canonical serials), and the claimed serial is the one at
   the claimed position of that list;
5. the claimed lot and product are the signed event's.

``IssuedSerials`` keeps what it verified, per worker, derived from signed data only: a verified packaging
event by its ledger index (the log never changes an index's entry), with its verified serial list; and a
verified serial by (packaging index, position, serial leaf hash). A row's lot and product are compared with
the signed ones on every call, and any other change to a row changes the key, so an edit of the table is
never answered from the cache: it is checked afresh, and fails. Failures are not cached (a repaired table
is believed again), and are logged: a package row without a signed serial is a sign of tampering.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from cryptography.exceptions import InvalidSignature
from sqlalchemy import Connection, bindparam, select
from sqlmodel import col

from tracer.codes.serials import serial_proof
from tracer.ledger import hashstore, keystore
from tracer.ledger.checkpoint import Checkpoint, verify_checkpoint
from tracer.ledger.dsse import PAYLOAD_TYPE, Envelope, pae
from tracer.ledger.errors import LedgerError, VerificationError
from tracer.ledger.keyevents import KEY_REGISTER
from tracer.ledger.keys import key_id, load_public_key
from tracer.ledger.merkle import leaf_hash, root_hash, verify_inclusion
from tracer.ledger.note import format_verifier_key
from tracer.ledger.schema import ledger_checkpoints, ledger_entries
from tracer.ledger.store import LedgerStore
from tracer.models.events import SerialBatch
from tracer.platform.services import services

if TYPE_CHECKING:
    from flask import Flask

__all__ = ["Claim", "Issued", "IssuedSerials", "NotIssued", "issued_serials"]

log = logging.getLogger(__name__)

Connect = Callable[[], AbstractContextManager[Connection]]
_SERIAL = re.compile(r"[0-9A-HJKMNP-TV-Z]{12}")  # canonical: its leaf is the one a packaging commits to
_LIST = re.compile(r"[0-9A-HJKMNP-TV-Z]{12}(?:\n[0-9A-HJKMNP-TV-Z]{12})*")  # canonical serials, one a line
_WIDTH = 13  # a serial and its newline in the stored list
_LATEST = select(ledger_checkpoints.c.note).order_by(ledger_checkpoints.c.size.desc()).limit(1)
_ENTRY = select(ledger_entries.c.envelope).where(ledger_entries.c.idx == bindparam("index"))
_BATCH = select(col(SerialBatch.serials)).where(col(SerialBatch.ledger_index) == bindparam("index"))


class NotIssued(VerificationError):
    """A package row that no signed serial commitment backs; the message says which check failed."""


@dataclass(frozen=True, slots=True)
class Claim:
    """What a ``packages`` row says about its serial."""

    serial: str
    packaging_index: int
    position: int
    lot_id: str
    product_id: int


@dataclass(frozen=True, slots=True)
class Issued:
    """A serial as the signed packaging event issued it."""

    serial: str
    packaging_index: int
    position: int
    count: int
    lot_id: str
    product_id: int


@dataclass(frozen=True, slots=True)
class _Packaging:
    """A packaging event verified from the log, and its serial list verified against its signed root."""

    index: int
    lot_id: str
    product_id: int
    count: int
    serials: str  # canonical serials joined by newlines (fixed width: serial i at [13 i, 13 i + 12))

    def serial_at(self, position: int) -> str | None:
        if not 0 <= position < self.count:
            return None
        return self.serials[_WIDTH * position : _WIDTH * position + _WIDTH - 1]

    def serial_list(self) -> list[str]:
        return self.serials.split("\n")


V = TypeVar("V")


class _LRU(Generic[V]):
    """Verified results only; a lookup never builds (the caller verifies a miss, outside the lock)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, value: V) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


class IssuedSerials:
    """Checks claims against the log of ``store`` (see the module docstring), keeping what it verified."""

    def __init__(self, store: LedgerStore, *, events: int = 32, serials: int = 16384) -> None:
        self.store = store
        self._events = _LRU[_Packaging](events)  # up to 10,000 serials each: 130 kB
        self._serials = _LRU[Issued](serials)
        self._log_key: str | None = None

    def verify(self, claim: Claim, connect: Connect) -> Issued:
        """The issued serial ``claim`` names; ``NotIssued`` saying why if signed data does not back it.
        ``connect()`` is called only when something must be read (not for a serial verified before)."""
        if not _SERIAL.fullmatch(claim.serial):
            raise self._refuse(claim.serial, claim.packaging_index, "it is not 12 Crockford characters")
        key = (claim.packaging_index, claim.position, leaf_hash(claim.serial.encode("ascii")))
        issued = self._serials.get(key)
        if issued is None:
            issued = self._verify(claim, connect)
            self._serials.put(key, issued)
        if (issued.lot_id, issued.product_id) != (claim.lot_id, claim.product_id):
            signed = f"lot {issued.lot_id}, product {issued.product_id}"
            raise self._refuse(claim.serial, claim.packaging_index, f"its packaging event signed {signed}")
        return issued

    def issued(self, claim: Claim, connect: Connect) -> bool:
        """Whether ``claim`` is backed by a signed serial commitment (``verify`` without the reason)."""
        try:
            self.verify(claim, connect)
        except NotIssued:
            return False
        return True

    def serial_proof(self, issued: Issued, connect: Connect) -> list[bytes]:
        """The Merkle inclusion proof of ``issued``'s serial under its packaging event's signed root, made
        from the verified serial list (read and verified again if it is no longer kept)."""
        packaging = self._packaging_of(issued.packaging_index, issued.serial, connect)
        return serial_proof(packaging.serial_list(), issued.position)

    def _verify(self, claim: Claim, connect: Connect) -> Issued:
        index = claim.packaging_index
        packaging = self._packaging_of(index, claim.serial, connect)
        if packaging.serial_at(claim.position) != claim.serial:
            raise self._refuse(
                claim.serial, index, f"it is not serial {claim.position} of packaging event {index}"
            )
        return Issued(claim.serial, index, claim.position, packaging.count, packaging.lot_id,
                      packaging.product_id)  # fmt: skip

    def _packaging_of(self, index: int, serial: str, connect: Connect) -> _Packaging:
        packaging = self._events.get(index)
        if packaging is None:
            with connect() as conn:
                try:
                    packaging = self._packaging(conn, index)
                except (LedgerError, ValueError, KeyError, TypeError) as error:
                    raise self._refuse(serial, index, str(error)) from None
            self._events.put(index, packaging)
        return packaging

    @staticmethod
    def _refuse(serial: str, index: int, why: str) -> NotIssued:
        log.warning("package %r is not backed by a signed serial commitment: %s", serial, why)
        return NotIssued(f"serial {serial}: {why}", index=index)

    # -- from the log ----------------------------------------------------------------------------------

    def _packaging(self, conn: Connection, index: int) -> _Packaging:
        """The packaging event at ``index``, checked from the log (steps 1 to 4)."""
        cp = self._checkpoint(conn)
        envelope, body = self._entry(conn, index, cp)
        if body.get("type") != "package":
            raise VerificationError(f"entry {index} is a {body.get('type')!r} event, not a packaging")
        signer = self._signer(conn, envelope, index, cp)
        if signer != f"org:{body.get('org')}":
            raise VerificationError(f"entry {index} is signed by {signer}, not by its organisation")
        count, root = body["count"], base64.b64decode(body["serials_root"], validate=True)
        lot_id, product_id = body["lot_id"], body["product_id"]
        if not (isinstance(count, int) and isinstance(lot_id, str) and isinstance(product_id, int)):
            raise VerificationError(f"entry {index} is not a well-formed packaging event")
        text = conn.execute(_BATCH, {"index": index}).scalar()
        if text is None:
            raise VerificationError(f"packaging event {index} has no serial list")
        if not _LIST.fullmatch(text):
            raise VerificationError(f"the serial list of packaging event {index} is not canonical serials")
        serials = text.split("\n")
        if len(serials) != count or len(set(serials)) != count:
            raise VerificationError(f"the serial list of packaging event {index} does not have its "
                                    f"{count} signed, distinct serials")  # fmt: skip
        if root_hash([leaf_hash(s.encode("ascii")) for s in serials]) != root:
            raise VerificationError(
                f"the serial list of packaging event {index} does not match its signed root"
            )
        return _Packaging(index, lot_id, product_id, count, text)

    def _checkpoint(self, conn: Connection) -> Checkpoint:
        """The latest checkpoint, verified under the log key the master key vouches for (step 1)."""
        if self._log_key is None:
            logs = keystore.by_role(conn, "log")
            if not logs:
                raise LedgerError("the ledger has no log key")
            public = self.store.private_key(conn, logs[0].keyid).public_key().public_bytes_raw()
            self._log_key = format_verifier_key(self.store.origin, public)
        note = conn.execute(_LATEST).scalar()
        if note is None:
            raise VerificationError("the log has no checkpoint")
        return verify_checkpoint(str(note), self._log_key)

    @staticmethod
    def _entry(conn: Connection, index: int, cp: Checkpoint) -> tuple[Envelope, dict[str, Any]]:
        """The envelope at ``index`` and its body, proven in ``cp``'s tree (step 2)."""
        if not 0 <= index < cp.size:
            raise VerificationError(f"entry {index} is not in the log of size {cp.size}")
        raw = conn.execute(_ENTRY, {"index": index}).scalar()
        if raw is None:
            raise VerificationError(f"the log has no entry {index}")
        raw = bytes(raw)
        try:
            verify_inclusion(index, cp.size, leaf_hash(raw), hashstore.inclusion_proof(conn, index, cp.size),
                             cp.root_hash)  # fmt: skip
        except VerificationError as error:
            raise VerificationError(f"entry {index} is not the one in the signed log ({error})") from None
        envelope = Envelope.from_json(raw)
        if envelope.payload_type != PAYLOAD_TYPE:
            raise VerificationError(f"entry {index} is not an OCOP Tracer event")
        body = json.loads(envelope.payload)
        if not isinstance(body, dict):
            raise VerificationError(f"entry {index} has no event body")
        return envelope, body

    def _signer(self, conn: Connection, envelope: Envelope, index: int, cp: Checkpoint) -> str:
        """The owner of the key that signed ``envelope``, as its ``key.register`` entry says (step 3)."""
        message = pae(envelope.payload_type, envelope.payload)
        for signature in envelope.signatures:
            record = keystore.records(conn, [signature.keyid]).get(signature.keyid)
            if record is None or record.registered_index is None or not record.registered_index < index:
                continue
            if key_id(record.public_key) != signature.keyid:
                continue
            _, registration = self._entry(conn, record.registered_index, cp)
            if (
                registration.get("type") != KEY_REGISTER
                or registration.get("keyid") != signature.keyid
                or registration.get("public_key") != base64.b64encode(record.public_key).decode("ascii")
            ):
                continue
            try:
                load_public_key(record.public_key).verify(signature.sig, message)
            except InvalidSignature:
                raise VerificationError(f"the signature of entry {index} does not verify") from None
            return str(registration.get("owner"))
        raise VerificationError(f"entry {index} is not signed by a key registered before it")


def issued_serials(app: Flask) -> IssuedSerials:
    """``app``'s checker (made on first use, one per worker), on the app's ledger store."""
    return services(app).made(IssuedSerials, lambda found: IssuedSerials(found.ledger))
