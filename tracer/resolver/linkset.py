"""RFC 9264 linksets for packages, products and lots, as a GS1-Conformant Resolver (1.2) serves them, and the
Link header.

Link relation types are the GS1 Web Vocabulary's (``https://gs1.org/voc/``): ``defaultLink`` and ``pip`` are
the code's page (Vietnamese and English), ``traceability`` the lot's EPCIS 2.0 events, ``certificationInfo``
the OCOP certificate section, ``recallStatus`` the status section, ``hasRetailers`` the product's e-commerce
shops (signed by its producer: ``tracer.events.profiles``; on the package's and the product's entries).
A linkset lists the requested item and each
level above it, one entry (anchor) each, as the Resolver standard asks ("any links associated with each level
up to the primary key SHALL be included"): a package's has the package, its lot (``/01/{gtin}/10/{lot}``, or
``/id/lot/{lot}`` without a GTIN) and its product (``/01/{gtin}``); a lot's has the lot and the product.
Every entry has an ``itemDescription`` and every link an ``href`` and a ``title``; the default link has
nothing else (GS1's linkset schema, ``gs1-linkset-schema.json``, allows no more). Titles follow the request's
language. The linkset's JSON-LD context is GS1's (``LINKSET_CONTEXT``), named by a Link header.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from flask_babel import gettext as _

from tracer.codes.gs1 import ClassLink, build_uri
from tracer.events.profiles import Shop
from tracer.platform.i18n import format_day
from tracer.resolver.origin import OriginView
from tracer.resolver.story import Cert, LotStory

__all__ = [
    "GS1_VOC",
    "JSON_LD_CONTEXT_REL",
    "LINKSET_CONTEXT",
    "LINKSET_TYPE",
    "Anchor",
    "Links",
    "certification_links",
    "link_header",
    "links",
    "linkset",
    "linkset_header",
    "product_anchor",
    "page_links",
    "recall_links",
    "retailer_links",
    "relation",
    "resolver_description",
    "traceability_links",
]

GS1_VOC = "https://gs1.org/voc/"
LINKSET_TYPE = "application/linkset+json"
#: GS1's immutable JSON-LD context for linksets (Resolver standard 1.2.0, artefacts), which turns one into
#: JSON-LD; named by a Link header with this relation type.
LINKSET_CONTEXT = "https://ref.gs1.org/standards/resolver/1.2.0/linkset-context"
JSON_LD_CONTEXT_REL = "http://www.w3.org/ns/json-ld#context"
#: The namespaces a link type may be given in (``?linkType=``): the GS1 Web Vocabulary's IRIs, old and new
#: (``https://ref.gs1.org/voc/pip`` is ``gs1:pip`` is ``https://gs1.org/voc/pip``).
_VOC_NAMESPACES = tuple(f"{scheme}://{host}/voc/" for scheme in ("https", "http")
                        for host in ("gs1.org", "www.gs1.org", "ref.gs1.org"))  # fmt: skip


def _with(uri: str, query: str) -> str:
    return f"{uri}{'&' if '?' in uri else '?'}{query}"


Links = dict[str, list[dict[str, Any]]]


@dataclass(frozen=True, slots=True)
class Anchor:
    """One entry of a linkset: the URI of an item (a package, a lot, a product), what it is, its links."""

    uri: str
    description: str
    links: Links


def relation(link_type: str) -> str:
    """The link relation (a full GS1 Web Vocabulary IRI) that ``link_type`` names: ``gs1:pip`` or the IRI in
    any of the vocabulary's namespaces; another value is returned as it is (and matches nothing)."""
    if link_type.startswith("gs1:"):
        return GS1_VOC + link_type.removeprefix("gs1:")
    for namespace in _VOC_NAMESPACES:
        if link_type.startswith(namespace):
            return GS1_VOC + link_type.removeprefix(namespace)
    return link_type


def page_links(uri: str, title: str) -> Links:
    """``defaultLink`` and ``pip``: the page at ``uri`` itself, in Vietnamese and English. The default link
    carries only ``href`` and ``title`` (GS1's linkset schema)."""
    return {
        GS1_VOC + "defaultLink": [{"href": uri, "title": title}],
        GS1_VOC + "pip": [
            {"href": _with(uri, "lang=vi"), "title": title, "type": "text/html", "hreflang": ["vi"]},
            {"href": _with(uri, "lang=en"), "title": title, "type": "text/html", "hreflang": ["en"]},
        ],
    }


