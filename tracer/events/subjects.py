"""Which verifiable-map keys a signed event bears on: the service's half of the map's feed (``vmap_feed``).

A verdict about a package reads the entries about its lots, its product, its producer, the zones its
harvests came from and the keys that signed them (``tracer.proofs.verdict``). The map commits, for each of
those subjects, to the full list of entries about it, so a bundle that leaves one out (a recall, a later
certificate, a key's revocation) cannot verify. The rule reads the signed payload alone, so an auditor who
replays the log with it gets the same map (``python -m tracer ledger verify``, ``python -m tracer audit``):

==================  ===========================================================================
``lot:<id>``        the harvest or processing step that made the lot, its shipments and receipts,
                    any recall naming it
``product:<id>``    the product's signed registration and changes, its profiles (photo and shops),
                    its OCOP certificates
``org:<id>``        the organisation's signed registration and changes
``zone:<id>``       the raw-material zone's registration, its profiles (photo), its farm diary
                    (``zone.diary``)
``key:<keyid>``     its registration and revocation (the ledger's own rule, ``vmap_feed``)
==================  ===========================================================================

Packaging, inspections and consumption by a later step are not listed: no verdict changes with them (a
package's own packaging entry is proved by its serial proof). Changing this table changes the map: an old
log replayed with a new rule no longer matches its checkpoints, so a change needs a new map key kind, never
a new meaning for an old one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["subjects_of"]


def _key(kind: str, value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        return None
    return f"{kind}:{value}"


def _nested(body: Mapping[str, Any], field: str, name: str) -> object:
    inner = body.get(field)
    return inner.get(name) if isinstance(inner, Mapping) else None


def _keys(body: Mapping[str, Any]) -> Iterable[str | None]:
    kind = body.get("type")
    if kind == "harvest":
        yield _key("lot", _nested(body, "lot", "id"))
    elif kind == "process":
        outputs = body.get("outputs")
        for out in outputs if isinstance(outputs, list) else ():
            yield _key("lot", out.get("id")) if isinstance(out, Mapping) else None
    elif kind in ("ship", "receive"):
        yield _key("lot", body.get("lot_id"))
    elif kind == "recall":
        lots = body.get("lot_ids")
        yield from (_key("lot", lot) for lot in (lots if isinstance(lots, list) else ()))
    elif kind in ("zone.register", "zone.profile"):
        yield _key("zone", _nested(body, "zone", "id"))
    elif kind == "zone.diary":
        yield _key("zone", body.get("zone_id"))
    elif kind == "certify":
        yield _key("product", _nested(body, "certificate", "product_id"))
    elif kind in ("product.register", "product.update", "product.profile"):
        yield _key("product", _nested(body, "product", "id"))
    elif kind in ("org.register", "org.update"):
        yield _key("org", _nested(body, "organisation", "id"))


def subjects_of(payload: bytes) -> list[str]:
    """The map keys (``lot:L1``, ``product:7`` ...) the event in ``payload`` bears on; none for a payload
    that is not a JSON object (the ledger checks each key's form and keeps each once)."""
    try:
        body = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        return []
    if not isinstance(body, dict):
        return []
    return [key for key in _keys(body) if key is not None]
