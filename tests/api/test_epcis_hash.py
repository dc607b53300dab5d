"""EPCIS event hash IDs (issue #22, item 11): every exported event's eventID is the ``ni:///sha-256;...``
hash that GS1's reference implementation (PyPI ``epcis-event-hash-generator``) computes from the exported
document, the same in every document that holds the event; the ledger entry stays a link."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from epcis_event_hash_generator import hash_generator
from epcis_event_hash_generator.json_to_py import event_list_from_epcis_document_json

from tests.api.helpers import Api
from tracer.proofs.eventhash import event_hash_id, prehash

DEMO_LOTS = ["gac_oil", "gac_fruit", "cacao_powder", "sausage_recalled", "turmeric", "lychee"]
NI = re.compile(r"^ni:///sha-256;[0-9a-f]{64}\?ver=CBV2\.0$")
PREFIXES = {"ocop": "https://ocop-tracer.vn/epcis/"}


def _reference(doc: dict[str, Any]) -> list[str]:
    events = event_list_from_epcis_document_json(json.loads(json.dumps(doc)))
    return hash_generator.epcis_hashes_from_events(events)  # type: ignore[no-any-return]


def _document(api: Api, lot_id: str) -> dict[str, Any]:
    response = api.get(None, f"/epcis/events?lot={lot_id}")
    assert response.status_code == 200
    return json.loads(response.get_data(as_text=True))  # type: ignore[no-any-return]


@pytest.mark.parametrize("name", DEMO_LOTS)
def test_event_ids_are_the_reference_hashes(api: Api, demo: Any, name: str) -> None:
    doc = _document(api, demo.lots[name])
    events = doc["epcisBody"]["eventList"]
    assert all(NI.match(e["eventID"]) for e in events)
    reference = event_list_from_epcis_document_json(json.loads(json.dumps(doc)))
    assert [prehash(e, PREFIXES) for e in events] == hash_generator.derive_prehashes_from_events(reference)
    assert [e["eventID"] for e in events] == _reference(doc)
    assert len({e["eventID"] for e in events}) == len(events)


def test_an_event_has_one_id_in_every_document(api: Api, demo: Any) -> None:
    by_entry: dict[str, set[str]] = {}
    for name in DEMO_LOTS:
        for event in _document(api, demo.lots[name])["epcisBody"]["eventList"]:
            by_entry.setdefault(event["ocop:ledgerEntry"], set()).add(event["eventID"])
    assert by_entry and all(len(ids) == 1 for ids in by_entry.values())


def test_inspection_of_a_package_matches_the_reference(api: Api, demo: Any) -> None:
    from tests.support.accounts import INSPECTOR

    serial = api.all_items(INSPECTOR, f"/packages?lot_id={demo.lots['turmeric']}")[0]["serial"]
    api.record(INSPECTOR, {"type": "inspect", "serial": serial, "result": "pass", "place": " 1.000 "})
    doc = _document(api, demo.lots["turmeric"])
    assert [e["eventID"] for e in doc["epcisBody"]["eventList"]] == _reference(doc)


BASE = {
    "type": "ObjectEvent",
    "eventTime": "2026-10-23T00:00:00.0004+07:00",
    "eventTimeZoneOffset": "+07:00",
    "action": "OBSERVE",
}


@pytest.mark.parametrize(
    "fields",
    [
        {"bizStep": "shipping", "disposition": "in_transit"},
        {"bizStep": "urn:epcglobal:cbv:bizstep:shipping"},
        {
            "epcList": [
                "https://x.vn/01/08935049500018/10/L1/21/S2",
                "https://x.vn/p/ABC",
                "https://x.vn/01/08935049500018",
            ]
        },
        {
            "quantityList": [
                {"epcClass": "https://x.vn/id/lot/B", "quantity": 1200.5, "uom": "KGM"},
                {"epcClass": "https://x.vn/id/lot/A", "quantity": 10},
            ]
        },
        {
            "sourceList": [
                {"type": "owning_party", "source": "https://x.vn/id/org/2"},
                {"type": "possessing_party", "source": "https://x.vn/id/org/1"},
            ],
            "destinationList": [{"type": "owning_party", "destination": "https://x.vn/id/org/3"}],
            "ocop:a": "1",
        },
        {
            "ocop:salePoint": {"ocop:name": "Cửa hàng", "ocop:address": "12 Lê Lợi"},
            "ocop:ledgerIndex": 7,
            "ocop:b": "0010.50",
        },
        {"ocop:place": "ocop:x", "ocop:empty": "", "ocop:tags": ["b", "a"]},
    ],
)
def test_synthetic_events_match_the_reference(fields: dict[str, Any]) -> None:
    event = {**BASE, **fields}
    doc = {
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", PREFIXES],
        "type": "EPCISDocument",
        "epcisBody": {"eventList": [event]},
    }
    events = event_list_from_epcis_document_json(json.loads(json.dumps(doc)))
    [reference_prehash] = hash_generator.derive_prehashes_from_events(events)
    assert prehash(event, PREFIXES) == reference_prehash
    assert [event_hash_id(event, PREFIXES)] == _reference(doc)


@pytest.mark.parametrize(
    "fields",
    [
        {"certificationInfo": "x"},
        {"eventTime": "2026-10-23T00:00:00"},
        {"quantityList": [{"epcClass": "a", "x": 1}]},
    ],
)
def test_what_has_no_canonical_form_is_refused(fields: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="no canonical form|without offset"):
        event_hash_id({**BASE, **fields}, PREFIXES)


def test_times_round_to_milliseconds_with_carry() -> None:
    assert prehash({**BASE, "eventTime": "2026-12-31T23:59:59.9996+07:00"}, {}).startswith(
        "eventType=ObjectEventeventTime=2026-12-31T17:00:00.000Z"
    )
