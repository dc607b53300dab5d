"""An event in one plain sentence, in the reader's language (issue #19, item 4): "Thu hoạch 1.000 kg Quả gấc
chín từ Vườn gấc ấp số 2, ngày 22/10/2026".

Made from the event's body, the one the console shows to be confirmed before it is signed and the one the
receipt repeats after, so what was confirmed and what was signed read the same. Names not in the body
(a zone, an input lot, a product, an organisation) are looked up; numbers are written the reader's way
(``tracer.platform.numbers``), dates as dd/mm/yyyy.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext
from sqlmodel import Session

from tracer.models.lots import Lot
from tracer.models.organisations import Organisation
from tracer.models.products import Product
from tracer.models.zones import Zone
from tracer.platform import numbers
from tracer.platform.i18n import page_language


def _number(value: Any) -> str:
    try:
        return numbers.show(numbers.canonical(Decimal(str(value))), page_language())
    except (InvalidOperation, ValueError):
        return str(value)


def _day(value: Any) -> str:
    try:
        return date.fromisoformat(str(value)).strftime("%d/%m/%Y")
    except ValueError:
        return str(value)


def _lot(session: Session, lot_id: str) -> str:
    lot = session.get(Lot, lot_id)
    return f"{lot.name} ({lot_id})" if lot is not None else lot_id


def _lot_unit(session: Session, lot_id: str) -> str:
    lot = session.get(Lot, lot_id)
    return lot.unit if lot is not None else ""


def _product(session: Session, product_id: Any) -> str:
    product = session.get(Product, int(product_id)) if product_id is not None else None
    return product.name if product is not None else str(product_id)


def summary(session: Session, body: dict[str, Any]) -> str:
    """The sentence for an event body (any kind; an unknown one is named by its type)."""
    kind = body.get("type")
    if kind == "harvest":
        zone = session.get(Zone, body["zone_id"])
        lot = body["lot"]
        return gettext("Harvest %(quantity)s %(unit)s of %(name)s from %(zone)s, on %(day)s.",
                       quantity=_number(lot["quantity"]), unit=lot["unit"], name=lot["name"],
                       zone=zone.name if zone else body["zone_id"],
                       day=_day(body["harvested_on"]))  # fmt: skip
    if kind == "process":
        taken = "; ".join(f"{_number(i['quantity'])} {_lot_unit(session, i['lot_id'])} "
                          f"{_lot(session, i['lot_id'])}" for i in body["inputs"])  # fmt: skip
        made = "; ".join(f"{_number(o['quantity'])} {o['unit']} {o['name']}" for o in body["outputs"])
        return gettext("Process (%(step)s) on %(day)s: from %(taken)s, make %(made)s.", step=body["step"],
                       day=_day(body["processed_on"]), taken=taken, made=made)  # fmt: skip
    if kind == "package":
        unit = _lot_unit(session, body["lot_id"])
        text = gettext("Pack %(count)s packages of %(product)s × %(net_content)s, using %(used)s %(unit)s of "
                       "lot %(lot)s, on %(day)s.", count=_number(body["count"]),
                       product=_product(session, body["product_id"]), net_content=body["net_content"],
                       used=_number(body["quantity_used"]), unit=unit, lot=_lot(session, body["lot_id"]),
                       day=_day(body["packed_on"]))  # fmt: skip
        if body.get("expires_on"):
            text += " " + gettext("Best before %(day)s.", day=_day(body["expires_on"]))
        return text
    if kind == "ship":
        lot = _lot(session, body["lot_id"])
        if body.get("to_org") is not None:
            org = session.get(Organisation, int(body["to_org"]))
            return gettext("Ship lot %(lot)s to %(org)s, on %(day)s.", lot=lot,
                           org=org.name if org else body["to_org"], day=_day(body["shipped_on"]))  # fmt: skip
        point = body.get("sale_point") or {}
        place = ", ".join(p for p in (point.get("name"), point.get("address"), point.get("province")) if p)
        return gettext("Ship lot %(lot)s to the sale point %(place)s, on %(day)s.", lot=lot, place=place,
                       day=_day(body["shipped_on"]))  # fmt: skip
    if kind == "receive":
        return gettext("Receive lot %(lot)s, on %(day)s.", lot=_lot(session, body["lot_id"]),
                       day=_day(body["received_on"]))  # fmt: skip
    if kind == "recall":
        lots = ", ".join(_lot(session, lot_id) for lot_id in body["lot_ids"])
        return gettext("Recall %(lots)s. Reason: “%(reason)s”.", lots=lots, reason=body["reason"])
    if kind == "certify":
        cert = body.get("certificate", {})
        return gettext("Certify %(product)s with %(stars)s OCOP stars (decision %(decision)s), issued on "
                       "%(issued)s, valid until %(until)s.",
                       product=_product(session, cert.get("product_id")), stars=cert.get("stars", ""),
                       decision=cert.get("decision_no", ""),
                       issued=_day(cert.get("issued_on", "")),
                       until=_day(cert.get("valid_until", "")))  # fmt: skip
    if kind == "zone.register":
        zone = body.get("zone", body)
        place = ", ".join(p for p in (zone.get("address"), zone.get("commune"), zone.get("district"),
                                      zone.get("province")) if p)  # fmt: skip
        area = gettext(", %(area)s ha", area=_number(zone["area_ha"])) if zone.get("area_ha") else ""
        return gettext("Register the raw-material zone %(name)s (%(crop)s%(area)s) at %(place)s.",
                       name=zone.get("name", ""), crop=zone.get("crop", ""), area=area,
                       place=place)  # fmt: skip
    return str(kind)
