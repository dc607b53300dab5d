"""Checks of the signed profiles against the rows and files that point at them (``python -m tracer ledger
verify``): a product or zone whose pointer names another entry than its newest signed profile (another
product's, an older one, none), and a photo file missing or no longer hashing to what was signed."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from tracer.events.profiles import ZONE_PROFILE, profile_body, signed_profile, signed_zone_photo
from tracer.models.products import Product
from tracer.models.zones import Zone, ZoneProfile
from tracer.photos.images import SignedPhoto
from tracer.photos.store import PhotoStore
from tracer.platform import journal

__all__ = ["check", "check_files"]


def _newest_profiles(session: Session) -> tuple[dict[Any, int], dict[Any, int]]:
    """The newest ``product.profile`` of each product id, and the newest ``zone.profile`` of each zone."""
    products: dict[Any, int] = {}
    zones: dict[Any, int] = {}
    for index, raw in journal.iter_entries(session.connection()):
        body = profile_body(raw)
        if body is not None:
            products[body["product"].get("id")] = index
        body = profile_body(raw, ZONE_PROFILE, "zone")
        if body is not None:
            zones[body["zone"].get("id")] = index
    return products, zones


def check(session: Session) -> str | None:
    """The first product or zone whose pointer names another entry than its newest signed profile, as a
    sentence; None when every row agrees."""
    newest, newest_zones = _newest_profiles(session)
    for product in session.exec(select(Product).order_by(col(Product.id))).all():
        want = newest.get(product.id)
        if product.profile_index != want:
            return (f"products row id={product.id}: profile_index is {product.profile_index!r}, "
                    f"the ledger's newest product.profile for it is {want!r}")  # fmt: skip
    rows = {r.zone_id: r.profile_index for r in session.exec(select(ZoneProfile))}
    for zone_id in sorted(set(rows) | set(newest_zones)):
        have, want = rows.get(zone_id), newest_zones.get(zone_id)
        if have != want:
            return (f"zone_profiles row zone_id={zone_id}: profile_index is {have!r}, "
                    f"the ledger's newest zone.profile for it is {want!r}")  # fmt: skip
    return None


def check_files(session: Session, store: PhotoStore) -> str | None:
    """The first photo file of a product's or a zone's signed profile that is missing or does not hash to
    its signed SHA-256, as a sentence; None when all are intact."""
    products = session.exec(select(Product).order_by(col(Product.id))).all()
    zones = session.exec(select(Zone).order_by(col(Zone.id))).all()
    signed: list[tuple[str, SignedPhoto | None, int]] = []
    for product in products:
        profile = signed_profile(session, product)
        if profile is not None:
            signed.append((f"products row id={product.id}", profile.photo, profile.index))
    for zone in zones:
        photo = signed_zone_photo(session, zone)
        if photo is not None:
            signed.append((f"zones row id={zone.id}", photo.photo, photo.index))
    for row, picture, index in signed:
        for variant in picture.files() if picture is not None else ():
            if not store.intact(variant.name):
                return (f"{row}: photo file {variant.name} is missing or does not hash to the SHA-256 signed "
                        f"in ledger entry {index}")  # fmt: skip
    return None