def traceability_links(public_url: str, lot_id: str) -> Links:
    return {GS1_VOC + "traceability": [{
        "href": f"{public_url}/api/v1/epcis/events?lot={quote(lot_id, safe='')}",
        "title": _("Traceability events of lot %(lot)s (EPCIS 2.0)", lot=lot_id),
        "type": "application/ld+json",
    }]}  # fmt: skip


def certification_links(uri: str, cert: Cert | None, valid: bool) -> Links:
    """``certificationInfo``: the page's OCOP section, if the product has a certificate."""
    if cert is None:
        return {}
    if valid:
        title = _("OCOP %(stars)s stars, decision %(no)s, valid until %(day)s", stars=cert.stars,
                  no=cert.decision_no, day=format_day(cert.valid_until))  # fmt: skip
    else:
        title = _("OCOP certificate %(no)s expired on %(day)s", no=cert.decision_no,
                  day=format_day(cert.valid_until))  # fmt: skip
    return {GS1_VOC + "certificationInfo": [{"href": uri + "#ocop", "title": title, "type": "text/html"}]}


def recall_links(uri: str, recalled: bool, reason: str | None) -> Links:
    status = _("Recalled: %(reason)s", reason=reason or "") if recalled else _("Not recalled")
    return {GS1_VOC + "recallStatus": [{"href": uri + "#status", "title": status, "type": "text/html"}]}


def retailer_links(shops: Sequence[Shop]) -> Links:
    """``hasRetailers``: where to buy the product online, as its producer signed it."""
    if not shops:
        return {}
    return {GS1_VOC + "hasRetailers": [{"href": s.url, "title": s.label, "type": "text/html"} for s in shops]}


def _lot_anchor(public_url: str, story: LotStory, recalled: bool, cert_valid: bool) -> Anchor:
    """The lot a package was packed from: ``/01/{gtin}/10/{lot}``, or its own identifier without a GTIN."""
    if story.gtin is None:
        uri = f"{public_url}/id/lot/{quote(story.lot_id, safe='')}"
        title = _("Lot %(lot)s", lot=story.lot_id)
        return Anchor(uri, title, {**page_links(uri, title), **traceability_links(public_url, story.lot_id),
                                   **recall_links(uri, recalled, story.recall_reason)})  # fmt: skip
    uri = build_uri(public_url, ClassLink(story.gtin, story.lot_id))
    title = _("Lot %(lot)s of %(name)s", lot=story.lot_id, name=story.product_name)
    return Anchor(uri, title, {
        **page_links(uri, title), **traceability_links(public_url, story.lot_id),
        **certification_links(uri, story.certificate, cert_valid),
        **recall_links(uri, recalled, story.recall_reason),
    })  # fmt: skip


def product_anchor(public_url: str, gtin: str, name: str, cert: Cert | None, cert_valid: bool,
                   shops: Sequence[Shop] = ()) -> Anchor:  # fmt: skip
    """A product, by its GTIN: ``/01/{gtin}``, its page, its OCOP certificate and where to buy it."""
    uri = build_uri(public_url, ClassLink(gtin))
    return Anchor(uri, name, {**page_links(uri, _("Product: %(name)s", name=name)),
                              **certification_links(uri, cert, cert_valid),
                              **retailer_links(shops)})  # fmt: skip


def links(view: OriginView, public_url: str) -> list[Anchor]:
    """A package's linkset entries: the package, then its lot, then its product (if it has a GTIN)."""
    story, uri = view.story, view.uri
    package = Anchor(uri, _("%(name)s, lot %(lot)s, package %(serial)s", name=story.product_name,
                            lot=story.lot_id, serial=view.serial), {
        **page_links(uri, _("Product origin: %(name)s", name=story.product_name)),
        **traceability_links(public_url, story.lot_id),
        **certification_links(uri, story.certificate, view.cert_valid),
        **recall_links(uri, view.recalled, story.recall_reason),
        **retailer_links(story.shops),
    })  # fmt: skip
    levels = [package, _lot_anchor(public_url, story, view.recalled, view.cert_valid)]
    if story.gtin is not None:
        levels.append(product_anchor(public_url, story.gtin, story.product_name, story.certificate,
                                     view.cert_valid, story.shops))  # fmt: skip
    return levels


