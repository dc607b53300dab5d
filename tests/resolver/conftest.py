"""Helpers for resolver tests: the demo's packages, their URIs, the scans table."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlmodel import col

from tracer.codes.gs1 import DigitalLink, build_uri
from tracer.models.lots import Package
from tracer.models.products import Product
from tracer.models.scans import Scan
from tracer.platform import db
from tracer.scans import recorder as scans


@dataclass(frozen=True)
class Pkg:
    serial: str
    lot: str
    gtin: str | None

    @property
    def path(self) -> str:
        return build_uri("", DigitalLink(self.gtin, self.lot if self.gtin else None, self.serial))


def packages(app: Flask, lot_id: str) -> list[Pkg]:
    with app.app_context():
        rows = (
            db.session()
            .exec(
                select(Package.serial, Package.lot_id, Product.gtin)
                .join(Product, col(Product.id) == Package.product_id)
                .where(Package.lot_id == lot_id)
                .order_by(Package.position)
            )
            .all()
        )
    return [Pkg(*row) for row in rows]


def scan_rows(app: Flask, **where: object) -> list[Scan]:
    with app.app_context():
        scans.flush()
        query = select(Scan)
        for key, value in where.items():
            query = query.where(getattr(Scan, key) == value)
        return list(db.session().exec(query).scalars())


def count_scans(app: Flask) -> int:
    with app.app_context():
        scans.flush()
        return int(db.session().exec(select(func.count()).select_from(Scan)).scalar_one())


@pytest.fixture
def gac(demo_app: Flask, demo) -> Pkg:  # type: ignore[no-untyped-def]
    return packages(demo_app, demo.lots["gac_oil"])[0]


@pytest.fixture
def sausage(demo_app: Flask, demo) -> Pkg:  # type: ignore[no-untyped-def]
    return packages(demo_app, demo.lots["sausage_recalled"])[0]
