"""Package lookup for the resolver: one indexed statement per scan.

It returns what the page needs that may change from one scan to the next (the package's status and its scan
tally), where the row says its serial was issued (``claim_of``: the resolver believes the row only once
``tracer.codes.issued`` found that claim in the signed log), and the stamps that key the cached lot story
(``tracer.resolver.origin.StoryKey``): the newest event of the package's lot (a recall or a shipment adds
one) and the newest certificate of its product.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Date, Integer, String, text

from tracer.codes.gs1 import DigitalLink
from tracer.codes.issued import Claim
from tracer.models.types import UTCDateTime
from tracer.platform.fastread import FastReader
from tracer.scans import signal
from tracer.scans.signal import CopySignal

__all__ = ["PackageRow", "claim_of", "find_package"]

_FIND_SQL = """
SELECT p.serial, p.lot_id, p.product_id, p.packaging_index, p.position, p.expires_on, p.status, pr.gtin,
       pr.profile_index AS profile_stamp,
       (SELECT max(le.ledger_index) FROM lot_events le WHERE le.lot_id = p.lot_id) AS lot_stamp,
       (SELECT max(c.ledger_index) FROM certificates c WHERE c.product_id = p.product_id) AS cert_stamp,
       sc.scans AS scans, sc.first_at AS first_scan,
       (SELECT count(*) FROM scan_tallies t
         WHERE t.serial = p.serial AND t.client_hash = :client AND t.bucket = :bucket) AS seen,{signal}
FROM packages p JOIN products pr ON pr.id = p.product_id LEFT JOIN scan_counts sc ON sc.serial = p.serial
WHERE p.serial = :serial
"""
_FIND = text(_FIND_SQL.format(signal=signal.COLUMNS)).columns(
    serial=String, lot_id=String, product_id=Integer, packaging_index=BigInteger, position=Integer,
    expires_on=Date, status=String, gtin=String, lot_stamp=BigInteger, cert_stamp=BigInteger,
    profile_stamp=BigInteger,    scans=Integer, first_scan=UTCDateTime, seen=Integer, **signal.COLUMN_TYPES,
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class PackageRow:
    serial: str
    lot_id: str
    product_id: int
    packaging_index: int
    position: int  # the serial's place in its packaging event's signed list
    expires_on: date | None
    status: str  # active | shipped | recalled
    gtin: str | None
    lot_stamp: int
    cert_stamp: int
    profile_stamp: int
    scans: int  # counted scans so far (not this one)
    first_scan: datetime | None
    seen: bool  # this client was already counted for this package this hour
    copy: CopySignal  # what the scans say about copying (unsigned advice: ``tracer.scans.signal``)


def find_package(reader: FastReader, link: DigitalLink, *, client: str, bucket: int,
                 now: datetime) -> PackageRow | None:  # fmt: skip
    """The package ``link`` names, or None if we never issued it or its GTIN or lot are not the package's (or
    it has a consumer product variant, AI 22: we issue none)."""
    if link.cpv is not None:
        return None
    values: dict[str, Any] = {"serial": link.serial, "client": client, "bucket": bucket}
    row = reader.first(_FIND, values | signal.signal_params(now))
    if row is None:
        return None
    if link.gtin is not None and row["gtin"] != link.gtin:
        return None
    if link.lot is not None and link.lot != row["lot_id"]:
        return None
    return PackageRow(
        row["serial"],
        row["lot_id"],
        row["product_id"],
        row["packaging_index"],
        row["position"],
        row["expires_on"],
        row["status"],
        row["gtin"],
        row["lot_stamp"] or 0,
        row["cert_stamp"] or 0,
        row["profile_stamp"] or 0,
        int(row["scans"] or 0),
        row["first_scan"],
        bool(row["seen"]),
        signal.of_row(row),
    )


def claim_of(row: PackageRow) -> Claim:
    """What ``row`` says about its serial, to be checked against the log (``tracer.codes.issued``)."""
    return Claim(row.serial, row.packaging_index, row.position, row.lot_id, row.product_id)
