"""GET listings and records under /api/v1: zones, lots (with lineage), packages, products, certificates,
organisations. Paged as ``{"items": [...], "next": cursor|null}`` (``?limit=1..200&cursor=`` or ``&offset=``).

Every route but ``/products`` needs a bearer token or a login session; what a producer sees is scoped to its
organisation by ``tracer.reads.listings``. The views parse parameters, call one listing function and render.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from tracer.accounts.auth import current_actor
from tracer.api import schemas
from tracer.api.http import answer, choice_arg, identifier, int_arg, page_args, query_arg
from tracer.codes import gs1
from tracer.models.lots import Package
from tracer.platform import db
from tracer.platform.services import services
from tracer.reads import listings

bp = Blueprint("reads", __name__)
LOT_STATUSES = ("active", "used", "packaged", "recalled")


def _page() -> dict[str, Any]:
    limit, cursor, offset = page_args()
    return {"limit": limit, "cursor": cursor, "offset": offset}


def _listing(page: listings.Page, model: type[schemas.Public]) -> Response:
    return answer(
        {
            "items": [model.model_validate(row).model_dump(mode="json") for row in page.items],
            "next": page.next,
        }
    )


def _id(raw: str, name: str) -> str:
    checked = identifier(raw, name)
    assert checked is not None
    return checked


def _base_url() -> str:
    return str(services().settings.public_url)


def package_public(package: Package, gtin: str | None) -> schemas.PackagePublic:
    uri = gs1.package_link(_base_url(), gtin, package.lot_id, package.serial)
    return schemas.PackagePublic.model_validate({**package.model_dump(), "uri": uri})


@bp.get("/zones")
def zones() -> Response:
    actor = current_actor()
    return _listing(listings.zones(db.session(), actor, **_page()), schemas.ZonePublic)


@bp.get("/zones/<zone_id>")
def zone(zone_id: str) -> Response:
    actor = current_actor()
    return answer(schemas.ZonePublic.model_validate(listings.zone(db.session(), actor, _id(zone_id, "zone"))))


@bp.get("/lots")
def lots() -> Response:
    actor = current_actor()
    status = choice_arg("status", ("any", *LOT_STATUSES), "any")
    found = listings.lots(db.session(), actor, status=None if status == "any" else status, **_page())
    return _listing(found, schemas.LotPublic)


@bp.get("/lots/<lot_id>")
def lot(lot_id: str) -> Response:
    actor = current_actor()
    session = db.session()
    lot_id = _id(lot_id, "lot")
    found = listings.lot(session, actor, lot_id)
    events = [
        schemas.LotEventPublic(
            ledger_index=e.ledger_index, type=r.type, role=e.role, occurred_on=r.occurred_on
        )
        for e, r in listings.lot_events(session, lot_id)
    ]
    return answer(schemas.LotDetail.model_validate({**found.model_dump(), "events": events}))


@bp.get("/lots/<lot_id>/lineage")
def lineage(lot_id: str) -> Response:
    actor = current_actor()
    direction = choice_arg("direction", ("back", "forward"), "back")
    lot_id = _id(lot_id, "lot")
    view = listings.lineage(db.session(), actor, lot_id, direction)
    harvests = [
        schemas.HarvestPublic(
            ledger_index=item.created_index or 0,
            lot_id=item.id,
            zone_id=item.zone_id,
            harvested_on=item.produced_on,
            quantity=item.quantity,
            unit=item.unit,
        )
        for item in view.lots
        if item.zone_id
    ]
    result = schemas.LineagePublic(
        lot_id=lot_id,
        direction=direction,
        lots=[schemas.LotPublic.model_validate(item) for item in view.lots],
        edges=[schemas.EdgePublic.model_validate(edge) for edge in view.edges],
        zones=[schemas.ZonePublic.model_validate(place) for place in view.zones],
        harvests=harvests if direction == "back" else [],
        packages=schemas.PackageSample(
            count=view.package_count, sample=[package_public(p, g) for p, g in view.package_sample]
        )
        if direction == "forward"
        else None,
    )
    return answer(result)


@bp.get("/packages")
def packages() -> Response:
    actor = current_actor()
    lot_id = identifier(query_arg("lot_id"), "lot_id")
    found = listings.packages(db.session(), actor, lot_id=lot_id, **_page())
    items = [package_public(p, g).model_dump(mode="json") for p, g in found.items]
    return answer({"items": items, "next": found.next})


@bp.get("/packages/<serial>")
def package(serial: str) -> Response:
    actor = current_actor()
    found, gtin = listings.package(db.session(), actor, _id(serial, "package"))
    return answer(package_public(found, gtin))


@bp.get("/products")
def products() -> Response:
    organisation_id = int_arg("organisation_id", low=1)
    return _listing(
        listings.products(db.session(), organisation_id=organisation_id, **_page()), schemas.ProductPublic
    )


@bp.get("/certificates")
def certificates() -> Response:
    current_actor()
    product_id = int_arg("product_id", low=1)
    return _listing(
        listings.certificates(db.session(), product_id=product_id, **_page()), schemas.CertificatePublic
    )


@bp.get("/organisations")
def organisations() -> Response:
    current_actor()
    return _listing(listings.organisations(db.session(), **_page()), schemas.OrganisationPublic)
