"""What the API's GET listings read: one query function per listing, scoped to who is asking, paged.

Producers see their own organisation's zones, lots and packages; inspectors, the programme office and
admins see everything. Something another organisation holds is reported as not found, never as forbidden,
so its existence is not revealed. Pages are keyset-paged on a stable order (an opaque ``cursor``) or, for
simple clients, by ``offset``. A cursor is opaque to clients but not trusted: it is read back only if each
value has its key column's type and fits it (an id within 32 bits, an identifier of letters and digits),
since the database would refuse anything else with an error rather than an empty page.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, tuple_
from sqlmodel import Session, col, func, select

from tracer.accounts.actors import Actor
from tracer.events.lineage import lineage as lot_lineage
from tracer.models.accounts import Role
from tracer.models.events import EventRecord, LotEvent
from tracer.models.lots import Lot, Package
from tracer.models.organisations import Organisation
from tracer.models.products import Certificate, Product
from tracer.models.zones import Zone
from tracer.platform import bounds
from tracer.platform.errors import BadParameter, NotFound
from tracer.platform.messages import Message

SEE_ALL = frozenset({Role.INSPECTOR, Role.AUTHORITY, Role.ADMIN})
SAMPLE = 20
KEY_TEXT = re.compile(r"[0-9A-Za-z]{1,64}")  # zone, lot and certificate ids, serials


@dataclass(frozen=True)
class Page:
    items: list[Any]
    next: str | None


def _encode(values: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).decode().rstrip("=")


def _fits(value: Any, key: Any) -> bool:
    """Whether ``value`` has the type of the key column ``key`` and fits it."""
    if key.type.python_type is int:
        return isinstance(value, int) and not isinstance(value, bool) and bounds.fits_column(value)
    return isinstance(value, str) and KEY_TEXT.fullmatch(value) is not None


def _decode(cursor: str, keys: Sequence[Any]) -> list[Any]:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError):
        values = None
    if (
        not isinstance(values, list)
        or len(values) != len(keys)
        or not all(_fits(value, key) for value, key in zip(values, keys, strict=True))
    ):
        raise BadParameter(Message.CURSOR_INVALID, field="cursor")
    return values


def paginate(
    session: Session,
    query: Select[Any],
    keys: Sequence[Any],
    *,
    limit: int,
    cursor: str | None,
    offset: int | None,
) -> Page:
    """One page of ``query`` ordered by ``keys`` (unique together); ``next`` is the cursor after it."""
    query = query.order_by(*keys)
    if cursor is not None:
        query = query.where(tuple_(*keys) > tuple_(*_decode(cursor, keys)))
    elif offset:
        query = query.offset(offset)
    rows = list(session.exec(query.limit(limit + 1)).all())  # type: ignore[call-overload]
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1] if rows else None
    return Page(items=rows, next=_encode(_key_values(last, keys)) if more and last is not None else None)


def _key_values(row: Any, keys: Sequence[Any]) -> list[Any]:
    first = row[0] if isinstance(row, tuple) or hasattr(row, "_mapping") else row
    return [getattr(first, key.key) for key in keys]


def _scoped(actor: Actor, column: Any) -> ColumnElement[bool] | None:
    if actor.role in SEE_ALL:
        return None
    return col(column) == actor.require_organisation()


def _where(query: Select[Any], condition: ColumnElement[bool] | None) -> Select[Any]:
    return query if condition is None else query.where(condition)


def zones(session: Session, actor: Actor, **page: Any) -> Page:
    return paginate(
        session, _where(select(Zone), _scoped(actor, Zone.organisation_id)), [col(Zone.id)], **page
    )


def zone(session: Session, actor: Actor, zone_id: str) -> Zone:
    found = session.get(Zone, zone_id)
    if found is None or (actor.role not in SEE_ALL and found.organisation_id != actor.organisation_id):
        raise NotFound(f"no zone {zone_id}")
    return found


def lots(session: Session, actor: Actor, *, status: str | None = None, **page: Any) -> Page:
    query = _where(select(Lot), _scoped(actor, Lot.organisation_id))
    if status is not None:
        query = query.where(col(Lot.status) == status)
    return paginate(session, query, [col(Lot.id)], **page)


def lot(session: Session, actor: Actor, lot_id: str) -> Lot:
    found = session.get(Lot, lot_id)
    if found is None or (actor.role not in SEE_ALL and found.organisation_id != actor.organisation_id):
        raise NotFound(f"no lot {lot_id}")
    return found


def lot_events(session: Session, lot_id: str) -> list[tuple[LotEvent, EventRecord]]:
    """Every event that touched the lot, oldest first, with its type and date."""
    query = (
        select(LotEvent, EventRecord)
        .join(EventRecord, col(EventRecord.ledger_index) == LotEvent.ledger_index)
        .where(LotEvent.lot_id == lot_id)
        .order_by(col(LotEvent.ledger_index))
    )
    return [(event, record) for event, record in session.exec(query)]


def packages(session: Session, actor: Actor, *, lot_id: str | None = None, **page: Any) -> Page:
    """Packages with their product's GTIN: rows of ``(Package, gtin)``."""
    query = select(Package, Product.gtin).join(Product, col(Product.id) == Package.product_id)
    scope = _scoped(actor, Lot.organisation_id)
    if scope is not None:
        query = query.join(Lot, col(Lot.id) == Package.lot_id).where(scope)
    if lot_id is not None:
        query = query.where(col(Package.lot_id) == lot_id)
    return paginate(session, query, [col(Package.serial)], **page)  # type: ignore[arg-type]


