"""Packages as printed: the URI each QR code carries, the short address printed for typing it by hand, and
the labels of a lot's packages.

URIs are kept short (fewer QR modules, bigger modules on small labels): the GS1 Digital Link with GTIN, lot
and serial and no expiry query, or ``/p/{serial}`` for a product without a GTIN. The short address is the
host and the serial with its check character, ``trace.example.vn/JDSF-GHMK-4169-Q``: a person types it into
a browser, and the home page's short route reads it (``tracer.labels.typed``, ``tracer.web.pages``).
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

from sqlmodel import Session, col, select

from tracer.codes.gs1 import package_link
from tracer.codes.serials import format_serial
from tracer.labels import Label
from tracer.models.events import EventRecord
from tracer.models.lots import Package
from tracer.models.organisations import Organisation
from tracer.models.products import Certificate, Product
from tracer.platform.errors import NotFound

__all__ = ["lot_labels", "package_uri", "short_address"]

_BATCH = 2000


def package_uri(session: Session, serial: str, public_url: str) -> str:
    """The URI printed in package ``serial``'s QR code; NotFound for a serial we never issued."""
    row = session.exec(
        select(Package.lot_id, Product.gtin).join(Product, col(Product.id) == col(Package.product_id))
        .where(Package.serial == serial)).first()  # fmt: skip
    if row is None:
        raise NotFound(f"no package {serial}", field="serial")
    return package_link(public_url, row[1], row[0], serial)


def short_address(public_url: str, serial: str) -> str:
    """The address printed on a label for typing by hand: host (and path prefix) and the printed serial."""
    parts = urlsplit(public_url)
    return f"{parts.netloc}{parts.path.rstrip('/')}/{format_serial(serial)}"


def _stars(session: Session, product_id: int, today: date) -> int | None:
    """Stars may be printed only while a certificate of 3 stars or more is valid."""
    certs = session.exec(select(Certificate).where(Certificate.product_id == product_id,
                                                   col(Certificate.revoked).is_(False))).all()  # fmt: skip
    valid = [c for c in certs if c.issued_on <= today <= c.valid_until]
    if not valid:
        return None
    best = max(valid, key=lambda c: (c.issued_on, c.ledger_index or 0))
    return best.stars if best.stars >= 3 else None


def lot_labels(*, session: Session, organisation_id: int | None, lot_id: str, public_url: str,
               today: date) -> list[Label]:  # fmt: skip
    """Labels of every package of ``lot_id`` that ``organisation_id`` packed (any, for the operator's CLI).

    Anyone else gets NotFound, as for a lot that does not exist: a lot's serials are not to be listed.
    """
    of_lot = select(Package.packaging_index).where(Package.lot_id == lot_id).distinct()
    query = select(EventRecord.ledger_index).where(EventRecord.type == "package",
                                                   col(EventRecord.ledger_index).in_(of_lot))  # fmt: skip
    if organisation_id is not None:
        query = query.where(EventRecord.organisation_id == organisation_id)
    packagings = session.exec(query).all()
    if not packagings:
        raise NotFound(f"no packaged lot {lot_id} among your organisation's lots", field="lot_id")
    packages = session.exec(
        select(Package).where(Package.lot_id == lot_id, col(Package.packaging_index).in_(packagings))
        .order_by(col(Package.packaging_index), col(Package.position))).all()  # fmt: skip
    products = {p.id: p for p in session.exec(select(Product).where(
        col(Product.id).in_({p.product_id for p in packages})))}  # fmt: skip
    owners = {o.id: o for o in session.exec(select(Organisation).where(
        col(Organisation.id).in_({p.organisation_id for p in products.values()})))}  # fmt: skip
    stars = {pid: _stars(session, pid, today) for pid in products if pid is not None}
    names = {pid: _printed_name(p, owners.get(p.organisation_id)) for pid, p in products.items()}
    return [Label(uri=package_link(public_url, products[p.product_id].gtin, p.lot_id, p.serial),
                  product_name=names[p.product_id], lot=p.lot_id, serial=p.serial, expiry=p.expires_on,
                  stars=stars[p.product_id], net_content=p.net_content,
                  short_address=short_address(public_url, p.serial)) for p in packages]  # fmt: skip


def _printed_name(product: Product, org: Organisation | None) -> str:
    """The product name and where it comes from (district, province): the label has no other place line."""
    if org is None:
        return product.name
    district = org.district.removeprefix("Huyện ").removeprefix("Thị xã ").removeprefix("Thành phố ")
    return f"{product.name} – {district}, {org.province}"
