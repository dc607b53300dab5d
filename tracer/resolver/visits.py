"""One scan of a package, from its code to the page: what the resolver's Flask view and its fast path share.

``look_up`` finds the package (one indexed statement, ``tracer.resolver.lookup``) and believes its row only if
its serial is in a signed serial commitment (``OriginCaches.genuine``: a row for a serial we never issued is
an unknown code, like no row at all); ``see`` records the scan
and returns the view; ``page`` assembles the origin page from its cached rendering. Nothing here touches
Flask: rendering is a callback, given by the caller, that runs only when the page is not cached yet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import render_template
from flask_babel import gettext
from markupsafe import escape

from tracer.codes import gs1
from tracer.codes.gs1 import ClassLink, DigitalLink
from tracer.codes.serials import SerialError, normalise_serial
from tracer.platform.clock import VIETNAM
from tracer.platform.i18n import format_day
from tracer.resolver.lookup import PackageRow, find_package
from tracer.resolver.origin import OriginCaches, OriginView, origin_view
from tracer.resolver.story import LotStory
from tracer.scans import recorder as scans
from tracer.scans import sources
from tracer.scans.unknown import UnknownCodes

__all__ = ["CachedPage", "Visit", "find", "look_up", "page", "parse_code", "see"]

SERIAL = "SERIAL0MARKER0PAGE"  # stand-ins in the cached page: URL- and HTML-safe, never a real value
SCANS = "SCANS0MARKER0PAGE"
#: Every resolver answer: open CORS (GS1 resolvers must be), and caches told what the answer varies by.
CORS = (
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Expose-Headers", "Link, Location, Content-Type, Content-Language"),
)
VARY = ("Accept", "Accept-Language")
COUNTED = "tracer.scan_counted"  # set in the WSGI environ once a scan of the request is recorded


def parse_code(path: str, query: str = "") -> DigitalLink | ClassLink:
    """The Digital Link in a request's path and query: a package's (the short form's serial read by
    Crockford's rules: it may be typed by hand), or a product's or lot's (``ClassLink``: no serial).
    ``gs1.GS1Error`` if it is not one."""
    link = gs1.parse_key_path(path, query)
    if isinstance(link, DigitalLink) and link.gtin is None:
        try:
            link = DigitalLink(None, None, normalise_serial(link.serial), link.expiry)
        except SerialError:
            pass
    return link


@dataclass(frozen=True, slots=True)
class Visit:
    """A request for a package's code, as the resolver saw it."""

    link: DigitalLink
    code: str  # the path and query as scanned
    client: str  # the client's address, hashed
    family: str  # the user agent's family
    counted: bool  # GET: the scan is recorded (HEAD is not)
    now: datetime
    source: str  # the client's network prefix, hashed (``tracer.scans.sources``)
    page_visit: bool  # a person's top-level visit (``sources.is_visit``): only these count

    @classmethod
    def of(cls, link: DigitalLink, *, code: str, secret_key: str, address: str, user_agent: str,
           counted: bool, headers: sources.Headers) -> Visit:  # fmt: skip
        """``headers``: the request's (``Sec-Fetch-*``, ``Accept``), to tell a page visit from an embed."""
        return cls(link, code, scans.client_hash(secret_key, address), scans.user_agent_family(user_agent),
                   counted, datetime.now(UTC), sources.source_of(secret_key, address),
                   sources.is_visit(headers))  # fmt: skip

    @property
    def counted_source(self) -> str | None:
        """The source a recorded scan counts under; None if it is not a page visit (never counted)."""
        return self.source if self.page_visit else None

    @property
    def bucket(self) -> int:
        return scans.hour_bucket(self.now)


@dataclass(frozen=True, slots=True)
class CachedPage:
    """An origin page rendered with the serial and the scan sentence left as markers, in UTF-8, and the
    scan sentence's two forms in the page's language (filled per scan)."""

    html: bytes
    once: str
    many: str


def find(caches: OriginCaches, visit: Visit) -> PackageRow | None:
    """The package of ``visit``; None if there is no row for its code, or the row's serial is not one the
    signed log says we issued (it is answered as an unknown code). Nothing is recorded."""
    row = find_package(caches.reader, visit.link, client=visit.client, bucket=visit.bucket, now=visit.now)
    return row if row is not None and caches.genuine(row) else None


def look_up(caches: OriginCaches, recorder: scans.ScanRecorder, visit: Visit,
            unknown: UnknownCodes | None = None) -> PackageRow | None:  # fmt: skip
    """The package of ``visit`` (``find``); None, recorded as an ``unknown`` scan, if we never issued it
    (unless its source has had its share of unknown codes recorded: ``unknown``, ``tracer.scans.unknown``)."""
    row = find(caches, visit)
    if row is None and visit.counted and (unknown is None or unknown.may_record(visit.source)):
        recorder.record(scans.ScanRequest(None, visit.code, "unknown", visit.client, visit.family, visit.now,
                                          gtin=visit.link.gtin))  # fmt: skip
    return row


def see(caches: OriginCaches, recorder: scans.ScanRecorder, visit: Visit, row: PackageRow, story: LotStory, *,
        public_url: str, threshold: int) -> OriginView:  # fmt: skip
    """Record the scan (if counted) and return what the page shows for it. Everything that reads the database
    comes before the recording: a failure leaves no scan behind."""
    checkpoint = caches.checkpoint()
    today = visit.now.astimezone(VIETNAM).date()
    expired = story.expires_on is not None and story.expires_on < today
    recalled = row.status == "recalled" or story.recalled
    outcome = "recalled" if recalled else "expired" if expired else "genuine"
    client, bucket = visit.client, visit.bucket
    if visit.counted:
        fresh = visit.page_visit and not row.seen and not recorder.pending(row.serial, client, bucket)
        scan = scans.ScanRequest(row.serial, visit.code, outcome, client, visit.family, visit.now,
                                 visit.counted_source)  # fmt: skip
        recorder.record(scan, fresh=fresh)
    # Counted scans not yet written; a tally written since our query is not counted twice for this client
    # (for other clients the page may be one off for the milliseconds between a batch's commit and its ack).
    twice = row.seen and recorder.pending(row.serial, client, bucket)
    queued = recorder.pending_count(row.serial) - (1 if twice else 0)
    return origin_view(row, story, public_url=public_url, today=today, checkpoint=checkpoint,
                       threshold=threshold, queued=max(0, queued))  # fmt: skip


def _page_key(view: OriginView, locale: str) -> tuple[object, ...]:
    """What the page depends on besides the serial and the scan sentence."""
    cp = (
        (view.checkpoint.size, view.checkpoint.witnesses, view.checkpoint.witnessed_at)
        if view.checkpoint
        else 0
    )
    return (view.story.key, locale, view.today, view.recalled, view.cert_valid, view.copy_warning,
            view.reviewed_on, cp)  # fmt: skip


def page(caches: OriginCaches, view: OriginView, locale: str, render: Callable[[], CachedPage]) -> bytes:
    """The origin page of ``view`` in ``locale``, UTF-8. All of it but the serial and the scan sentence is
    rendered once per story, language, day, warning state and checkpoint (``render`` on a miss): a page
    view is then two replacements in bytes."""
    cached: CachedPage = caches.pages.get(_page_key(view, locale), render)
    return _fill(cached, view)


_SERIAL, _SCANS = SERIAL.encode(), SCANS.encode()


def _fill(cached: CachedPage, view: OriginView) -> bytes:
    """``cached`` with this scan's serial and scan sentence put in."""
    day = format_day(view.first_scan)
    if view.scans == 1:
        sentence = cached.once % {"day": day}
    else:
        sentence = cached.many % {"num": view.scans, "day": day}
    serial = str(escape(view.serial)).encode()
    return cached.html.replace(_SERIAL, serial).replace(_SCANS, str(escape(sentence)).encode())


def render_page(view: OriginView) -> CachedPage:
    """Render the origin page of ``view`` for the cache (in a request context: the request's language)."""
    html = render_template("origin/page.html", view=view, serial=SERIAL, scans_text=SCANS)
    once, many = gettext("Scanned once, on %(day)s"), gettext("Scanned %(num)s times, first on %(day)s")
    return CachedPage(html.encode(), once, many)
