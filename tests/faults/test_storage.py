"""Disk full and a read-only database: a clear 503 naming the cause, and nothing half-written."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from tests.conftest import make_settings
from tests.support.accounts import GAC_PRODUCER, bearer
from tracer import create_app
from tracer.models.lots import Lot, Package
from tracer.platform.services import services


def _counts(app) -> tuple[int, int, int]:
    engine = services(app).engine
    with engine.connect() as conn:
        size = conn.exec_driver_sql("SELECT size FROM ledger_state").scalar_one()
        packages = conn.execute(select(func.count()).select_from(Package)).scalar_one()
        lots = conn.execute(select(func.count()).select_from(Lot)).scalar_one()
    return int(size), int(packages), int(lots)


def _packable_lot(app, headers) -> tuple[str, int]:
    lots = app.test_client().get("/api/v1/lots?limit=200", headers=headers).get_json()["items"]
    lot = next(item for item in lots if item["status"] == "active" and item.get("product_id"))
    return lot["id"], lot["product_id"]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_disk_full_answers_503_and_writes_nothing(demo_app):
    headers = bearer(demo_app, GAC_PRODUCER)
    lot_id, product_id = _packable_lot(demo_app, headers)
    engine = services(demo_app).engine
    with engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar_one()
    engine.dispose()

    @event.listens_for(engine, "connect")
    def _small_disk(dbapi_connection, _record):  # the file may grow by a few pages only: SQLITE_FULL
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages + 3}")

    before = _counts(demo_app)
    body = {
        "type": "package",
        "lot_id": lot_id,
        "product_id": product_id,
        "count": 5000,
        "net_content": "1 ml",  # 5 l of the lot: within the mass balance, so the write reaches the disk
        "quantity_used": "5",
        "packed_on": date.today().isoformat(),
    }
    response = demo_app.test_client().post("/api/v1/events", json=body, headers=headers)
    assert response.status_code == 503
    problem = response.get_json()
    assert "disk full or read-only" in problem["detail"]
    assert "Traceback" not in response.get_data(as_text=True)
    engine.dispose()
    event.remove(engine, "connect", _small_disk)
    assert _counts(demo_app) == before


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_read_only_database_answers_503_and_writes_nothing(demo_database_url, tmp_path: Path):
    path = demo_database_url.removeprefix("sqlite:///")
    readonly_url = f"sqlite:///file:{path}?mode=ro&uri=true"
    app = create_app(make_settings(readonly_url, tmp_path / "instance"))
    writable = create_app(make_settings(demo_database_url, tmp_path / "instance2"))
    headers = bearer(writable, GAC_PRODUCER)
    before = _counts(writable)
    zones = writable.test_client().get("/api/v1/zones", headers=headers).get_json()["items"]
    body = {
        "type": "harvest",
        "zone_id": zones[0]["id"],
        "name": "Quả gấc chín",
        "quantity": "10",
        "unit": "kg",
        "harvested_on": date.today().isoformat(),
    }
    response = app.test_client().post("/api/v1/events", json=body, headers=headers)
    assert response.status_code == 503
    assert "disk full or read-only" in response.get_json()["detail"]
    assert app.test_client().get("/healthz").status_code == 200  # reads still work
    assert _counts(writable) == before
    with sqlite3.connect(path) as conn:  # and the file is intact
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    for application in (app, writable):
        services(application).engine.dispose()
