"""A product's photo and shops, signed (issue #20, items 3 and 4): ``product.profile`` ledger entries.

One entry holds the whole public profile of a product as it is from then on, in the registrations' family
(``tracer.events.registrations``): signed by the producer's key, or the authority's when the programme office
edits it; like registrations it is not an event of a lot's journey (no ``events`` row)::

    {"type": "product.profile", "v": 1, "by": "user:7", "recorded_at": "...",
     "product": {"id": 3, "organisation_id": 2,
                 "photo": {"sha256": "<master JPEG>", "width": 2048, "height": 1536,
                           "variants": [{"width": 320, "height": 240, "type": "image/webp", "sha256": "..."},
                                        ...]},
                 "shops": [{"label": "Shopee", "url": "https://shopee.vn/..."}]}}

``photo`` is absent when the product has none. The row ``products.profile_index`` points at the newest entry;
pages read the photo and shops from that signed entry, never from other columns, and show a photo only when
every file of it hashes to its signed SHA-256 (``tracer.photos.store``). ``profile_audit.check`` (run by
``python -m tracer ledger verify``) names a row that points at another entry than its product's newest
profile, and a photo file that is missing or does not hash to what was signed. The verifiers
(``tracer.proofs.verdict``, ``scanner_page/verify.js``) take the newest profile in the bundle.

Shop links are checked by ``tracer.events.shops`` (https only); the pages escape them and mark them
``rel="noopener nofollow"``. A zone's photo is a ``zone.profile`` entry, signed by the zone's organisation,
pointed at by ``zone_profiles``. ``tracer.events.profile_audit`` checks rows and files against the entries.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from tracer.accounts.actors import Actor
from tracer.events import pipeline, registrations
from tracer.events.shops import MAX_SHOPS, Shop, parse_shops, read_shops, shops_text
from tracer.ledger.dsse import Envelope
from tracer.models.accounts import Role
from tracer.models.products import Product
from tracer.models.zones import Zone, ZoneProfile
from tracer.photos.images import Photo, SignedPhoto, Variant
from tracer.platform import journal
from tracer.platform.errors import InvalidInput, NotFound
from tracer.platform.messages import Message

__all__ = ["PRODUCT_PROFILE", "ZONE_PROFILE", "Profile", "Shop", "ZonePhoto", "editable", "editable_zone",
           "parse_shops", "profile_body", "set_profile", "set_zone_photo", "shops_text", "signed_profile",
           "signed_zone_photo"]  # fmt: skip

PRODUCT_PROFILE = "product.profile"
ZONE_PROFILE = "zone.profile"  # a zone's photo, signed by its organisation (``set_zone_photo``)


@dataclass(frozen=True, slots=True)
class Profile:
    index: int
    photo: SignedPhoto | None
    shops: tuple[Shop, ...]


def _photo_fields(photo: Photo) -> dict[str, Any]:
    master = photo.master
    return {"sha256": master.sha256, "width": master.width, "height": master.height,
            "variants": [{"width": v.width, "height": v.height, "type": v.media_type, "sha256": v.sha256}
                         for v in photo.variants]}  # fmt: skip


def set_profile(*, session: Session, actor: Actor, product_id: int, shops: Sequence[Shop] | None,
                photo: Photo | None = None, remove_photo: bool = False) -> int:  # fmt: skip
    """Sign and append a product's new profile: ``photo`` (None keeps the current one unless
    ``remove_photo``), ``shops`` (None keeps the current ones). Producers edit their own products, the
    programme office any. Returns the entry's index; the caller commits (``db.writer``)."""
    product, current = editable(session, actor, product_id)
    fields: dict[str, Any] = {"id": product.id, "organisation_id": product.organisation_id}
    if photo is not None:
        fields["photo"] = _photo_fields(photo)
    elif not remove_photo and current is not None and current.photo is not None:
        fields["photo"] = _signed_fields(current.photo)
    kept = shops if shops is not None else (current.shops if current is not None else ())
    if len(kept) > MAX_SHOPS:
        raise InvalidInput(Message.SHOPS_TOO_MANY, field="shops", limit=MAX_SHOPS)
    fields["shops"] = [{"label": s.label, "url": s.url} for s in kept]
    ledger = pipeline.appender(session)
    signer = registrations.signer_of(actor, product)
    body = registrations.entry_body(PRODUCT_PROFILE, "product", fields, f"user:{actor.user_id}")
    index = registrations.append_signed(ledger, signer, body)
    product.profile_index = index
    session.add(product)
    session.flush()
    ledger.seal()
    return index


def _signed_fields(photo: SignedPhoto) -> dict[str, Any]:
    return {"sha256": photo.sha256, "width": photo.width, "height": photo.height,
            "variants": [{"width": v.width, "height": v.height, "type": v.media_type, "sha256": v.sha256}
                         for v in photo.variants]}  # fmt: skip


def _hex(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value)


