"""package: a processed lot becomes N packages with random serials, committed to by one Merkle root.

The event body carries the root and count; the serial list itself is kept beside the ledger in
``serial_batches`` (checked against the root whenever it is read back), so a signed event of a few hundred
bytes covers 10,000 packages and each package still has a short inclusion proof. EPCIS: a TransformationEvent
(``commissioning``) from the quantity of the lot used to the packages' GS1 Digital Link URIs.
"""

from __future__ import annotations

import base64
from datetime import timedelta
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert
from sqlmodel import Session, col, select

from tracer.accounts.actors import Actor
from tracer.codes import serials as serial_codes
from tracer.events import balance, journey, pipeline
from tracer.events.commands import Package as PackageCommand
from tracer.events.eventtype import Body, EpcisTerms, EventType
from tracer.events.journey import Journey, Step
from tracer.events.rules import held_lot, not_in_future, own_product
from tracer.ledger.appender import Appender
from tracer.ledger.errors import VerificationError
from tracer.models import rows
from tracer.models.accounts import Role
from tracer.models.events import EventRecord, LotEvent, SerialBatch
from tracer.models.lots import Lot, Package
from tracer.platform.errors import RuleViolation
from tracer.platform.messages import Message


def record_packaging(
    *, session: Session, actor: Actor, command: PackageCommand, ledger: Appender
) -> pipeline.Recorded:
    actor.require(Role.PRODUCER)
    org = actor.require_organisation()
    lot = held_lot(session, org, command.lot_id, "lot_id")
    product = own_product(session, org, command.product_id, "product_id")
    not_in_future(command.packed_on, "packed_on")
    if command.packed_on < lot.produced_on:
        raise RuleViolation(Message.PACKED_BEFORE_PRODUCED, field="packed_on", lot=lot.id)
    used = command.quantity_used if command.quantity_used is not None else lot.remaining
    if used > lot.remaining or used <= 0:
        raise RuleViolation(
            Message.PACKAGE_OVERDRAW,
            field="quantity_used",
            lot=lot.id,
            remaining=lot.remaining,
            unit=lot.unit,
            quantity=used,
        )
    net_content, each = balance.net_content_of(command.net_content, product)
    balance.check_packaging(lot, command.count, net_content, each, used)
    expires = command.expires_on
    if expires is None and product.shelf_life_days:
        expires = command.packed_on + timedelta(days=product.shelf_life_days)
    if expires is not None and expires <= command.packed_on:
        raise RuleViolation(Message.EXPIRY_NOT_AFTER_PACKING, field="expires_on")
    serials = _fresh_serials(session, command.count)
    fields = {
        "lot_id": lot.id,
        "product_id": product.id,
        "count": command.count,
        "net_content": net_content,
        "quantity_used": used,
        "packed_on": command.packed_on,
        "expires_on": expires,
        "serials_root": base64.b64encode(serial_codes.serials_root(serials)).decode("ascii"),
    }
    body = pipeline.body_of(actor, command.type, fields)
    return pipeline.commit(session, ledger, actor, body, _store_serials(serials))


def _fresh_serials(session: Session, count: int) -> list[str]:
    """``count`` new serials, none already in use (60 random bits each: a clash is rare, but checked)."""
    serials = serial_codes.new_serials(count)
    for start in range(0, len(serials), 500):
        chunk = serials[start : start + 500]
        taken = set(session.exec(select(Package.serial).where(col(Package.serial).in_(chunk))))
        if taken:
            return _fresh_serials(session, count)
    return serials


def _store_serials(serials: list[str]) -> pipeline.Projector:
    def project(session: Session, index: int, body: dict[str, Any]) -> None:
        session.add(SerialBatch(ledger_index=index, serials="\n".join(serials)))
        session.flush()
        project_packaging(session, index, body)

    return project


def batch_serials(session: Session, index: int, body: dict[str, Any]) -> list[str]:
    """The serial list of the packaging event at ``index``, checked against the root it signed."""
    batch = session.get(SerialBatch, index)
    if batch is None:
        raise VerificationError(f"packaging event {index} has no serial list", index=index)
    serials = batch.serials.split("\n")
    if len(serials) != body["count"] or serial_codes.serials_root(serials) != base64.b64decode(
        body["serials_root"]
    ):
        raise VerificationError(
            f"serial list of packaging event {index} does not match its signed root", index=index
        )
    return serials


def project_packaging(session: Session, index: int, body: dict[str, Any]) -> None:
    serials = batch_serials(session, index, body)
    lot = session.get(Lot, body["lot_id"])
    assert lot is not None
    lot.remaining = lot.remaining - Decimal(body["quantity_used"])
    if lot.remaining == 0:
        lot.status = "packaged"
    session.add(lot)
    session.add(rows.new(LotEvent, lot_id=lot.id, ledger_index=index, role="packaged"))
    session.flush()
    packed_on = pipeline.day(body["packed_on"])
    expires_on = pipeline.maybe_day(body.get("expires_on"))
    packages = [
        {
            "serial": s,
            "lot_id": lot.id,
            "product_id": body["product_id"],
            "packaging_index": index,
            "position": i,
            "packed_on": packed_on,
            "expires_on": expires_on,
            "net_content": body["net_content"],
            "status": "active",
        }
        for i, s in enumerate(serials)
    ]
    session.connection().execute(insert(Package), packages)


def packaging_epcis(terms: EpcisTerms, index: int, body: Body) -> dict[str, Any]:
    """A TransformationEvent: the quantity of the bulk lot used becomes the package serials (instance-level
    GS1 Digital Link URIs); packaging is not containment, and a lot is a class, not an instance that could
    be an aggregation's parent."""
    lot_id = body["lot_id"]
    event: dict[str, Any] = {
        "type": "TransformationEvent",
        **terms.times(body, body["packed_on"]),
        "inputQuantityList": [terms.quantity(lot_id, body["quantity_used"])],
        "outputEPCList": [terms.package(lot_id, s) for s in batch_serials(terms.session, index, body)],
        "bizStep": "commissioning",
        "disposition": "active",
        "ocop:netContent": body["net_content"],
        "ocop:serialsRoot": body["serials_root"],
    }
    if body.get("expires_on"):
        event["ocop:expiresOn"] = body["expires_on"]
    return event


def packaging_step(story: Journey, record: EventRecord, body: Body) -> Step:
    lot = story.lots.get(body["lot_id"])
    return Step(
        "package",
        record.occurred_on,
        name=str(body["count"]),
        organisation=story.org_name(record.organisation_id),
        detail=body["net_content"],
        quantity=journey.quantity(body["quantity_used"], lot.unit if lot else ""),
        signature=story.signed(record),
    )


PACKAGE = EventType(
    command=PackageCommand,
    record=record_packaging,
    project=project_packaging,
    created=lambda body: {
        "lot_id": body["lot_id"],
        "serial_count": body["count"],
        "serials_root": body["serials_root"],
    },
    location=lambda created: f"packages?lot_id={created['lot_id']}",
    signers=("org",),
    epcis=packaging_epcis,
    step=packaging_step,
    step_kind="package",
    step_title=_l("Packaging"),
)
