"""RFC 9264 linksets for packages, products and lots, as a GS1-Conformant Resolver (1.2) serves them, and the
Link header.

Link relation types are the GS1 Web Vocabulary's (``https://gs1.org/voc/``): ``defaultLink`` and ``pip`` are
the code's page (Vietnamese and English), ``traceability`` the lot's EPCIS 2.0 events, ``certificationInfo``
the OCOP certificate section, ``recallStatus`` the status section. A package's linkset has them all; a
product's (``/01/{gtin}``) has the page and the certificate; a lot's (``/01/{gtin}/10/{lot}``) all but a
package's own. Titles follow the request's language.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask_babel import gettext as _

from tracer.platform.i18n import format_day
from tracer.resolver.origin import OriginView
from tracer.resolver.story import Cert

__all__ = [
    "GS1_VOC",
    "LINKSET_TYPE",
    "Links",
    "certification_links",
    "link_header",
    "links",
    "linkset",
    "page_links",
    "recall_links",
    "resolver_description",
    "traceability_links",
]

GS1_VOC = "https://gs1.org/voc/"
LINKSET_TYPE = "application/linkset+json"


def _with(uri: str, query: str) -> str:
    return f"{uri}{'&' if '?' in uri else '?'}{query}"


Links = dict[str, list[dict[str, Any]]]


def page_links(uri: str, title: str) -> Links:
    """``defaultLink`` and ``pip``: the page at ``uri`` itself, in Vietnamese and English."""
    return {
        GS1_VOC + "defaultLink": [{"href": uri, "title": title, "type": "text/html", "hreflang": ["vi"]}],
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


def links(view: OriginView, public_url: str) -> Links:
    """A package's links: relation (full GS1 URI) -> target objects, in the order a linkset lists them."""
    story, uri = view.story, view.uri
    return {
        **page_links(uri, _("Product origin: %(name)s", name=story.product_name)),
        **traceability_links(public_url, story.lot_id),
        **certification_links(uri, story.certificate, view.cert_valid),
        **recall_links(uri, view.recalled, story.recall_reason),
    }


def linkset(anchor: str, links: Links) -> dict[str, Any]:
    """The RFC 9264 JSON linkset of ``anchor`` (a package's or a class-level URI)."""
    return {"linkset": [{"anchor": anchor, **links}]}


def link_header(uri: str) -> str:
    """RFC 8288 Link header of code ``uri``: the linkset itself, the canonical URI and the default link."""
    return ", ".join([
        f'<{_with(uri, "linkType=linkset")}>; rel="linkset"; type="{LINKSET_TYPE}"',
        f'<{uri}>; rel="owl:sameAs"',
        f'<{uri}>; rel="{GS1_VOC}defaultLink"; type="text/html"',
    ])  # fmt: skip


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
        "supportedContextValues": [],
        "supportedLanguages": ["vi", "en"],
        "uriForms": [
            {"path": "/01/{gtin}/10/{lot}/21/{serial}", "description": "a package: its origin page"},
            {"path": "/01/{gtin}/10/{lot}", "description": "a product's lot: journey, recall status"},
            {"path": "/01/{gtin}", "description": "a product: its producer and OCOP certificate"},
        ],
        "shortForm": {"path": "/p/{serial}", "description": "packages of products without a GTIN"},
        "linkTypes": [GS1_VOC + t for t in
                      ("defaultLink", "pip", "traceability", "certificationInfo", "recallStatus")],
    }  # fmt: skip
