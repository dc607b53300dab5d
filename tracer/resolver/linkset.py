"""RFC 9264 linksets for packages, as a GS1-Conformant Resolver (1.2) serves them, and the Link header.

Link relation types are the GS1 Web Vocabulary's (``https://gs1.org/voc/``): ``defaultLink`` and ``pip`` are
the origin page (Vietnamese and English), ``traceability`` the lot's EPCIS 2.0 events, ``certificationInfo``
the OCOP certificate section, ``recallStatus`` the status section. Titles follow the request's language.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask_babel import gettext as _

from tracer.i18n import format_day
from tracer.origin import OriginView

__all__ = ["GS1_VOC", "LINKSET_TYPE", "link_header", "linkset", "resolver_description"]

GS1_VOC = "https://gs1.org/voc/"
LINKSET_TYPE = "application/linkset+json"


def _with(uri: str, query: str) -> str:
    return f"{uri}{'&' if '?' in uri else '?'}{query}"


def links(view: OriginView, public_url: str) -> dict[str, list[dict[str, Any]]]:
    """Link relation (full GS1 URI) -> target objects, in the order a linkset lists them."""
    story, uri = view.story, view.uri
    page_title = _("Product origin: %(name)s", name=story.product_name)
    out: dict[str, list[dict[str, Any]]] = {
        GS1_VOC + "defaultLink": [
            {"href": uri, "title": page_title, "type": "text/html", "hreflang": ["vi"]},
        ],
        GS1_VOC + "pip": [
            {"href": _with(uri, "lang=vi"), "title": page_title, "type": "text/html", "hreflang": ["vi"]},
            {"href": _with(uri, "lang=en"), "title": page_title, "type": "text/html", "hreflang": ["en"]},
        ],
        GS1_VOC + "traceability": [{
            "href": f"{public_url}/api/v1/epcis/events?lot={quote(story.lot_id, safe='')}",
            "title": _("Traceability events of lot %(lot)s (EPCIS 2.0)", lot=story.lot_id),
            "type": "application/ld+json",
        }],
    }  # fmt: skip
    cert = story.certificate
    if cert is not None:
        if view.cert_valid:
            title = _("OCOP %(stars)s stars, decision %(no)s, valid until %(day)s", stars=cert.stars,
                      no=cert.decision_no, day=format_day(cert.valid_until))  # fmt: skip
        else:
            title = _("OCOP certificate %(no)s expired on %(day)s", no=cert.decision_no,
                      day=format_day(cert.valid_until))  # fmt: skip
        out[GS1_VOC + "certificationInfo"] = [{"href": uri + "#ocop", "title": title, "type": "text/html"}]
    status = (
        _("Recalled: %(reason)s", reason=story.recall_reason or "") if view.recalled else _("Not recalled")
    )
    out[GS1_VOC + "recallStatus"] = [{"href": uri + "#status", "title": status, "type": "text/html"}]
    return out


def linkset(view: OriginView, public_url: str) -> dict[str, Any]:
    """The RFC 9264 JSON linkset of one package."""
    return {"linkset": [{"anchor": view.uri, **links(view, public_url)}]}


def link_header(view: OriginView) -> str:
    """RFC 8288 Link header: the linkset itself, the canonical URI and the default link."""
    return ", ".join([
        f'<{_with(view.uri, "linkType=linkset")}>; rel="linkset"; type="{LINKSET_TYPE}"',
        f'<{view.uri}>; rel="owl:sameAs"',
        f'<{view.uri}>; rel="{GS1_VOC}defaultLink"; type="text/html"',
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
        "shortForm": {"path": "/p/{serial}", "description": "packages of products without a GTIN"},
        "linkTypes": [GS1_VOC + t for t in
                      ("defaultLink", "pip", "traceability", "certificationInfo", "recallStatus")],
    }  # fmt: skip
