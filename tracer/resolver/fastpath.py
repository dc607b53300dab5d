"""The origin page's fast path: a plain GET of a package's code, answered before Flask.

Scans are the requests that come in floods (a shelf of packages, a market inspection, a copied code), and
their page is rendered once per lot, language and state. This WSGI layer, inside ProxyFix and outside
Flask, answers them with the resolver's own functions (``tracer.resolver.visits``): look the package up
(one statement), record the scan (queued; written in batches), fill the cached page with the serial and
the scan sentence. Flask is entered, in a request context, only to build a story or render a page that is
not cached yet.

Everything else goes to Flask untouched and is answered there as before: HEAD, a query string (``?lang=``,
``?linkType=``, ``?17=``), an Accept asking for JSON or a linkset, a product's or a lot's code
(``/01/{gtin}``, ``/01/{gtin}/10/{lot}``: not a package, not a scan), a code that does not parse or that we
never issued (a counterfeit page, recorded there; a ``packages`` row whose serial is not in the signed log
counts as never issued: ``visits.find``), and any error before the scan is recorded (a database
that does not answer gets its 503 from Flask). After the scan is recorded, a failure goes to Flask with the
scan marked as counted (``visits.COUNTED``), so it is not counted twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from tracer.codes.gs1 import DigitalLink
from tracer.platform import db, security
from tracer.platform.i18n import best_language
from tracer.platform.services import services
from tracer.resolver import visits
from tracer.resolver.linkset import link_header
from tracer.resolver.origin import caches as origin_caches
from tracer.scans import recorder as scans
from tracer.scans import sources

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from flask import Flask

    from config.settings import Settings

__all__ = ["OriginFastPath"]

log = logging.getLogger(__name__)
T = TypeVar("T")


class OriginFastPath:
    def __init__(self, wsgi_app: WSGIApplication, app: Flask) -> None:
        self.wsgi_app = wsgi_app
        self.app = app
        self.settings: Settings = services(app).settings
        self.headers = (
            *security.headers(behind_tls=self.settings.behind_tls),
            *visits.CORS,
            ("Vary", ", ".join(visits.VARY)),
            ("Cache-Control", "no-store"),  # every scan is counted and shows the current status
            ("Content-Type", "text/html; charset=utf-8"),
        )

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        answer = self._answer(environ) if _plain_page_request(environ) else None
        if answer is None:
            return self.wsgi_app(environ, start_response)
        headers, body = answer
        start_response("200 OK", headers)
        return [body]

    def _answer(self, environ: WSGIEnvironment) -> tuple[list[tuple[str, str]], bytes] | None:
        app, settings = self.app, self.settings
        path = environ["PATH_INFO"]
        try:
            link = visits.parse_code(path)
            if not isinstance(link, DigitalLink):
                return None  # a product's or a lot's code: not a package scan, Flask answers it
            visit = visits.Visit.of(link, code=path, secret_key=settings.secret_key,
                                    address=environ.get("REMOTE_ADDR", ""),
                                    user_agent=environ.get("HTTP_USER_AGENT", ""), counted=True,
                                    headers=sources.environ_headers(environ))  # fmt: skip
            caches = origin_caches(app)
            row = visits.find(caches, visit)
            if row is None:
                return None  # Flask records the unknown code and answers the counterfeit page
            story = caches.stories.peek(caches.story_key(row))
            if story is None:
                story = self._in_flask(environ, lambda: caches.story(row, db.session))
            recorder = scans.recorder_for(app)
            view = visits.see(caches, recorder, visit, row, story, public_url=settings.public_url,
                              threshold=settings.scan_warning_threshold)  # fmt: skip
        except Exception:  # a bad code, a database away: Flask answers it as it answers any request
            log.debug("origin fast path: left to Flask", exc_info=True)
            return None
        environ[visits.COUNTED] = True
        locale = best_language(environ.get("HTTP_ACCEPT_LANGUAGE", ""))
        try:
            render = lambda: self._in_flask(environ, lambda: visits.render_page(view))  # noqa: E731 (only on a miss)
            body = visits.page(caches, view, locale, render)
            links = link_header(view.uri)
        except Exception:
            log.exception("origin fast path: page failed; Flask answers it (scan already counted)")
            return None
        headers = [*self.headers, ("Link", links), ("Content-Language", locale),
                   ("Content-Length", str(len(body)))]  # fmt: skip
        return headers, body

    def _in_flask(self, environ: WSGIEnvironment, work: Callable[[], T]) -> T:
        """``work()`` in a request context of this request (rendering, the ORM session), torn down after."""
        with self.app.request_context(environ):
            return work()


def _plain_page_request(environ: WSGIEnvironment) -> bool:
    path: Any = environ.get("PATH_INFO", "")
    return (
        environ.get("REQUEST_METHOD") == "GET"
        and (path.startswith("/01/") or path.startswith("/p/"))
        and not environ.get("QUERY_STRING")
        and "json" not in environ.get("HTTP_ACCEPT", "")
    )
