"""Scans: every resolution of a package code, counted for consumers and watched by inspectors."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from tracer.models.types import UTCDateTime, utcnow


class Scan(SQLModel, table=True):
    __tablename__ = "scans"
    id: int | None = Field(default=None, primary_key=True)
    serial: str | None = Field(default=None, max_length=20, index=True)  # None for codes we never issued
    code: str = Field(max_length=300)  # the URI or path as scanned
    outcome: str = Field(max_length=20)  # genuine | unknown | recalled | expired
    scanned_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    client_hash: str = Field(max_length=64)
    user_agent_family: str = Field(default="", max_length=40)
    latitude: str | None = Field(default=None, max_length=12)  # coarse, only when the visitor shares it
    longitude: str | None = Field(default=None, max_length=12)
    province: str | None = Field(default=None, max_length=100)
