"""Checks shared by the event types: who holds a lot, dates not in the future, products of one's own."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session

from tracer.models.lots import Lot
from tracer.models.products import Product
from tracer.platform.clock import today
from tracer.platform.errors import InvalidInput, NotFound, RuleViolation
from tracer.platform.messages import Message

FUTURE_TOLERANCE = timedelta(days=1)  # clocks and time zones differ; a day later than that is a mistake


def not_in_future(day: date, field: str) -> None:
    if day > today() + FUTURE_TOLERANCE:
        raise InvalidInput(Message.DATE_IN_FUTURE, field=field, day=day.isoformat())


def held_lot(session: Session, organisation_id: int, lot_id: str, field: str) -> Lot:
    """The lot ``lot_id`` if this organisation holds it and it can still be used."""
    lot = session.get(Lot, lot_id)
    if lot is None or lot.organisation_id != organisation_id:
        # Another organisation's lot is reported as missing: its existence is not ours to reveal.
        raise NotFound(Message.LOT_NOT_OURS, field=field, lot=lot_id)
    if lot.status == "recalled":
        raise RuleViolation(Message.LOT_RECALLED, field=field, lot=lot_id)
    if lot.in_transit_to is not None:
        raise RuleViolation(Message.LOT_IN_TRANSIT, field=field, lot=lot_id)
    return lot


def own_product(session: Session, organisation_id: int, product_id: int, field: str) -> Product:
    product = session.get(Product, product_id)
    if product is None or product.organisation_id != organisation_id:
        raise NotFound(Message.PRODUCT_NOT_OURS, field=field, product=product_id)
    return product
