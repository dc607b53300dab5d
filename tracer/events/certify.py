"""certify: the programme authority records an OCOP certificate (stars, decision, validity).

Not an EPCIS event (it is about a product, not about goods), nor a step of a lot's journey: the origin page
shows the product's newest certificate on its own.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from tracer.accounts.actors import Actor
from tracer.codes.identifiers import new_certificate_id
from tracer.events import pipeline
from tracer.events.commands import Certify
from tracer.events.eventtype import EventType
from tracer.events.rules import not_in_future
from tracer.ledger.appender import Appender
from tracer.models import rows
from tracer.models.accounts import Role
from tracer.models.products import Certificate, Product
from tracer.platform.errors import InvalidInput, NotFound
from tracer.platform.messages import Message

VALIDITY_MONTHS = 36


def add_months(day: Any, months: int) -> Any:
    """``day`` plus ``months`` calendar months, clamped to the month's last day (29/02 -> 28/02)."""
    import calendar

    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def record_certificate(
    *, session: Session, actor: Actor, command: Certify, ledger: Appender
) -> pipeline.Recorded:
    actor.require(Role.AUTHORITY, Role.ADMIN)
    product = session.get(Product, command.product_id)
    if product is None:
        raise NotFound(Message.NO_PRODUCT, field="product_id", product=command.product_id)
    not_in_future(command.issued_on, "issued_on")
    valid_until = command.valid_until or add_months(command.issued_on, VALIDITY_MONTHS)
    if valid_until <= command.issued_on:
        raise InvalidInput(Message.VALIDITY_NOT_AFTER_ISSUE, field="valid_until")
    fields = {
        "certificate": {
            "id": new_certificate_id(),
            "product_id": product.id,
            "stars": command.stars,
            "decision_no": command.decision_no,
            "issuing_level": command.issuing_level,
            "issued_on": command.issued_on,
            "valid_until": valid_until,
        }
    }
    body = pipeline.body_of(actor, command.type, fields)
    return pipeline.commit(session, ledger, actor, body, project_certificate)


def project_certificate(session: Session, index: int, body: dict[str, Any]) -> None:
    cert = body["certificate"]
    session.add(
        rows.new(
            Certificate,
            id=cert["id"],
            product_id=cert["product_id"],
            stars=cert["stars"],
            decision_no=cert["decision_no"],
            issuing_level=cert["issuing_level"],
            issued_on=pipeline.day(cert["issued_on"]),
            valid_until=pipeline.day(cert["valid_until"]),
            ledger_index=index,
        )
    )


CERTIFY = EventType(
    command=Certify,
    record=record_certificate,
    project=project_certificate,
    created=lambda body: {
        "certificate_id": body["certificate"]["id"],
        "product_id": body["certificate"]["product_id"],
    },
    location=lambda created: f"certificates?product_id={created['product_id']}",
    signers=("authority",),
    epcis=None,
    step=None,
    step_kind="certify",
    step_title=None,
)