def package(session: Session, actor: Actor, serial: str) -> tuple[Package, str | None]:
    found = session.get(Package, serial)
    holder = session.get(Lot, found.lot_id) if found is not None else None
    if (
        found is None
        or holder is None
        or (actor.role not in SEE_ALL and holder.organisation_id != actor.organisation_id)
    ):
        raise NotFound(f"no package {serial}")
    product = session.get(Product, found.product_id)
    return found, product.gtin if product is not None else None


def products(session: Session, *, organisation_id: int | None = None, **page: Any) -> Page:
    query = select(Product)
    if organisation_id is not None:
        query = query.where(col(Product.organisation_id) == organisation_id)
    return paginate(session, query, [col(Product.id)], **page)


def certificates(session: Session, *, product_id: int | None = None, **page: Any) -> Page:
    query = select(Certificate)
    if product_id is not None:
        query = query.where(col(Certificate.product_id) == product_id)
    return paginate(session, query, [col(Certificate.id)], **page)


def organisations(session: Session, **page: Any) -> Page:
    return paginate(session, select(Organisation), [col(Organisation.id)], **page)


@dataclass(frozen=True)
class LineageView:
    lots: list[Lot]
    edges: list[Any]
    zones: list[Zone]
    package_count: int
    package_sample: list[tuple[Package, str | None]]


def lineage(session: Session, actor: Actor, lot_id: str, direction: str) -> LineageView:
    """Back to the zones and harvests, or forward to every lot and package (one recursive query each)."""
    lot(session, actor, lot_id)
    found = lot_lineage(session, lot_id, direction)
    ids = [item.id for item in found.lots]
    if direction == "back":
        zone_ids = sorted({item.zone_id for item in found.lots if item.zone_id})
        places = list(session.exec(select(Zone).where(col(Zone.id).in_(zone_ids)))) if zone_ids else []
        return LineageView(found.lots, found.edges, places, 0, [])
    count = session.exec(select(func.count()).select_from(Package).where(col(Package.lot_id).in_(ids))).one()
    sample = session.exec(
        select(Package, Product.gtin)
        .join(Product, col(Product.id) == Package.product_id)
        .where(col(Package.lot_id).in_(ids))
        .order_by(col(Package.packaging_index), col(Package.position))
        .limit(SAMPLE)
    )
    return LineageView(found.lots, found.edges, [], int(count), [(p, g) for p, g in sample])
