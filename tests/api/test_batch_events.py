"""Batches: ``POST /api/v1/events`` with an array of commands records them in order, all or nothing, in one
transaction under one signed checkpoint; a refusal names the event by its place and writes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.api.helpers import Api, assert_provable, day
from tests.support.accounts import GAC_PRODUCER
from tracer.ledger.schema import ledger_checkpoints
from tracer.models.lots import Lot
from tracer.models.zones import Zone
from tracer.platform import journal
from tracer.platform.services import services


@pytest.fixture
def zone(api: Api) -> str:
    return str(api.all_items(GAC_PRODUCER, "/zones")[0]["id"])


def _harvest(zone: str, name: str, **changes: Any) -> dict[str, Any]:
    body = {"type": "harvest", "zone_id": zone, "name": name, "quantity": "3.25", "unit": "kg",
            "harvested_on": day()}  # fmt: skip
    return {**body, **changes}


def _zone(name: str) -> dict[str, Any]:
    return {"type": "zone.register", "name": name, "commune": "Xã Mỹ Cẩm", "district": "Huyện Càng Long",
            "province": "Trà Vinh", "crop": "Gấc"}  # fmt: skip


def _count(app: Flask, query: Any) -> int:
    with services(app).engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def _checkpoints(app: Flask) -> int:
    return _count(app, select(func.count()).select_from(ledger_checkpoints))


def _lots_named(app: Flask, prefix: str) -> int:
    return _count(app, select(func.count()).select_from(Lot).where(Lot.name.startswith(prefix)))  # type: ignore[attr-defined]


def test_a_batch_is_recorded_in_order_under_one_checkpoint(demo_app: Flask, api: Api, zone: str) -> None:
    size, checkpoints = api.size(), _checkpoints(demo_app)
    sent = [_zone("Vườn gấc lô B"), _harvest(zone, "Gấc lô 1"), _harvest(zone, "Gấc lô 2", quantity="7")]
    response = api.post(GAC_PRODUCER, "/events", sent)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert "Location" not in response.headers  # each receipt names what its event made
    receipts = response.get_json()["events"]
    assert [r["ledger_index"] for r in receipts] == [size, size + 1, size + 2]
    assert [r["type"] for r in receipts] == ["zone.register", "harvest", "harvest"]
    assert [r["event"].get("lot", {}).get("name") for r in receipts] == [None, "Gấc lô 1", "Gấc lô 2"]
    assert api.size() == size + 3 and _checkpoints(demo_app) == checkpoints + 1
    lot = api.get(GAC_PRODUCER, f"/lots/{receipts[2]['created']['lot_ids'][0]}").get_json()
    assert (lot["name"], lot["quantity"]) == ("Gấc lô 2", "7")
    registered = receipts[0]["created"]["zone_id"]
    assert api.get(GAC_PRODUCER, f"/zones/{registered}").get_json()["name"] == "Vườn gấc lô B"
    with demo_app.app_context(), services(demo_app).engine.connect() as conn:
        store = journal.store()
        store.check_head(conn)
        store.verify_store(conn)  # every signature checked again, from the stored bytes
    assert_provable(
        demo_app, [(r["ledger_index"], bytes.fromhex(r["leaf_hash"])) for r in receipts], size + 3
    )


def test_a_refused_event_leaves_nothing_of_its_batch(demo_app: Flask, api: Api, zone: str) -> None:
    """The third event names a zone of another organisation: the two harvests before it, already
    projected in the transaction, go with it."""
    size, checkpoints = api.size(), _checkpoints(demo_app)
    sent = [_harvest(zone, "Bỏ cả lô 1"), _harvest(zone, "Bỏ cả lô 2"), _harvest("ZNOSUCHZONE", "Bỏ cả lô 3")]
    response = api.post(GAC_PRODUCER, "/events", sent)
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["field"] == "[2].zone_id"
    assert problem["detail"].startswith("event 2 of the batch: ")
    assert api.size() == size and _checkpoints(demo_app) == checkpoints
    assert _lots_named(demo_app, "Bỏ cả lô") == 0
    after = api.record(GAC_PRODUCER, _harvest(zone, "Sau lô bỏ"))  # the log goes on with no gap
    assert after["ledger_index"] == size


def test_a_batch_posted_again_with_its_key_is_replayed(demo_app: Flask, api: Api, zone: str) -> None:
    sent = [_zone("Vườn nhắc lại A"), _zone("Vườn nhắc lại B")]
    first = api.post(GAC_PRODUCER, "/events", sent, **{"Idempotency-Key": "batch-1"})
    assert first.status_code == 201
    size = api.size()
    again = api.post(GAC_PRODUCER, "/events", sent, **{"Idempotency-Key": "batch-1"})
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json() and api.size() == size
    other = api.post(GAC_PRODUCER, "/events", sent[:1], **{"Idempotency-Key": "batch-1"})
    assert other.status_code == 409 and other.get_json()["field"] == "Idempotency-Key"
    single = api.post(GAC_PRODUCER, "/events", sent[0], **{"Idempotency-Key": "batch-1"})
    assert single.status_code == 409  # one event is not the batch of one that holds it
    assert api.size() == size
    names = _count(
        demo_app, select(func.count()).select_from(Zone).where(Zone.name.startswith("Vườn nhắc lại"))
    )  # type: ignore[attr-defined]
    assert names == 2


def test_the_largest_batch_is_accepted(api: Api, zone: str) -> None:
    size = api.size()
    response = api.post(GAC_PRODUCER, "/events", [_harvest(zone, f"Mẻ {n:03}") for n in range(100)])
    assert response.status_code == 201, response.get_data(as_text=True)
    receipts = response.get_json()["events"]
    assert [r["ledger_index"] for r in receipts] == list(range(size, size + 100))
    assert len({r["leaf_hash"] for r in receipts}) == 100
