"""A product's signed photo and shops as the code pages show them (issue #20, items 3 and 4).

Both come from the product's newest signed profile (``tracer.events.profiles.signed_profile``), never from
other columns. A photo is shown only when every file its entry names is on disk and hashes to its signed
SHA-256 (``tracer.photos.shown``); otherwise the page shows none.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from tracer.events.profiles import Shop, signed_profile, signed_zone_photo
from tracer.models.products import Product
from tracer.models.zones import Zone
from tracer.photos.shown import ShownPhoto, shown_photo
from tracer.photos.store import app_store

__all__ = ["ShownPhoto", "Storefront", "storefront", "zone_photo"]


@dataclass(frozen=True, slots=True)
class Storefront:
    """What a product's profile puts on a page: its photo (if intact) and its shops, and the entry's index."""

    photo: ShownPhoto | None
    shops: tuple[Shop, ...]
    index: int | None


def storefront(session: Session, product: Product, public_url: str) -> Storefront:
    profile = signed_profile(session, product)
    if profile is None:
        return Storefront(None, (), None)
    return Storefront(shown_photo(profile.photo, public_url, app_store()), profile.shops, profile.index)


def zone_photo(session: Session, zone: Zone) -> ShownPhoto | None:
    """The zone's photo from its newest signed ``zone.profile``, if every file of it is intact."""
    signed = signed_zone_photo(session, zone)
    return shown_photo(signed.photo if signed else None, "", app_store())
