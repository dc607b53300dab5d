"""Helpers for the scanner tests: demo package serials, bundles fetched through the real API."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session, select

from tracer.models.lots import Package
from tracer.platform.services import services
from tracer.scans.recorder import ScanRecorder


def serials_of(app: Flask, lot_id: str) -> list[str]:
    """The serials packed from ``lot_id``, in packing order."""
    with Session(services(app).engine) as session:
        rows = session.exec(select(Package.serial).where(Package.lot_id == lot_id).order_by(Package.position))
        return list(rows)


def log_key(app: Flask) -> str:
    from tracer.platform import db, journal

    with app.app_context(), db.engine().connect() as conn:
        return journal.store().verifier_key(conn)


@pytest.fixture
def bundle_of(demo_app: Flask, demo_client: Any) -> Any:
    def fetch(serial: str) -> dict[str, Any]:
        response = demo_client.get(f"/api/v1/packages/{serial}/proof")
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()  # type: ignore[no-any-return]

    return fetch


@pytest.fixture(autouse=True)
def _write_scans_before_the_database_goes(request: pytest.FixtureRequest) -> Any:
    """Proof requests queue scans; write them while the test's database still exists."""
    # Asked for now, so that demo_app is set up before and torn down after this fixture.
    app = request.getfixturevalue("demo_app") if "demo_app" in request.fixturenames else None
    yield
    if app is not None:
        recorder = services(app).existing(ScanRecorder)
        if recorder is not None:
            recorder.close()
