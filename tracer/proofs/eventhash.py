"""The standard EPCIS event hash ID (GS1 CBV 2.0, section 8.9.2): ``ni:///sha-256;{hex}?ver=CBV2.0``.

An event's ID is the SHA-256 of its pre-hash string: ``eventType=...`` followed by the standard fields in the
order the algorithm fixes (times in UTC at millisecond precision, EPC lists and quantity elements sorted,
CBV values as their web vocabulary URIs, GS1 keys as canonical ``https://id.gs1.org/`` Digital Link URIs,
numbers without superfluous zeros), then every extension field with its namespace IRI in braces and the
source, destination and business transaction lists, all sorted together (where the reference implementation
puts those lists, so that IDs agree with the tool other repositories check them with);
``eventID``, ``recordTime`` and ``errorDeclaration`` take no part. The strings are concatenated with nothing
between them. This follows GS1's reference implementation (``epcis-event-hash-generator``, which the tests
run on every exported event) for the fields our events carry; a standard field we never export
(``certificationInfo``, ``persistentDisposition``, ``sensorElementList``) is refused rather than guessed at.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

PLAIN = ("eventTime", "eventTimeZoneOffset", "parentID")
EPC_LISTS = ("epcList", "inputEPCList", "childEPCs")
QUANTITIES = ("quantityList", "childQuantityList", "inputQuantityList")
ORDER = (
    *PLAIN,
    *EPC_LISTS,
    *QUANTITIES,
    "outputEPCList",
    "outputQuantityList",
    "action",
    "transformationID",
    "bizStep",
    "disposition",
    "readPoint",
    "bizLocation",
)
TYPED_LISTS = {
    "bizTransactionList": "bizTransaction",
    "sourceList": "source",
    "destinationList": "destination",
}
IGNORED = frozenset({"type", "eventID", "recordTime", "errorDeclaration"})
UNSUPPORTED = frozenset({"certificationInfo", "persistentDisposition", "sensorElementList"})
CBV = "https://ref.gs1.org/cbv/"
VOCABULARY = {"bizStep": "BizStep-", "disposition": "Disp-"}
LIST_TYPES = {"bizTransactionList": "BTT-", "sourceList": "SDT-", "destinationList": "SDT-"}
URNS = {
    "urn:epcglobal:cbv:bizstep:": CBV + "BizStep-",
    "urn:epcglobal:cbv:disp:": CBV + "Disp-",
    "urn:epcglobal:cbv:btt:": CBV + "BTT-",
    "urn:epcglobal:cbv:sdt:": CBV + "SDT-",
    "urn:epcglobal:cbv:er:": CBV + "ER-",
}
_KEY_CHARS = r"[\x22\x27\x2D\x2E\x30-\x39\x3B-\x3F\x41-\x5A\x5F\x61-\x7A]{0,20}"
_GTIN_LINK = re.compile(
    rf"^https?://[^/?#]*(?:/[^?#]*)?/01/(\d{{14}})(?:/10/({_KEY_CHARS}))?(?:/21/({_KEY_CHARS}))?/?$"
)


def event_hash_id(event: Mapping[str, Any], namespaces: Mapping[str, str]) -> str:
    """The event's hash ID; ``namespaces`` maps the document's prefixes (``ocop``) to their IRIs."""
    digest = hashlib.sha256(prehash(event, namespaces).encode("utf-8")).hexdigest()
    return f"ni:///sha-256;{digest}?ver=CBV2.0"


def prehash(event: Mapping[str, Any], namespaces: Mapping[str, str]) -> str:
    """The canonical pre-hash string of ``event`` (its fields as exported, before JSON encoding)."""
    if unsupported := UNSUPPORTED & event.keys():
        raise ValueError(f"no canonical form for {sorted(unsupported)}")
    parts = [f"eventType={event['type']}"]
    for name in ORDER:
        if name in event:
            parts.append(_standard(name, event[name], namespaces))
    rest = [(key, value) for key, value in event.items() if key not in IGNORED and key not in ORDER]
    extensions = _extensions([(k, v) for k, v in rest if k not in TYPED_LISTS], namespaces)
    lists = [_typed_list(k, v, namespaces) for k, v in rest if k in TYPED_LISTS]
    return "".join(parts + sorted(extensions + lists))


def _standard(name: str, value: Any, namespaces: Mapping[str, str]) -> str:
    if name in ("eventTime",):
        return f"{name}={_utc(value)}"
    if name in EPC_LISTS or name == "outputEPCList":
        items = sorted(f"epc={text}" for epc in value if (text := _canonical(epc, namespaces)))
        return name + "".join(items) if items else ""
    if name in QUANTITIES or name == "outputQuantityList":
        elements = sorted(_quantity(element, namespaces) for element in value)
        return name + "".join(elements) if elements else ""
    if name in ("readPoint", "bizLocation"):
        text = _canonical(value["id"], namespaces)
        return f"{name}id={text}" if text else ""
    if name in VOCABULARY:
        value = _vocabulary(value, VOCABULARY[name])
    text = _canonical(value, namespaces)
    return f"{name}={text}" if text else ""


def _typed_list(name: str, value: list[Mapping[str, Any]], namespaces: Mapping[str, str]) -> str:
    """``sourceList`` and the like: the reference implementation sorts them among the extension fields (not
    where the algorithm's property order puts them), and their entries, each ``type=...`` then the value."""
    entries = []
    for entry in value:
        if entry.keys() != {"type", TYPED_LISTS[name]}:
            raise ValueError(f"no canonical form for a {name} entry without exactly a type and a value")
        kind = _canonical(_vocabulary(entry["type"], LIST_TYPES[name]), namespaces)
        entries.append(f"type={kind}{TYPED_LISTS[name]}={_canonical(entry[TYPED_LISTS[name]], namespaces)}")
    return name + "".join(sorted(entries))


def _quantity(element: Mapping[str, Any], namespaces: Mapping[str, str]) -> str:
    if extra := element.keys() - {"epcClass", "quantity", "uom"}:
        raise ValueError(f"no canonical form for quantity element fields {sorted(extra)}")
    fields = (
        f"{key}={text}"
        for key in ("epcClass", "quantity", "uom")
        if key in element and (text := _canonical(element[key], namespaces))
    )
    return "quantityElement" + "".join(fields)


def _extensions(fields: list[tuple[str, Any]], namespaces: Mapping[str, str]) -> list[str]:
    """Extension fields, each a list item its own field of the same name, sorted."""
    rendered = []
    for key, value in fields:
        for item in value if isinstance(value, list) else [value]:
            name = _qualified(key, namespaces)
            if isinstance(item, Mapping):
                rendered.append(name + "".join(_extensions(list(item.items()), namespaces)))
            else:
                text = _canonical(item, namespaces)
                rendered.append(f"{name}={text}" if text else name)
    return sorted(rendered)


def _qualified(key: str, namespaces: Mapping[str, str]) -> str:
    prefix, colon, local = key.partition(":")
    return f"{{{namespaces[prefix]}}}{local}" if colon and prefix in namespaces else key


def _vocabulary(value: Any, kind: str) -> Any:
    """A bare CBV value (``shipping``) as the web vocabulary URI the EPCIS context expands it to."""
    return f"{CBV}{kind}{value}" if isinstance(value, str) and value and ":" not in value else value


def _text(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)  # as the reference reads JSON: True, None and numbers as Python spells them


def _canonical(value: Any, namespaces: Mapping[str, str]) -> str:
    text = _text(value).strip()
    prefix, colon, local = text.partition(":")
    if colon and prefix in namespaces:
        text = namespaces[prefix] + local
    for urn, uri in URNS.items():
        text = text.replace(urn, uri)
    text = _number(text)
    return _gs1_key(text) or text


def _number(text: str) -> str:
    """Numbers without leading ``+``, leading or trailing zeros, as the reference implementation writes them
    (through a binary float); anything that is not a finite number is left as it is."""
    try:
        number = float(text)
    except ValueError:
        return text
    if not math.isfinite(number):
        return text
    return str(int(number)) if number.is_integer() else str(number)


def _gs1_key(uri: str) -> str | None:
    """A GS1 Digital Link URI of a GTIN (with lot and/or serial) in canonical form: ``https://id.gs1.org``,
    the lowest level of identification only (a serial drops the lot), no query string."""
    match = _GTIN_LINK.match(uri.split("?", 1)[0])
    if match is None:
        return None
    gtin, lot, serial = match.groups()
    if serial is not None:
        return f"https://id.gs1.org/01/{gtin}/21/{serial}"
    if lot is not None:
        return f"https://id.gs1.org/01/{gtin}/10/{lot}"
    return f"https://id.gs1.org/01/{gtin}"


def _utc(value: str) -> str:
    """An ISO 8601 time with offset, in UTC at millisecond precision (rounded half to even)."""
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"time without offset: {value}")
    moment = moment.astimezone(UTC)
    millis = round(moment.microsecond, -3)
    moment = moment.replace(microsecond=0) + timedelta(microseconds=millis)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