def linkset(anchors: Sequence[Anchor]) -> dict[str, Any]:
    """The RFC 9264 JSON linkset of ``anchors`` (the requested item first, then the levels above it)."""
    return {"linkset": [{"anchor": a.uri, "itemDescription": a.description, **a.links} for a in anchors]}


def link_header(uri: str) -> str:
    """RFC 8288 Link header of code ``uri``: the linkset itself, the canonical (uncompressed) URI and the
    default link, each with a title (the Resolver standard: every link exposed has one)."""
    return ", ".join([
        f'<{_with(uri, "linkType=linkset")}>; rel="linkset"; type="{LINKSET_TYPE}"; title="Linkset"',
        f'<{uri}>; rel="owl:sameAs"; title="Canonical GS1 Digital Link URI"',
        f'<{uri}>; rel="{GS1_VOC}defaultLink"; type="text/html"; title="Default link"',
    ])  # fmt: skip


def linkset_header(uri: str) -> str:
    """The Link header of a linkset response: ``link_header`` and the JSON-LD context that makes the linkset
    JSON-LD (Resolver standard 1.2, linkset context)."""
    return f'{link_header(uri)}, <{LINKSET_CONTEXT}>; rel="{JSON_LD_CONTEXT_REL}"; type="application/ld+json"'


#: Why an unknown serial is not walked up (said in ``/.well-known/gs1resolver``).
UNKNOWN_SERIAL = (
    "A well-formed package code (/01/{gtin}/10/{lot}/21/{serial} or /p/{serial}) whose serial OCOP Tracer "
    "never issued, or issued under another GTIN or lot, answers 404 with a page that says the product may be "
    "counterfeit, and is recorded as an unknown scan. Serials are random and unguessable, so an unknown one "
    "is the sign of a made-up code: it is deliberately not walked up to its lot or GTIN, whose pages would "
    "make it look genuine. A package code with a consumer product variant (AI 22) is never ours either: "
    "OCOP Tracer issues none."
)


def resolver_description(public_url: str) -> dict[str, Any]:
    """``/.well-known/gs1resolver``: what this resolver supports (GS1-Conformant Resolver 1.2, section 3)."""
    return {
        "name": "OCOP Tracer",
        "resolverRoot": public_url,
        "supportedLinkType": [{"namespace": GS1_VOC, "prefix": "gs1:",
                               "profile": "https://gs1.org/voc/?show=linktypes"}],
        "supportedPrimaryKeys": ["01"],
        "linkTypeDefaultCanBeLinkset": False,
        "linksetMediaType": LINKSET_TYPE,
        "jsonLdContextLocation": LINKSET_CONTEXT,
        "supportedContextValuesEnumerated": [],
        "supportedLanguages": ["vi", "en"],
        "uriForms": [
            {"path": "/01/{gtin}/10/{lot}/21/{serial}", "description": "a package: its origin page"},
            {"path": "/01/{gtin}/10/{lot}", "description": "a product's lot: journey, recall status; a lot "
                                                            "we do not know walks up to the GTIN"},
            {"path": "/01/{gtin}/22/{cpv}", "description": "a consumer product variant: walks up to the GTIN "
                                                           "(OCOP Tracer records no variants)"},
            {"path": "/01/{gtin}", "description": "a product: its producer and OCOP certificate"},
            {"path": "/{compressed}", "description": "a compressed GS1 Digital Link (also /01/{gtin}/"
                                                     "{compressed}): answered as its uncompressed URI"},
        ],
        "shortForm": {"path": "/p/{serial}", "description": "packages of products without a GTIN (not a GS1 "
                                                           "Digital Link: GS1 tools do not read it)"},
        "unknownSerial": UNKNOWN_SERIAL,
        "linkTypes": [GS1_VOC + t for t in
                      ("defaultLink", "pip", "traceability", "certificationInfo", "recallStatus")],
    }  # fmt: skip
