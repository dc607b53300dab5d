"""Products and lots by their GS1 keys, for class-level Digital Link URIs (``/01/{gtin}``,
``/01/{gtin}/10/{lot}``), and what their pages show.

A lot belongs to a GTIN when packages of that product were packed from it: those are the packages whose codes
carry the GTIN and the lot (AI 10 is our lot id). Its page tells the story of its latest packaging event, the
same story (and cache entry, ``tracer.resolver.origin.StoryKey``) as its packages' origin pages. These pages
are not
scans: nothing here records anything, and a class-level code proves nothing about one package.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, col, select

from tracer.codes.gs1 import ClassLink, build_uri
from tracer.events.profiles import Shop
from tracer.models.events import LotEvent
from tracer.models.lots import Lot, Package
from tracer.models.organisations import Organisation
from tracer.models.products import Certificate, Product
from tracer.resolver.origin import cert_valid_on
from tracer.resolver.photos import ShownPhoto, storefront
from tracer.resolver.story import Cert, LotStory, Producer, StoryKey, cert_of, latest_certificate, producer_of

__all__ = ["ClassView", "ProductClass", "class_view", "find_product", "lot_key", "lot_of_product"]


@dataclass(frozen=True, slots=True)
class ProductClass:
    """A product we know by its GTIN, its producer and its newest OCOP certificate (not revoked)."""

    id: int
    gtin: str
    name: str
    description: str | None
    producer: Producer
    certificate: Cert | None
    photo: ShownPhoto | None = None  # signed, files intact (tracer.resolver.photos)
    shops: tuple[Shop, ...] = ()  # signed e-commerce links


@dataclass(frozen=True, slots=True)
class ClassView:
    """What a product's page (``story`` None) or a lot's page shows."""

    uri: str
    product: ProductClass
    story: LotStory | None
    today: date
    cert_valid: bool  # a certificate valid today: stars may be shown
    cert_expired: bool
    recalled: bool
    product_expired: bool
    product_cert_valid: bool  # the product's newest certificate is valid today (its own linkset entry)
    asked_lot: str | None = None  # a lot the code named that is not one of the product's: walked up from

    @property
    def certificate(self) -> Cert | None:
        return self.story.certificate if self.story is not None else self.product.certificate


def find_product(session: Session, gtin: str, public_url: str = "") -> ProductClass | None:
    """The product with GTIN-14 ``gtin``, or None if none of ours has it."""
    product = session.exec(select(Product).where(Product.gtin == gtin)).first()
    if product is None or product.id is None:
        return None
    org = session.get(Organisation, product.organisation_id)
    assert org is not None  # a product's organisation is a foreign key
    certs = session.exec(select(Certificate).where(Certificate.product_id == product.id,
                                                   col(Certificate.revoked).is_(False))).all()  # fmt: skip
    best = latest_certificate(certs)
    front = storefront(session, product, public_url)
    return ProductClass(product.id, gtin, product.name, product.description, producer_of(org),
                        cert_of(best) if best is not None else None, front.photo, front.shops)  # fmt: skip


def lot_key(session: Session, product_id: int, lot_id: str) -> StoryKey | None:
    """The story key of lot ``lot_id``'s latest packaging into product ``product_id``; None if no package of
    that product was packed from that lot (the lot is not one of the GTIN's)."""
    packaging = session.exec(select(func.max(Package.packaging_index)).where(
        Package.lot_id == lot_id, Package.product_id == product_id)).one()  # fmt: skip
    if packaging is None:
        return None
    lot_stamp = session.exec(select(func.max(LotEvent.ledger_index)).where(LotEvent.lot_id == lot_id)).one()
    cert_stamp = session.exec(
        select(func.max(Certificate.ledger_index)).where(Certificate.product_id == product_id)
    ).one()
    profile_stamp = session.exec(select(Product.profile_index).where(Product.id == product_id)).one()
    return StoryKey(int(packaging), int(lot_stamp or 0), int(cert_stamp or 0), int(profile_stamp or 0))


def lot_of_product(session: Session, product_id: int, lot_id: str) -> bool:
    """Whether lot ``lot_id`` is made as product ``product_id`` (its EPCIS id is then ``/01/{gtin}/10/{lot}``
    even before anything is packed from it)."""
    found = session.exec(select(Lot.id).where(Lot.id == lot_id, Lot.product_id == product_id)).first()
    return found is not None


def class_view(product: ProductClass, story: LotStory | None, *, public_url: str, today: date,
               asked_lot: str | None = None) -> ClassView:  # fmt: skip
    """The page of ``product``, or of its lot ``story``, as of ``today``; ``asked_lot``: the lot the code
    named, when it is not one of the product's and the product's page answers for it."""
    cert = story.certificate if story is not None else product.certificate
    valid = cert_valid_on(cert, today)
    expires = story.expires_on if story is not None else None
    return ClassView(
        uri=build_uri(public_url, ClassLink(product.gtin, story.lot_id if story is not None else None)),
        product=product,
        story=story,
        today=today,
        cert_valid=valid,
        cert_expired=cert is not None and not valid,
        recalled=story is not None and story.recalled,
        product_expired=expires is not None and expires < today,
        product_cert_valid=cert_valid_on(product.certificate, today),
        asked_lot=asked_lot,
    )
