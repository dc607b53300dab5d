"""Class-level codes (GS1 Digital Link URI syntax 1.2, section 4): ``/01/{gtin}`` names a product and
``/01/{gtin}/10/{lot}`` one of its lots, not a package.

A browser gets the product's page (producer, OCOP certificate) or the lot's page (its journey and recall
status, the origin page's parts without a package's); ``Accept: application/json`` a JSON document;
``application/linkset+json`` or ``?linkType=all`` the linkset (``gs1:pip``, ``gs1:certificationInfo``, and for
a lot ``gs1:traceability`` and ``gs1:recallStatus``). Nothing is recorded: only a package's code is a scan.
A lot of the product that nothing was packed from yet: 307 to its own identifier, ``/id/lot/{lot}``.
A lot we do not know under a GTIN we know walks up to the GTIN (Resolver standard 1.2: the nearest level that
has links): the product's page and linkset, the page saying the lot is not one of the product's. So does a
consumer product variant (AI 22): OCOP Tracer records none. Unknown product: 404, a page or problem+json.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Response, current_app, redirect, render_template, request
from flask_babel import gettext as _

from tracer.codes.gs1 import ClassLink
from tracer.platform import clock, db
from tracer.platform.services import services
from tracer.resolver import negotiation
from tracer.resolver.classes import ClassView, class_view, find_product, lot_key, lot_of_product
from tracer.resolver.linkset import (
    Anchor,
    certification_links,
    page_links,
    product_anchor,
    recall_links,
    traceability_links,
)
from tracer.resolver.origin import caches as origin_caches

__all__ = ["answer", "class_links", "document"]


def answer(link: ClassLink) -> Response:
    """The answer for a product's or a lot's code."""
    settings = services().settings
    session = db.session()
    product = find_product(session, link.gtin, settings.public_url)
    if product is None:
        return negotiation.not_found(f"no product of OCOP Tracer has GTIN {link.gtin}",
                                     "origin/unknown_class.html", lot=None)  # fmt: skip
    story, asked = None, None
    if link.lot is not None and link.cpv is None:
        key = lot_key(session, product.id, link.lot)
        if key is None and lot_of_product(session, product.id, link.lot):  # nothing packed from it yet
            return _to_lot_id(link.lot)
        if key is None:
            asked = link.lot  # not a lot of this GTIN: walk up to the GTIN
        else:
            story = origin_caches(current_app).lot_story(key, link.lot, db.session)
    view = class_view(product, story, public_url=settings.public_url, today=clock.today(), asked_lot=asked)
    return negotiation.answer(view.uri, lambda: class_links(view, settings.public_url),
                              lambda _locale: _page(view), lambda: document(view))  # fmt: skip


def _to_lot_id(lot: str) -> Response:
    """A lot of the product with no package yet: its page is the lot's own identifier's (``/id/lot/{lot}``),
    until packages give it a journey; 307, as GS1 resolvers redirect, keeping the query (``?lang=``)."""
    query = request.query_string.decode("ascii", "replace")
    target = f"/id/lot/{quote(lot, safe='')}" + (f"?{query}" if query else "")
    return redirect(target, code=307)  # type: ignore[return-value]


def _page(view: ClassView) -> bytes:
    template = "origin/product.html" if view.story is None else "origin/lot.html"
    return render_template(template, view=view).encode()


def class_links(view: ClassView, public_url: str) -> list[Anchor]:
    """A product's linkset entry, or a lot's and then its product's."""
    product, story = view.product, view.story
    top = product_anchor(
        public_url, product.gtin, product.name, product.certificate, view.product_cert_valid, product.shops
    )
    if story is None:
        return [top]
    title = _("Lot %(lot)s of %(name)s", lot=story.lot_id, name=product.name)
    return [Anchor(view.uri, title, {
        **page_links(view.uri, title),
        **traceability_links(public_url, story.lot_id),
        **certification_links(view.uri, view.certificate, view.cert_valid),
        **recall_links(view.uri, view.recalled, story.recall_reason),
    }), top]  # fmt: skip


def document(view: ClassView) -> dict[str, Any]:
    """The JSON document of a product's or a lot's code: what its page shows, as data."""
    product, cert, story = view.product, view.certificate, view.story
    out: dict[str, Any] = {
        "uri": view.uri,
        "level": "product" if story is None else "lot",
        "gtin": product.gtin,
        "product": {"name": product.name, "description": product.description,
                    "photoUrl": product.photo.og if product.photo else None,
                    "shops": [{"label": s.label, "url": s.url} for s in product.shops]},
        "producer": {"name": product.producer.name, "kind": product.producer.kind,
                     "place": product.producer.place},  # fmt: skip
        "ocop": None if cert is None else {
            "stars": cert.stars, "decisionNo": cert.decision_no, "issuingLevel": cert.issuing_level,
            "issuedOn": cert.issued_on.isoformat(), "validUntil": cert.valid_until.isoformat(),
            "valid": view.cert_valid,
        },
        "note": _("Each package carries its own code: scan it to check that the package is genuine."),
    }  # fmt: skip
    if view.asked_lot is not None:
        out["unknownLot"] = view.asked_lot  # the code's lot is not one of the product's: this is the product
    if story is not None:
        out["lot"] = {
            "id": story.lot_id, "name": story.lot_name, "packedOn": story.packed_on.isoformat(),
            "expiresOn": story.expires_on.isoformat() if story.expires_on else None,
            "recalled": view.recalled, "recallReason": story.recall_reason if view.recalled else None,
            "journey": [{"step": s.kind, "on": s.on.isoformat() if s.on else None} for s in story.steps],
        }  # fmt: skip
    return out
