"""The package proof bundle: one JSON document from which a scanner verifies a package offline.

It gathers the DSSE envelopes of the package's whole lineage (zone registrations, harvests, processing,
receipts and shipments of every lot it came from, its packaging, any recall, the product's OCOP certificate)
with their RFC 9162 inclusion proofs against one signed checkpoint, the ``key.register`` (and ``key.revoke``)
entries of every key that signed them, down to the authority's self-signed entry 0, and the Merkle proof of
the serial under the packaging event's ``serials_root``. The format, and how it is checked, is documented in
``tracer.proofs.verdict`` (Python) and ``scanner_page/verify.js`` (the browser), which must agree.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import current_app
from sqlmodel import Session, col, select

from tracer.codes import gs1, serials
from tracer.codes.issued import Claim, Issued, NotIssued, issued_serials
from tracer.events.lineage import ancestors
from tracer.ledger import keystore, vmap_store
from tracer.ledger.checkpoint import verify_checkpoint
from tracer.ledger.dsse import Envelope
from tracer.models.lots import Lot, Package
from tracer.models.organisations import Organisation
from tracer.models.products import Certificate, Product
from tracer.models.scans import ScanCount
from tracer.models.types import utcnow
from tracer.models.zones import Zone
from tracer.platform import journal
from tracer.platform.clock import VIETNAM
from tracer.platform.errors import InvalidInput, NotFound
from tracer.proofs.verdict import BUNDLE_VERSION, SERIAL
from tracer.scans import recorder as scans
from tracer.scans import signal


def parse_serial(typed: str) -> str:
    """The canonical serial of what a person typed or a URI carried; InvalidInput naming ``serial``."""
    try:
        return serials.normalise_serial(typed)
    except serials.SerialError as error:
        raise InvalidInput(str(error), field="serial") from None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def latest_certificate(session: Session, product_id: int | None) -> Certificate | None:
    return session.exec(
        select(Certificate)
        .where(Certificate.product_id == product_id)
        .order_by(col(Certificate.ledger_index).desc())
    ).first()


class _Entries(dict[int, bytes]):
    """The envelope bytes of ledger entries, each read once per bundle (the key closure and the bundle's
    ``entries`` both need them)."""

    def __init__(self, conn: Any, store: Any) -> None:
        super().__init__()
        self.conn, self.store = conn, store

    def __missing__(self, index: int) -> bytes:
        self[index] = data = self.store.entry(self.conn, index)
        return data


def _signing_keys(conn: Any, entries: _Entries, indices: set[int], size: int) -> dict[str, dict[str, Any]]:
    """Every key that signed one of ``indices``, and their registrations' signers, to closure; the
    registration and revocation entries are added to ``indices``. A revocation after ``size`` is not shown."""
    keys: dict[str, dict[str, Any]] = {}
    pending = set(indices)
    seen: set[int] = set()
    while pending:
        index = pending.pop()
        seen.add(index)
        envelope = Envelope.from_json(entries[index])
        wanted = {s.keyid for s in envelope.signatures} - set(keys)
        for keyid, record in keystore.records(conn, wanted).items():
            revoked = (
                record.revoked_index
                if record.revoked_index is not None and record.revoked_index < size
                else None
            )
            keys[keyid] = {
                "keyid": keyid,
                "owner": record.owner,
                "role": record.role,
                "public_key": _b64(record.public_key),
                "registered_index": record.registered_index,
                "revoked_index": revoked,
            }
            for linked in (record.registered_index, revoked):
                if linked is not None and linked not in seen:
                    pending.add(linked)
    indices.update(seen)
    return keys


def lineage_subjects(session: Session, lots: list[str], product: Product) -> set[str]:
    """The verifiable-map keys a verdict about a package of ``product`` made from ``lots`` reads
    (``tracer.events.subjects``): its lots, product, the organisations and zones behind them. Keys of the
    signing keys are added by ``_map_section`` once the bundle's keys are known."""
    orgs = {product.organisation_id, *session.exec(select(Lot.organisation_id).where(col(Lot.id).in_(lots)))}
    zones = {z for z in session.exec(select(Lot.zone_id).where(col(Lot.id).in_(lots))) if z}
    return {
        *(f"lot:{lot}" for lot in lots),
        f"product:{product.id}",
        *(f"org:{org}" for org in orgs if org is not None),
        *(f"zone:{zone}" for zone in zones),
    }


