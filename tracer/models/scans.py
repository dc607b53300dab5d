"""Scans: every resolution of a package code, counted for consumers and watched by inspectors."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index
from sqlmodel import Field, SQLModel

from tracer.models.types import UTCDateTime, utcnow


class Scan(SQLModel, table=True):
    __tablename__ = "scans"
    id: int | None = Field(default=None, primary_key=True)
    serial: str | None = Field(default=None, max_length=20, index=True)  # None for codes we never issued
    code: str = Field(max_length=300)  # the URI or path as scanned
    outcome: str = Field(max_length=20, index=True)  # genuine | unknown | recalled | expired
    scanned_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    client_hash: str = Field(max_length=64)
    user_agent_family: str = Field(default="", max_length=40)
    latitude: str | None = Field(default=None, max_length=12)  # coarse, only when the visitor shares it
    longitude: str | None = Field(default=None, max_length=12)
    province: str | None = Field(default=None, max_length=100)
    source: str | None = Field(default=None, max_length=32)  # a page visit's source (tracer.scans.sources)
    # An unknown code's GTIN (GTIN-14), when it names one: unknown codes are grouped by product in SQL.
    gtin: str | None = Field(default=None, max_length=14)

    # A product's unknown codes, newest first (the anomaly list's examples) without reading them all.
    __table_args__ = (Index("ix_scans_gtin_scanned_at", "gtin", "scanned_at"),)


class ScanTally(SQLModel, table=True):
    """One counted scan: a client counts at most once per serial per hour, so nobody can inflate a count."""

    __tablename__ = "scan_tallies"
    serial: str = Field(primary_key=True, max_length=20)
    client_hash: str = Field(primary_key=True, max_length=64)
    bucket: int = Field(primary_key=True, sa_type=BigInteger)  # hours since the epoch
    first_at: datetime = Field(sa_type=UTCDateTime)


class ScanCount(SQLModel, table=True):
    """The counted scans of a serial (its ``scan_tallies`` rows) and the first, kept up by the scan writer:
    the origin page reads one row instead of counting tallies that grow with every scan."""

    __tablename__ = "scan_counts"
    serial: str = Field(primary_key=True, max_length=20)
    scans: int = Field(default=0)
    first_at: datetime = Field(sa_type=UTCDateTime)


class ScanSource(SQLModel, table=True):
    """One source (network prefix, ``tracer.scans.sources``) that visited a package's page on one day: the
    copy signal counts distinct sources, never requests or addresses."""

    __tablename__ = "scan_sources"
    serial: str = Field(primary_key=True, max_length=20)
    source: str = Field(primary_key=True, max_length=32)
    day: int = Field(primary_key=True, sa_type=BigInteger)  # days since the epoch (UTC)
    first_at: datetime = Field(sa_type=UTCDateTime)


class ScanFlag(SQLModel, table=True):
    """A sign that a code was copied: ``source`` is one of the networks that saw it in one of two places too
    far apart at the same time, each place seen by several networks (``tracer.scans.signal``)."""

    __tablename__ = "scan_flags"
    serial: str = Field(primary_key=True, max_length=20)
    kind: str = Field(primary_key=True, max_length=20)  # travel
    source: str = Field(primary_key=True, max_length=32)
    day: int = Field(sa_type=BigInteger)  # days since the epoch (UTC) of flagged_at: flags expire by day
    flagged_at: datetime = Field(sa_type=UTCDateTime)
    detail: str = Field(default="", max_length=300)


class FakeReport(SQLModel, table=True):
    """A shopper's report of a suspected fake (issue #20, item 6): what they saw, where, an optional photo.
    Not signed and not public: it reaches the inspectors' queue, who check it in the field."""

    __tablename__ = "fake_reports"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(default="", max_length=300)  # the code or serial the shopper reports, if any
    serial: str | None = Field(default=None, max_length=20, index=True)  # ours, when the code names one
    what: str = Field(max_length=1000)
    place: str | None = Field(default=None, max_length=200)
    province: str | None = Field(default=None, max_length=100)
    photo_sha256: str | None = Field(default=None, max_length=64)
    source: str = Field(max_length=32)  # the reporter's network prefix, hashed (tracer.scans.sources)
    reported_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
