"""The identifiers of EPCIS documents that are not GS1 keys: ``/id/lot/{lot}`` (a lot of a product without a
GTIN, or a raw lot), ``/id/zone/{zone}`` (a raw-material zone) and ``/id/org/{id}`` (an organisation).

Answered like the resolver's codes (``negotiation``): a browser gets a page in the request's language (the
origin page's parts); ``Accept: application/json`` or ``application/ld+json`` a small JSON-LD document in
schema.org and GS1 Web Vocabulary terms (a lot as ``schema:SomeProducts`` with its ``manufacturer``, a zone as
``schema:Place``/``gs1:Place`` with ``address`` and ``geo``, an organisation as
``schema:Organization``/``gs1:Organization``); ``application/linkset+json`` or ``?linkType=all`` an RFC 9264
linkset (the page; for a lot also ``gs1:traceability`` and ``gs1:recallStatus``). What they show is what the
origin pages show (``ids``). Unknown identifier: 404; malformed: 400 (a page or problem+json). Nothing is
recorded: these are not scans, and the package fast path never sees them (it takes ``/01/`` and ``/p/``).
"""

from __future__ import annotations

from typing import Any

from flask import Response, render_template, url_for
from flask_babel import gettext as _

from tracer.platform import db, wording
from tracer.platform.services import services
from tracer.proofs.epcis import NAMESPACE
from tracer.resolver import negotiation
from tracer.resolver.ids import (
    Address,
    BadId,
    LotThing,
    OrgThing,
    Ref,
    ZoneThing,
    find,
    parse_id,
)
from tracer.resolver.linkset import Anchor, page_links, recall_links, traceability_links
from tracer.resolver.story import map_data

__all__ = ["CONTEXT", "answer", "document", "thing_links"]

SCHEMA = "http://schema.org/"
GS1 = "https://gs1.org/voc/"
CONTEXT = {"@vocab": SCHEMA, "schema": SCHEMA, "gs1": GS1, "ocop": NAMESPACE}  # ocop: the EPCIS export's
_TYPES = {"org": ["Organization", "gs1:Organization"], "zone": ["Place", "gs1:Place"]}

Thing = LotThing | ZoneThing | OrgThing


def answer(kind: str, value: str) -> Response:
    """The answer for the identifier ``/id/{kind}/{value}``."""
    try:
        parse_id(kind, value)
    except BadId as error:  # the page says why in the reader's language; problem+json keeps the English
        reason = wording.translate(error)
        return negotiation.refuse(error, "origin/unknown_id.html", reason=reason, value=value)
    thing = find(db.session(), kind, value)
    if thing is None:
        return negotiation.not_found(f"no {kind} of OCOP Tracer has the identifier {value}",
                                     "origin/unknown_id.html", reason=None, value=value)  # fmt: skip
    base = services().settings.public_url.rstrip("/")
    uri = _uri(base, kind, value)
    return negotiation.answer(uri, lambda: thing_links(thing, uri, base), lambda _locale: _page(kind, thing),
                              lambda: document(thing, base), json_ld=True)  # fmt: skip


def _uri(base: str, kind: str, value: str) -> str:
    return f"{base}/id/{kind}/{value}"


def _ref(base: str, ref: Ref) -> dict[str, Any]:
    return {"@id": _uri(base, ref.kind, ref.id), "@type": _TYPES[ref.kind], "name": ref.name}


def _page(kind: str, thing: Thing) -> bytes:
    maps = map_data([thing.zone]) if isinstance(thing, ZoneThing) else []
    return render_template("origin/identified.html", kind=kind, thing=thing, map_data=maps,
                           id_href=_href).encode()  # fmt: skip


def _href(ref: Ref) -> str:
    return url_for("resolver.identified", kind=ref.kind, value=ref.id)


def thing_links(thing: Thing, uri: str, base: str) -> list[Anchor]:
    """The linkset entry of a lot's, a zone's or an organisation's identifier (no level above it)."""
    if isinstance(thing, LotThing):
        title = _("Lot %(lot)s", lot=thing.id)
        return [Anchor(uri, title, {**page_links(uri, title), **traceability_links(base, thing.id),
                                    **recall_links(uri, thing.recalled, thing.recall_reason)})]  # fmt: skip
    if isinstance(thing, ZoneThing):
        title = _("Raw-material zone: %(name)s", name=thing.zone.name)
    else:
        title = _("Producer: %(name)s", name=thing.producer.name)
    return [Anchor(uri, title, page_links(uri, title))]


def _address(address: Address) -> dict[str, Any]:
    # Province > district > commune: schema.org's region and locality, and GS1's suburb for the commune.
    out: dict[str, Any] = {"@type": "PostalAddress"}
    if address.street:
        out["streetAddress"] = address.street
    return {**out, "gs1:addressSuburb": address.commune, "addressLocality": address.district,
            "addressRegion": address.province, "addressCountry": "VN"}  # fmt: skip


def document(thing: Thing, base: str) -> dict[str, Any]:
    """The JSON-LD document of an identifier: what its page shows, as linked data."""
    if isinstance(thing, LotThing):
        out: dict[str, Any] = {
            "@context": CONTEXT, "@id": _uri(base, "lot", thing.id), "@type": ["SomeProducts", "ocop:Lot"],
            "name": thing.name, "gs1:hasBatchLotNumber": thing.id,
            "productionDate": thing.produced_on.isoformat(),
            "manufacturer": _ref(base, thing.producer_ref),
            "ocop:recalled": thing.recalled,
        }  # fmt: skip
        if thing.zone is not None:
            out["ocop:harvestedFrom"] = _ref(base, thing.zone)
        if thing.recalled:
            out["ocop:recallReason"] = thing.recall_reason
        if thing.classes:  # the same lot under its GS1 key: /01/{gtin}/10/{lot}
            out["sameAs"] = [base + c.path for c in thing.classes]
        return out
    if isinstance(thing, ZoneThing):
        zone = thing.zone
        out = {"@context": CONTEXT, "@id": _uri(base, "zone", zone.id), "@type": _TYPES["zone"],
               "name": zone.name, "address": _address(thing.address), "ocop:crop": zone.crop}  # fmt: skip
        if zone.latitude and zone.longitude:
            out["geo"] = {"@type": "GeoCoordinates", "latitude": zone.latitude, "longitude": zone.longitude}
        out["hasMap"] = zone.osm_url
        if zone.area_ha:
            out["ocop:areaHectares"] = zone.area_ha
        if zone.certifications:
            out["ocop:certifications"] = [c.strip() for c in zone.certifications.split(",") if c.strip()]
        out["ocop:organization"] = _ref(base, thing.organisation_ref)
        return out
    card = thing.producer
    out = {"@context": CONTEXT, "@id": _uri(base, "org", thing.id), "@type": _TYPES["org"],
           "name": card.name, "gs1:organizationName": card.name, "ocop:kind": card.kind,
           "address": _address(thing.address)}  # fmt: skip
    if card.phone:
        out["telephone"] = card.phone
    return out
