"""EPCIS documents as JSON-LD (issue #22, item 10): expanding an exported document with the EPCIS 2.0
context (PyLD, offline from ../shared/standards) keeps every value and every key of ours."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from pyld import jsonld

from tests.api.helpers import Api
from tests.support.standards import EPCIS
from tracer.proofs.epcis import CONTEXT, NAMESPACE

EPCIS_CONTEXT = json.loads((EPCIS / "epcis-context.jsonld").read_text(encoding="utf-8"))
DEMO_LOTS = ["gac_oil", "gac_fruit", "cacao_powder", "sausage_recalled", "turmeric", "lychee"]


def _loader(url: str, _options: Any = None) -> dict[str, Any]:
    assert url == CONTEXT, url  # nothing is fetched from the network
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": EPCIS_CONTEXT,
    }


def _expand(doc: dict[str, Any]) -> list[Any]:
    return jsonld.expand(doc, {"documentLoader": _loader})  # type: ignore[no-any-return]


def _leaves(value: Any, key: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for k, item in value.items():
            if k != "@context":
                yield from _leaves(item, k)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item, key)
    else:
        yield key, value


def _keys(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for k, item in value.items():
            yield k
            yield from _keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item)


def _kept(value: Any, expanded: set[str]) -> bool:
    """``value`` is in the expansion as it is, or as the vocabulary IRI a bare term becomes."""
    text = json.dumps(value) if isinstance(value, bool) else str(value)
    return text in expanded or any(e.endswith(("/" + text, "-" + text)) for e in expanded)


def _lost(doc: dict[str, Any]) -> list[tuple[str, Any]]:
    expanded = {str(v) for _, v in _leaves(_expand(doc))} | set(_keys(_expand(doc)))
    return [(key, value) for key, value in _leaves(doc) if not _kept(value, expanded)]


@pytest.mark.parametrize("name", DEMO_LOTS)
def test_expansion_keeps_every_value(api: Api, demo: Any, name: str) -> None:
    response = api.get(None, f"/epcis/events?lot={demo.lots[name]}")
    doc = json.loads(response.get_data(as_text=True))
    assert _lost(doc) == []
    ours = {k for k in _keys(_expand(doc)) if k.startswith(NAMESPACE)}
    assert f"{NAMESPACE}ledgerEntry" in ours and f"{NAMESPACE}leafHash" in ours
    if name == "gac_oil":
        assert {f"{NAMESPACE}salePoint", f"{NAMESPACE}name", f"{NAMESPACE}address"} <= ours
        assert "Cửa hàng OCOP Trà Vinh" in {str(v) for _, v in _leaves(_expand(doc))}


def test_the_check_catches_an_unprefixed_key() -> None:
    """What the export did before: a bare key inside an extension expands to nothing."""
    event = {
        "type": "ObjectEvent",
        "eventTime": "2026-10-23T00:00:00+07:00",
        "eventTimeZoneOffset": "+07:00",
        "action": "OBSERVE",
        "ocop:salePoint": {"name": "Cửa hàng"},
    }
    doc = {
        "@context": [CONTEXT, {"ocop": NAMESPACE}],
        "type": "EPCISDocument",
        "epcisBody": {"eventList": [event]},
    }
    assert _lost(doc) == [("name", "Cửa hàng")]
