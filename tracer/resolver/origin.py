"""The origin page's view model: what a consumer sees after scanning a package (issue 6).

``origin_view`` combines the cached story of the package's lot (``story``: journey, producer, certificate,
signatures; built once per packaging event) with what changes per scan: the package's status, the dates
against today, the scan tally and the copy warning, the latest checkpoint of the ledger and when witnesses
last confirmed it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import Flask
from sqlalchemy import func, select
from sqlmodel import Session

from tracer.codes.gs1 import package_link
from tracer.codes.issued import IssuedSerials, issued_serials
from tracer.ledger.schema import ledger_checkpoints, ledger_cosignatures
from tracer.platform.clock import VIETNAM
from tracer.platform.fastread import FastReader
from tracer.platform.services import services
from tracer.resolver.lookup import PackageRow, claim_of
from tracer.resolver.story import Cert, LotStory, StoryKey, build_story
from tracer.resolver.story_cache import LRU

__all__ = ["Checkpoint", "OriginCaches", "OriginView", "caches", "cert_valid_on", "origin_view"]

CHECKPOINT_TTL = 10.0  # seconds a worker reuses the latest checkpoint it read


@dataclass(frozen=True, slots=True)
class Checkpoint:
    size: int
    at: datetime
    # the newest checkpoint the witnesses cosigned (c2sp.org/tlog-cosignature): its size, how many
    # witnesses, and the newest cosignature's time in Vietnam time ("verified as of"); 0 and None if none
    witnessed_size: int = 0
    witnesses: int = 0
    witnessed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class OriginView:
    story: LotStory
    serial: str
    uri: str
    today: date
    recalled: bool
    cert_valid: bool  # a certificate valid today: stars may be shown
    cert_expired: bool  # there is a certificate, but it is no longer valid
    product_expired: bool
    scans: int  # counted scans, this one included when it counts
    first_scan: date | None
    copy_warning: bool  # unsigned advice from scans (``tracer.scans.signal``), never part of the verdict
    travel_warning: bool  # the advice is about two far places (else: too many networks)
    reviewed_on: date | None  # an inspector's signed pass of this package (it cleared what came before)
    checkpoint: Checkpoint | None

    @property
    def outcome(self) -> str:
        """How this scan is recorded: recalled, expired or genuine."""
        return "recalled" if self.recalled else "expired" if self.product_expired else "genuine"

    @property
    def stars(self) -> int:
        return self.story.certificate.stars if self.cert_valid and self.story.certificate else 0


_LATEST = (
    select(ledger_checkpoints.c.size, ledger_checkpoints.c.created_at)
    .order_by(ledger_checkpoints.c.size.desc())
    .limit(1)
)
_WITNESSED = (
    select(
        ledger_cosignatures.c.size,
        func.count().label("witnesses"),
        func.max(ledger_cosignatures.c.timestamp).label("newest"),
    )
    .group_by(ledger_cosignatures.c.size)
    .order_by(ledger_cosignatures.c.size.desc())
    .limit(1)
)


class OriginCaches:
    """What one app (one gunicorn worker) keeps between scans: lot stories, rendered pages, the checkpoint,
    and the serials found in the signed log."""

    def __init__(self, reader: FastReader, issued: IssuedSerials) -> None:
        self.reader = reader
        self.issued = issued
        self.stories = LRU[LotStory](1024)
        self.pages = LRU[Any](2048)  # rendered origin pages (tracer.resolver.visits.CachedPage)
        self._checkpoint: tuple[float, Checkpoint | None] = (0.0, None)

    @staticmethod
    def story_key(row: PackageRow) -> StoryKey:
        return StoryKey(row.packaging_index, row.lot_stamp, row.cert_stamp, row.profile_stamp)

    def genuine(self, row: PackageRow) -> bool:
        """Whether ``row``'s serial was issued, as the signed log says (``tracer.codes.issued``): only then
        is the row believed. Verified once per serial and worker; a miss reads the log on a connection of
        its own."""
        return self.issued.issued(claim_of(row), self.reader.engine.connect)

    def story(self, row: PackageRow, session: Callable[[], Session]) -> LotStory:
        """The lot story of ``row`` from the cache, built with ``session()`` on a miss."""
        return self.lot_story(self.story_key(row), row.lot_id, session)

    def lot_story(self, key: StoryKey, lot_id: str, session: Callable[[], Session]) -> LotStory:
        """The story of lot ``lot_id`` as packaged by ``key``'s event, from the cache (shared by package pages
        and the lot's own class-level page), built with ``session()`` on a miss."""
        public_url = services().settings.public_url
        return self.stories.get(key, lambda: build_story(session(), key, lot_id, public_url))

    def checkpoint(self) -> Checkpoint | None:
        """The latest checkpoint, read at most once every ``CHECKPOINT_TTL`` seconds."""
        read_at, value = self._checkpoint
        now = time.monotonic()
        if value is not None and now - read_at < CHECKPOINT_TTL:
            return value
        row = self.reader.first(_LATEST, {})
        witnessed = self.reader.first(_WITNESSED, {}) if row is not None else None
        value = None
        if row is not None and witnessed is not None:
            at = datetime.fromtimestamp(int(witnessed["newest"]), VIETNAM)
            value = Checkpoint(int(row["size"]), row["created_at"], int(witnessed["size"]),
                               int(witnessed["witnesses"]), at)  # fmt: skip
        elif row is not None:
            value = Checkpoint(int(row["size"]), row["created_at"])
        self._checkpoint = (now, value)
        return value


def caches(app: Flask) -> OriginCaches:
    """``app``'s origin caches (made on first use)."""
    return services(app).made(OriginCaches, lambda found: OriginCaches(found.reader, issued_serials(app)))


def cert_valid_on(cert: Cert | None, today: date) -> bool:
    """Whether ``cert`` is valid ``today``: only then may the product show its OCOP stars."""
    return cert is not None and cert.issued_on <= today <= cert.valid_until and cert.stars >= 1


def origin_view(row: PackageRow, story: LotStory, *, public_url: str, today: date, threshold: int,
                queued: int, checkpoint: Checkpoint | None) -> OriginView:  # fmt: skip
    """The page for package ``row``; ``queued``: counted scans not yet written (this one included)."""
    cert = story.certificate
    cert_valid = cert_valid_on(cert, today)
    scans = row.scans + queued
    first = (
        row.first_scan.astimezone(VIETNAM).date()
        if row.first_scan is not None
        else (today if scans else None)
    )
    return OriginView(
        story=story,
        serial=row.serial,
        uri=package_link(public_url, row.gtin, row.lot_id, row.serial),
        today=today,
        recalled=row.status == "recalled" or story.recalled,
        cert_valid=cert_valid,
        cert_expired=cert is not None and not cert_valid,
        product_expired=story.expires_on is not None and story.expires_on < today,
        scans=scans,
        first_scan=first,
        copy_warning=row.copy.public(threshold),
        travel_warning=row.copy.far_sources > 0,
        reviewed_on=row.copy.reviewed_at.astimezone(VIETNAM).date() if row.copy.reviewed_at else None,
        checkpoint=checkpoint,
    )
