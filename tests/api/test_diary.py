"""The farm diary through the API (issue #19, item 6): zone.diary entries signed, projected, listed in the
EPCIS document of the zone's lots, and a plant protection product's pre-harvest interval enforced on
harvests (refused on day PHI-1 with the day it ends, accepted on day PHI), on both databases."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator, FormatChecker
from sqlalchemy import text

from tests.api.helpers import Api, day
from tests.support.accounts import CACAO_PRODUCER, GAC_PRODUCER
from tracer.events.rules import today
from tracer.events.subjects import subjects_of


def _schema() -> Any:
    """GS1's EPCIS JSON schema from ../shared (found from a work tree at any depth)."""
    for parent in Path(__file__).resolve().parents:
        found = parent / "shared/standards/epcis/EPCIS-JSON-Schema.json"
        if found.exists():
            return json.loads(found.read_text(encoding="utf-8"))
    raise FileNotFoundError("shared/standards/epcis/EPCIS-JSON-Schema.json")


VALIDATOR = Draft7Validator(_schema(), format_checker=FormatChecker())


def _gac_zone(api: Api) -> str:
    return str(api.get(GAC_PRODUCER, "/zones").get_json()["items"][0]["id"])


def _spray(zone: str, applied: int, phi: int) -> dict[str, Any]:
    return {
        "type": "zone.diary",
        "zone_id": zone,
        "kind": "protection",
        "applied_on": day(applied),
        "product": "Amistar Top 325SC",
        "dose": "10 ml / bình 16 l",
        "phi_days": phi,
    }


def _harvest(zone: str, on: int) -> dict[str, Any]:
    return {
        "type": "harvest",
        "zone_id": zone,
        "name": "Quả gấc chín",
        "quantity": "20",
        "unit": "kg",
        "harvested_on": day(on),
    }


def test_a_diary_entry_is_signed_projected_and_bears_on_its_zone(api: Api) -> None:
    zone = _gac_zone(api)
    before = api.size()
    receipt = api.record(GAC_PRODUCER, _spray(zone, -3, 7))
    assert api.size() == before + 1 and receipt["type"] == "zone.diary"
    assert receipt["created"] == {"zone_id": zone}
    event = receipt["event"]
    assert event["diary"] == {
        "kind": "protection",
        "applied_on": day(-3),
        "product": "Amistar Top 325SC",
        "dose": "10 ml / bình 16 l",
        "phi_days": 7,
    }
    payload = json.dumps(event, ensure_ascii=False).encode()
    assert subjects_of(payload) == [f"zone:{zone}"]
    with api.engine.connect() as conn:
        row = conn.execute(
            text("SELECT kind, product, phi_days, harvest_from FROM zone_diary WHERE ledger_index = :i"),
            {"i": receipt["ledger_index"]},
        ).one()
        occurred = conn.execute(
            text("SELECT occurred_on FROM events WHERE ledger_index = :i"), {"i": receipt["ledger_index"]}
        ).scalar_one()
    assert row[:3] == ("protection", "Amistar Top 325SC", 7)
    assert str(row[3]) == day(4) and str(occurred) == day(-3)


def test_a_harvest_inside_the_pre_harvest_interval_is_refused_until_its_last_day(api: Api) -> None:
    zone = _gac_zone(api)
    api.record(GAC_PRODUCER, _spray(zone, -10, 7))  # allowed from day -3
    size = api.size()
    refused = api.post(GAC_PRODUCER, "/events", _harvest(zone, -4))  # day PHI-1
    assert refused.status_code == 409, refused.get_data(as_text=True)
    problem = refused.get_json()
    allowed = (today() + timedelta(days=-3)).strftime("%d/%m/%Y")
    assert refused.mimetype == "application/problem+json"
    assert problem["type"].endswith("/rule-violated") and problem["field"] == "harvested_on"
    assert day(-3) in problem["detail"] and allowed in problem["detail"]
    assert api.size() == size  # nothing written
    accepted = api.record(GAC_PRODUCER, _harvest(zone, -3))  # day PHI
    assert accepted["type"] == "harvest"
    # a harvest dated before the spraying is not inside its interval
    api.record(GAC_PRODUCER, _harvest(zone, -11))


