"""Content negotiation for every code the resolver answers (GS1-Conformant Resolver 1.2, section 5).

A package's, a lot's and a product's code are answered the same way: ``?linkType=linkset`` (or ``all``) or
``Accept: application/linkset+json`` gets the RFC 9264 linkset (with a Link header naming its JSON-LD
context); ``?linkType=gs1:x`` (or the link type's IRI in any namespace of the GS1 Web Vocabulary) a 307 to
that link, of the item or else of the nearest level above it (404 if none has one), passing on the request's
query string but ``linkType`` (Resolver standard 1.2: "by default, SHALL pass on all key=value pairs in the
query string"); ``Accept: application/json`` the code's JSON document if it has one (else the linkset), and
``application/ld+json`` too when that document is JSON-LD (the ``/id/`` identifiers); a browser the page, in
the request's language. A code we do not know gets a page (404) or problem+json, as does one we refuse (400).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import Response, current_app, redirect, render_template, request

from tracer.platform.errors import NotFound, TracerError
from tracer.platform.i18n import request_language
from tracer.platform.problems import wants_problem_json
from tracer.resolver.linkset import LINKSET_TYPE, Anchor, link_header, linkset, linkset_header, relation

__all__ = ["JSON_LD", "answer", "not_found", "refuse", "wants_linkset"]

JSON = "application/json"
JSON_LD = "application/ld+json"


def _best_type(json_ld: bool = False) -> str | None:
    offered = ["text/html", LINKSET_TYPE, JSON, JSON_LD] if json_ld else ["text/html", LINKSET_TYPE, JSON]
    return request.accept_mimetypes.best_match(offered)


def wants_linkset() -> bool:
    """Whether the client asked, by its Accept header, for a linkset (or JSON) rather than a page."""
    return _best_type() in (LINKSET_TYPE, JSON)


def answer(uri: str, links: Callable[[], Sequence[Anchor]], page: Callable[[str], bytes],
           document: Callable[[], dict[str, Any]] | None = None, *,
           json_ld: bool = False) -> Response:  # fmt: skip
    """The answer for the code ``uri``: its linkset (``links()``: the item, then the levels above it), a
    redirect to one of their links, its JSON
    ``document()`` (a JSON-LD one if ``json_ld``: then also offered as ``application/ld+json``) or its
    ``page(locale)``, as asked. Answers are not stored by caches: they show the current status (a recall, a
    certificate)."""
    headers = [("Link", link_header(uri)), ("Cache-Control", "no-store")]
    link_type = request.args.get("linkType")
    wanted = _best_type(json_ld) if link_type is None else None
    if link_type in ("linkset", "all") or wanted == LINKSET_TYPE or (wanted == JSON and document is None):
        body = current_app.json.dumps(linkset(links()))
        headers[0] = ("Link", linkset_header(uri))
        return Response(body, headers=headers, content_type=LINKSET_TYPE)
    if wanted in (JSON, JSON_LD) and document is not None:
        return Response(current_app.json.dumps(document()), headers=headers, content_type=wanted)
    if link_type:
        response = _redirect(links(), link_type)
        response.headers.extend(headers)
        return response
    locale = request_language()
    headers.append(("Content-Language", locale))
    return Response(page(locale), headers=headers, content_type="text/html; charset=utf-8")


def _redirect(anchors: Sequence[Anchor], link_type: str) -> Response:
    """307 to the ``link_type`` link of the first level that has one, in the request's language if offered."""
    rel = relation(link_type)
    targets = next((a.links[rel] for a in anchors if a.links.get(rel)), None)
    if not targets:
        raise NotFound(f"no {link_type} link for this code", field="linkType")
    wanted = request_language()
    target = next((t for t in targets if wanted in t.get("hreflang", [])), targets[0])
    return redirect(passed_on(target["href"]), code=307)  # type: ignore[return-value]


def passed_on(href: str) -> str:
    """``href`` with the request's query string appended, but ``linkType`` (it chose the link) and any key the
    target sets itself (``lang``): the pairs as the client wrote them."""
    own = {unquote(pair.partition("=")[0]) for pair in urlsplit(href).query.split("&") if pair}
    kept = [pair for pair in request.query_string.decode("ascii", "replace").split("&")
            if pair and unquote(pair.partition("=")[0]) not in own | {"linkType"}]  # fmt: skip
    if not kept:
        return href
    base, hash_, fragment = href.partition("#")  # the query goes before a #fragment
    return f"{base}{'&' if '?' in base else '?'}{'&'.join(kept)}{hash_}{fragment}"


def not_found(detail: str, template: str, **context: Any) -> Response:
    """404 for a code we do not know: problem+json for API clients, else ``template`` (not stored by caches:
    the code may be issued later)."""
    return refuse(NotFound(detail), template, **context)


def refuse(error: TracerError, template: str, **context: Any) -> Response:
    """``error`` (a code we do not know, or cannot read) as problem+json for API clients, else ``template``
    with the error's status (not stored by caches)."""
    if wants_problem_json() or wants_linkset() or request.args.get("linkType"):
        raise error
    response = Response(render_template(template, **context), status=error.status, mimetype="text/html")
    response.cache_control.no_store = True
    return response
