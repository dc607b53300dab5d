"""The public catalogue of certified OCOP products (issue #20, item 1): browsable by province, product group
and stars, searchable by name, each with its producer and where to buy it.

Only what signed entries say: a product is listed while its newest OCOP certificate (a ``certify`` entry
signed by the programme authority) is valid today; its name, group and producer come from the signed
registrations (``tracer.events.registrations``; ``ledger verify`` compares the rows with them), and the
places to buy from signed ``ship`` entries of its lots. Search ignores case and Vietnamese diacritics
("dau gac" finds "Dầu gấc"), as shoppers type on phones.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, col, func, select

from tracer.events.profiles import Shop, signed_profile
from tracer.models.events import Shipment
from tracer.models.lots import Lot
from tracer.models.organisations import Organisation
from tracer.models.products import Certificate, Product
from tracer.photos.images import SignedPhoto
from tracer.places import units

__all__ = ["PAGE_SIZE", "CatalogueEntry", "CataloguePage", "Filters", "catalogue", "fold"]

PAGE_SIZE = 24
SALE_POINTS = 3  # places to buy shown per product


def fold(text: str) -> str:
    """``text`` without case or Vietnamese diacritics, for matching what a shopper types."""
    stripped = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return " ".join(stripped.replace("đ", "d").replace("Đ", "D").casefold().split())


@dataclass(frozen=True)
class Filters:
    """What the shopper chose; every field optional."""

    q: str = ""
    province: str = ""
    group: str = ""
    stars: int = 0  # at least this many
    page: int = 1


@dataclass(frozen=True)
class CatalogueEntry:
    product_id: int
    name: str
    group: str
    unit: str
    gtin: str | None
    stars: int
    valid_until: date
    producer: str
    province: str  # the producer's province in the 2025 units (``tracer.places``)
    sale_points: list[tuple[str, str | None]] = field(default_factory=list)  # (name, province)
    profile_index: int | None = None
    photo: SignedPhoto | None = None  # from its signed profile (tracer.events.profiles)
    shops: tuple[Shop, ...] = ()
    province_written: str = ""  # as the producer's signed registration writes it, when that differs


def _now(province: str) -> str:
    """A province by its 2025 name; an unknown name as it is."""
    return units.province(province) or province


@dataclass(frozen=True)
class CataloguePage:
    entries: list[CatalogueEntry]
    total: int
    page: int
    pages: int
    provinces: list[str]  # every province that has a certified product, for the filter (2025 names)
    province: str  # the province filtered on, by its 2025 name ("" for all)
    groups: list[str]


def _certified(session: Session, today: date) -> list[CatalogueEntry]:
    newest = (
        select(Certificate.product_id, func.max(Certificate.ledger_index).label("newest"))
        .group_by(col(Certificate.product_id))
        .subquery()
    )
    rows = session.exec(
        select(Product, Certificate, Organisation)
        .join(newest, col(newest.c.product_id) == col(Product.id))
        .join(Certificate, col(Certificate.ledger_index) == newest.c.newest)
        .join(Organisation, col(Organisation.id) == col(Product.organisation_id))
        .where(col(Certificate.stars) >= 1, col(Certificate.issued_on) <= today)
        .where(col(Certificate.valid_until) >= today, col(Certificate.revoked).is_(False))
        .order_by(col(Certificate.stars).desc(), col(Product.name), col(Product.id))
    ).all()
    return [
        CatalogueEntry(
            int(p.id or 0),
            p.name,
            p.ocop_group,
            p.unit,
            p.gtin,
            c.stars,
            c.valid_until,
            o.name,
            _now(o.province),
            profile_index=p.profile_index,
            province_written=o.province if _now(o.province) != o.province else "",
        )  # fmt: skip
        for p, c, o in rows
    ]


def _sale_points(session: Session, product_ids: list[int]) -> dict[int, list[tuple[str, str | None]]]:
    """The newest distinct places each product was shipped to for sale (signed ship entries)."""
    found: dict[int, list[tuple[str, str | None]]] = defaultdict(list)
    if not product_ids:
        return found
    rows = session.exec(
        select(Lot.product_id, Shipment.sale_point, Shipment.province)
        .join(Lot, col(Lot.id) == col(Shipment.lot_id))
        .where(col(Lot.product_id).in_(product_ids), col(Shipment.sale_point).is_not(None))
        .order_by(col(Shipment.ledger_index).desc())
    ).all()
    for product_id, name, province in rows:
        if product_id is None:
            continue
        places = found[product_id]
        if name and (name, province) not in places and len(places) < SALE_POINTS:
            places.append((name, province))
    return found


def _signed(session: Session, entry: CatalogueEntry) -> tuple[SignedPhoto | None, tuple[Shop, ...]]:
    """The photo and shops of the entry's product, from its signed profile."""
    if entry.profile_index is None:
        return None, ()
    product = session.get(Product, entry.product_id)
    profile = signed_profile(session, product) if product is not None else None
    return (profile.photo, profile.shops) if profile is not None else (None, ())


def catalogue(session: Session, filters: Filters, today: date) -> CataloguePage:
    """One page of the certified products matching ``filters`` (best stars first, then by name)."""
    everything = _certified(session, today)
    wanted = fold(filters.q)
    province = _now(filters.province) if filters.province else ""  # an old name finds its new province
    chosen = [
        e
        for e in everything
        if (not province or e.province == province)
        and (not filters.group or e.group == filters.group)
        and e.stars >= filters.stars
        and (not wanted or wanted in fold(f"{e.name} {e.producer}"))
    ]
    pages = max(1, -(-len(chosen) // PAGE_SIZE))
    page = min(max(1, filters.page), pages)
    shown = chosen[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    places = _sale_points(session, [e.product_id for e in shown])
    shown = [
        CatalogueEntry(
            e.product_id,
            e.name,
            e.group,
            e.unit,
            e.gtin,
            e.stars,
            e.valid_until,
            e.producer,
            e.province,
            places.get(e.product_id, []),
            e.profile_index,
            *_signed(session, e),
            e.province_written,
        )  # fmt: skip
        for e in shown
    ]
    return CataloguePage(
        entries=shown,
        total=len(chosen),
        page=page,
        pages=pages,
        provinces=sorted({e.province for e in everything}, key=fold),
        province=province,
        groups=sorted({e.group for e in everything}),
    )