def test_the_longest_interval_decides_and_other_kinds_do_not_block(api: Api) -> None:
    zone = _gac_zone(api)
    api.record(GAC_PRODUCER, _spray(zone, -10, 3))
    api.record(GAC_PRODUCER, _spray(zone, -9, 8))  # allowed from day -1
    api.record(
        GAC_PRODUCER,
        {"type": "zone.diary", "zone_id": zone, "kind": "fertiliser", "applied_on": day(-5),
         "product": "NPK 20-20-15", "dose": "2 kg / gốc"},
    )  # fmt: skip
    api.record(
        GAC_PRODUCER, {"type": "zone.diary", "zone_id": zone, "kind": "irrigation", "applied_on": day(-2)}
    )
    refused = api.post(GAC_PRODUCER, "/events", _harvest(zone, -2))
    assert refused.status_code == 409 and day(-1) in refused.get_json()["detail"]
    api.record(GAC_PRODUCER, _harvest(zone, -1))


def test_bad_diary_entries_are_refused_naming_the_field(api: Api) -> None:
    zone = _gac_zone(api)
    size = api.size()
    incomplete = {**_spray(zone, -1, 7)}
    del incomplete["phi_days"]
    cases: list[tuple[dict[str, Any], int]] = [
        (incomplete, 422),
        ({**_spray(zone, -1, 7), "kind": "irrigation"}, 422),  # an interval only for protection
        ({**_spray(zone, -1, -1)}, 422),
        ({**_spray(zone, -1, 2**63)}, 422),
        ({**_spray(zone, -1, 7), "phi_days": "7.5"}, 422),
        ({**_spray(zone, 5, 7)}, 422),  # in the future
        ({**_spray(zone, -1, 7), "applied_on": "0001-01-01"}, 422),
        ({**_spray(zone, -1, 7), "product": "Amistar\x00"}, 422),
        ({**_spray(zone, -1, 7), "kind": "weeding"}, 422),
        ({**_spray(zone, -1, 7), "extra": 1}, 422),
        ({**_spray("Z000000000", -1, 7)}, 404),
    ]
    for body, status in cases:
        response = api.post(GAC_PRODUCER, "/events", body)
        assert response.status_code == status, (body, response.get_data(as_text=True))
        assert response.mimetype == "application/problem+json"
    # another organisation's zone is not found, and nothing was written
    other = api.post(CACAO_PRODUCER, "/events", _spray(zone, -1, 7))
    assert other.status_code == 404
    assert api.size() == size


def test_the_epcis_document_of_a_zone_lot_carries_its_diary(api: Api) -> None:
    zone = _gac_zone(api)
    api.record(GAC_PRODUCER, _spray(zone, -6, 2))
    later = api.record(
        GAC_PRODUCER,
        {"type": "zone.diary", "zone_id": zone, "kind": "care", "applied_on": day(0), "notes": "Tỉa cành"},
    )
    lot = api.record(GAC_PRODUCER, _harvest(zone, -1))["created"]["lot_ids"][0]
    response = api.get(None, f"/epcis/events?lot={lot}")
    assert response.status_code == 200
    doc = json.loads(response.get_data(as_text=True), parse_float=Decimal)
    errors = sorted(VALIDATOR.iter_errors(json.loads(json.dumps(doc, default=float))), key=str)
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]
    diary = [e for e in doc["epcisBody"]["eventList"] if "ocop:diaryKind" in e]
    assert [e["ocop:diaryKind"] for e in diary] == ["protection"]  # care on day 0 is after the harvest
    sprayed = diary[0]
    assert (
        sprayed["type"] == "ObjectEvent" and sprayed["action"] == "OBSERVE" and sprayed["bizStep"] == "other"
    )
    assert sprayed["readPoint"]["id"].endswith(f"/id/zone/{zone}")
    assert sprayed["ocop:inputProduct"] == "Amistar Top 325SC" and sprayed["ocop:preHarvestIntervalDays"] == 2
    assert sprayed["eventTime"].startswith(day(-6))
    assert later["ledger_index"] not in {e["ocop:ledgerIndex"] for e in doc["epcisBody"]["eventList"]}