def _size(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= 100_000


def read_photo(fields: Any) -> SignedPhoto | None:
    """The photo of a signed profile's ``photo`` object; None if it is absent or malformed."""
    if not isinstance(fields, Mapping) or not _hex(fields.get("sha256")):
        return None
    if not (_size(fields.get("width")) and _size(fields.get("height"))):
        return None
    variants = []
    for item in fields.get("variants") or ():
        ok = isinstance(item, Mapping) and _hex(item.get("sha256")) and _size(item.get("width"))
        if ok and _size(item.get("height")) and item.get("type") in ("image/webp", "image/jpeg"):
            variants.append(Variant(item["width"], item["height"], item["type"], item["sha256"]))
    if not variants:
        return None
    return SignedPhoto(fields["sha256"], fields["width"], fields["height"], tuple(variants))


def profile_body(raw: bytes, kind: str = PRODUCT_PROFILE, key: str = "product") -> dict[str, Any] | None:
    try:
        body = json.loads(Envelope.from_json(raw).payload)
    except Exception:  # an unreadable entry is not a profile  # noqa: BLE001
        return None
    if isinstance(body, dict) and body.get("type") == kind and isinstance(body.get(key), dict):
        return body
    return None


def _entry(session: Session, index: int) -> bytes | None:
    try:
        return bytes(journal.store().entry(session.connection(), index))
    except Exception:  # no such entry  # noqa: BLE001
        return None


def signed_profile(session: Session, product: Product) -> Profile | None:
    """The product's profile from the signed entry its row points at; None if it has none, or the entry is
    not a profile of this product of this organisation (a row pointed elsewhere shows nothing)."""
    raw = _entry(session, product.profile_index) if product.profile_index is not None else None
    body = profile_body(raw) if raw is not None else None
    if body is None:
        return None
    fields = body["product"]
    if fields.get("id") != product.id or fields.get("organisation_id") != product.organisation_id:
        return None
    photo = read_photo(fields.get("photo"))
    return Profile(product.profile_index or 0, photo, read_shops(fields.get("shops")))


def editable(session: Session, actor: Actor, product_id: int) -> tuple[Product, Profile | None]:
    """A product whose profile ``actor`` may edit (its producer, or the programme office) and that profile;
    NotFound otherwise, as for a product of another organisation."""
    actor.require(Role.PRODUCER, Role.ADMIN, Role.AUTHORITY)
    product = session.get(Product, product_id)
    if product is None or (actor.role is Role.PRODUCER and actor.organisation_id != product.organisation_id):
        raise NotFound(Message.PRODUCT_NOT_OURS, field="product_id", product=product_id)
    return product, signed_profile(session, product)


@dataclass(frozen=True, slots=True)
class ZonePhoto:
    index: int
    photo: SignedPhoto | None


def editable_zone(session: Session, actor: Actor, zone_id: str) -> tuple[Zone, ZonePhoto | None]:
    """One of the producer's own zones and its signed photo; NotFound for another organisation's."""
    actor.require(Role.PRODUCER)
    zone = session.get(Zone, zone_id)
    if zone is None or zone.organisation_id != actor.organisation_id:
        raise NotFound(Message.ZONE_NOT_OURS, field="zone_id", zone=zone_id)
    return zone, signed_zone_photo(session, zone)


def set_zone_photo(*, session: Session, actor: Actor, zone_id: str, photo: Photo | None) -> int:
    """Sign (with the zone's organisation's key) and append a zone's photo, or its removal (``photo``
    None); returns the entry's index. The caller commits."""
    zone, _current = editable_zone(session, actor, zone_id)
    fields: dict[str, Any] = {"id": zone.id}
    if photo is not None:
        fields["photo"] = _photo_fields(photo)
    body = registrations.entry_body(ZONE_PROFILE, "zone", fields, f"user:{actor.user_id}")
    body["org"] = zone.organisation_id  # as every producer's entry names its organisation
    ledger = pipeline.appender(session)
    index = registrations.append_signed(ledger, f"org:{zone.organisation_id}", body)
    row = session.get(ZoneProfile, zone.id) or ZoneProfile(zone_id=zone.id, profile_index=index)
    row.profile_index = index
    session.add(row)
    session.flush()
    ledger.seal()
    return index


def signed_zone_photo(session: Session, zone: Zone) -> ZonePhoto | None:
    """The zone's photo from the signed entry its pointer names; None if it has none or the entry is not a
    ``zone.profile`` of this zone signed for its organisation."""
    row = session.get(ZoneProfile, zone.id)
    raw = _entry(session, row.profile_index) if row is not None else None
    body = profile_body(raw, ZONE_PROFILE, "zone") if raw is not None else None
    if row is None or body is None or body["zone"].get("id") != zone.id:
        return None
    if body.get("org") != zone.organisation_id:
        return None
    return ZonePhoto(row.profile_index, read_photo(body["zone"].get("photo")))