def _map_section(
    conn: Any, envelopes: _Entries, subjects: set[str], indices: set[int], size: int
) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """For each subject (and each signing key, to closure) its entry list and map proof; the entries listed
    are added to ``indices``. Returns the map section and the bundle's keys."""
    lists: dict[str, list[tuple[int, bytes]]] = {}
    while True:
        for subject in sorted(subjects - set(lists)):
            lists[subject] = vmap_store.entries_of(conn, subject)
            indices.update(index for index, _ in lists[subject])
        keys = _signing_keys(conn, envelopes, indices, size)
        subjects = subjects | {f"key:{keyid}" for keyid in keys}
        if subjects <= set(lists):
            break
    section = [
        {
            "key": subject,
            "indexes": [index for index, _ in lists[subject]],
            "proof": vmap_store.prove(conn, subject).proof.to_json(),
        }
        for subject in sorted(lists)
    ]
    return section, keys


@contextmanager
def ledger_snapshot(session: Session) -> Iterator[Any]:
    """A connection that reads the ledger in one snapshot: the checkpoint, the map's lists and proofs and the
    entries must agree, while appends go on. SQLite's read transaction (the session's, begun by the lineage
    reads) is one; PostgreSQL's read committed is not, so there a repeatable-read transaction of its own."""
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        yield conn
        return
    with conn.engine.connect() as own:
        with own.execution_options(isolation_level="REPEATABLE READ").begin():
            yield own


def scan_summary(session: Session, serial: str, threshold: int) -> dict[str, Any]:
    """How often this code's page was visited (counted fairly: ``scan_counts``) and the copy signal
    (``tracer.scans.signal``). Nothing here is signed (``signed: false``): verifiers report the copy warning
    beside the verdict and never let it change the verdict."""
    counted = session.get(ScanCount, serial)
    count, first = (counted.scans, counted.first_at) if counted is not None else (0, None)
    copy = signal.copy_signal(session.connection(), serial)
    first_scan = first.isoformat() if isinstance(first, datetime) else None
    reviewed = copy.reviewed_at.isoformat() if copy.reviewed_at is not None else None
    return {"signed": False, "count": int(count), "first_scan": first_scan,
            "copy_warning": copy.public(threshold), "reasons": copy.reasons(threshold),
            "reviewed_at": reviewed}  # fmt: skip


def package_summary(session: Session, package: Package, product: Product, lots: list[str]) -> dict[str, Any]:
    """What the verdict screen shows besides the signed facts (names are not in the ledger)."""
    producer = session.get(Organisation, product.organisation_id)
    lot = session.get(Lot, package.lot_id)
    certificate = latest_certificate(session, product.id)
    zones = session.exec(
        select(Zone)
        .join(Lot, col(Lot.zone_id) == col(Zone.id))
        .where(col(Lot.id).in_(lots))
        .order_by(col(Zone.ledger_index))
    ).all()
    return {
        "serial": package.serial,
        "lot_id": package.lot_id,
        "net_content": package.net_content,
        "packed_on": package.packed_on.isoformat(),
        "expires_on": package.expires_on.isoformat() if package.expires_on else None,
        "status": package.status,
        "recall_reason": lot.recall_reason if lot is not None else None,
        "product": {
            "id": product.id,
            "name": product.name,
            "gtin": product.gtin,
            "unit": product.unit,
            "ocop_group": product.ocop_group,
            "description": product.description,
        },
        "producer": None
        if producer is None
        else {
            "id": producer.id,
            "name": producer.name,
            "kind": producer.kind,
            "commune": producer.commune,
            "district": producer.district,
            "province": producer.province,
        },
        "zones": [
            {
                "id": z.id,
                "name": z.name,
                "commune": z.commune,
                "district": z.district,
                "province": z.province,
                "crop": z.crop,
                "certifications": z.certifications,
            }
            for z in zones
        ],
        "certificate": None
        if certificate is None
        else {
            "id": certificate.id,
            "stars": certificate.stars,
            "decision_no": certificate.decision_no,
            "issuing_level": certificate.issuing_level,
            "issued_on": certificate.issued_on.isoformat(),
            "valid_until": certificate.valid_until.isoformat(),
        },
    }


def package_uri(public_url: str, package: Package, product: Product) -> str:
    """The GS1 Digital Link URI printed in the package's QR code."""
    return gs1.package_link(public_url, product.gtin, package.lot_id, package.serial)


def _never_issued(serial: str) -> NotFound:
    return NotFound(f"no package with serial {serial} was ever issued", field="serial")


def issued_package(session: Session, serial: str) -> tuple[Package, Issued]:
    """The package with the canonical serial ``serial``, and its serial as the signed log issued it
    (``tracer.codes.issued``). NotFound, the same as for a serial never issued, if there is no row or the
    row is not backed by a signed serial commitment (an inserted, moved or re-serialled row)."""
    package = session.get(Package, serial) if SERIAL.fullmatch(serial) else None
    if package is None:
        raise _never_issued(serial)
    claim = Claim(
        package.serial, package.packaging_index, package.position, package.lot_id, package.product_id
    )
    try:
        issued = issued_serials(current_app).verify(claim, lambda: nullcontext(session.connection()))
    except NotIssued:
        raise _never_issued(serial) from None
    return package, issued


def package_proof(session: Session, *, serial: str, public_url: str, scan_threshold: int) -> dict[str, Any]:
    """The proof bundle of the package ``serial`` (see the module docstring); NotFound if never issued."""
    serial = parse_serial(serial)
    package, issued = issued_package(session, serial)
    product = session.get(Product, package.product_id)
    assert product is not None
    lots = ancestors(session, [package.lot_id])
    subjects = lineage_subjects(session, lots, product)
    store = journal.store()
    with ledger_snapshot(session) as conn:
        log_key = store.verifier_key(conn)
        # The checkpoint is read after the lineage, so it covers every index found (the log only grows).
        # It carries the witnesses' cosignatures kept for it, for a verifier's witness policy (``policy``).
        note = journal.cosigned_checkpoint(conn)
        size = verify_checkpoint(note, log_key).size
        # The packaging, then every entry the map lists for the subjects: what made, moved or recalled each
        # lot, the zones, the product and its certificates, the organisations and the keys. One source: the
        # projection tables are never asked which entries there are.
        indices = {package.packaging_index}
        envelopes = _Entries(conn, store)
        section, keys = _map_section(conn, envelopes, subjects, indices, size)
        entries = [
            {
                "index": i,
                "envelope": _b64(envelopes[i]),
                "proof": [_b64(h) for h in store.inclusion_proof(conn, i, size)],
            }
            for i in sorted(indices)
        ]
        try:
            serial_proof = issued_serials(current_app).serial_proof(issued, lambda: nullcontext(conn))
        except NotIssued:  # its serial list was changed since it was checked, a moment ago
            raise _never_issued(serial) from None
    return {
        "version": BUNDLE_VERSION,
        "serial": serial,
        "uri": package_uri(public_url, package, product),
        "package": package_summary(session, package, product, lots),
        "entries": entries,
        "checkpoint": note,
        "map": section,
        "serial_proof": {
            "packaging_index": issued.packaging_index,
            "position": issued.position,
            "count": issued.count,
            "proof": [_b64(h) for h in serial_proof],
        },
        "keys": sorted(keys.values(), key=lambda k: int(k["registered_index"] or 0)),
        "log_key": log_key,
        "scans": scan_summary(session, serial, scan_threshold),
        "generated_at": utcnow().isoformat(),
    }


@dataclass(frozen=True)
class Scanner:
    """Who is scanning, as the scan recorder counts them."""

    client_hash: str
    user_agent_family: str


def scanned_proof(
    session: Session, *, serial: str, public_url: str, scan_threshold: int, scanner: Scanner
) -> dict[str, Any]:
    """``package_proof``, and the scan recorded like one through the resolver (an unknown code too)."""
    now = datetime.now(UTC)
    try:
        bundle = package_proof(session, serial=serial, public_url=public_url, scan_threshold=scan_threshold)
    except NotFound:
        code = f"/p/{serial}"[:300]
        scans.recorder().record(
            scans.ScanRequest(None, code, "unknown", scanner.client_hash, scanner.user_agent_family, now)
        )
        raise
    summary = bundle["package"]
    expires_on = summary["expires_on"]
    expired = expires_on is not None and expires_on < now.astimezone(VIETNAM).date().isoformat()
    outcome = "recalled" if summary["status"] == "recalled" else "expired" if expired else "genuine"
    scans.recorder().record(
        scans.ScanRequest(
            bundle["serial"],
            bundle["uri"][:300],
            outcome,
            scanner.client_hash,
            scanner.user_agent_family,
            now,
        )
    )
    return bundle
