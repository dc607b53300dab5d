"""Offline verification of a package proof bundle: everything a scanner needs to trust one package.

The bundle (``GET /api/v1/packages/{serial}/proof``, version 1) is a JSON object::

    {"version": 2, "serial": "<12 Crockford characters>", "uri": "<GS1 Digital Link URI of the package>",
     "package": {...display summary, not signed...},
     "entries": [{"index": N, "envelope": "<base64 of the envelope bytes as logged>",
                  "proof": ["<base64 hash>", ...]}, ...],
     "checkpoint": "<C2SP signed note of a tlog-checkpoint, with a 'map <base64 root>' line>",
     "map": [{"key": "lot:L1", "indexes": [N, ...], "proof": {...map proof, JSON form...}}, ...],
     "serial_proof": {"packaging_index": N, "position": P, "count": C, "proof": ["<base64>", ...]},
     "keys": [{"keyid", "owner", "role", "public_key", "registered_index", "revoked_index"}, ...],
     "log_key": "<C2SP verifier key of the log>",
     "scans": {"signed": false, "count", "first_scan", "copy_warning", "reasons": [...], "reviewed_at"}}

``verify_package_bundle`` checks, in this order (the JavaScript verifier ``scanner_page/verify.js`` does the
same steps in the same order and fails with the same ``code``): the bundle names the pinned log key; the
checkpoint is signed by it (c2sp.org/signed-note, c2sp.org/tlog-checkpoint); every entry is at its index in
that tree (RFC 9162 section 2.1.3.2) and is a DSSE envelope of our payload type; every signing key has its
``key.register`` entry (and ``key.revoke`` entry, if revoked) among the entries, the ``keys`` list agrees with
them, and every entry is signed (DSSE PAE, Ed25519) by a key valid at its index, key events by an authority
key; producers' events are signed by their own organisation's key, certificates by the authority; the serial
is at its position in the Merkle tree whose root the signed packaging event carries; the package's lot is
created by the entries, back through every processing step to harvests from registered zones; the URI and
the display summary agree with the signed data; every subject the verdict reads (each lot of the lineage, the
product, the producer, the zones, every signing key) has its full entry list in the bundle, proved against
the map root the checkpoint commits to (docs/verifiable-map.md), so no entry about them was left out. Then
it reads the verdict from the signed entries: recalled,
expired, or genuine. The server's scan summary is not signed: a copy warning in it is reported as ``advice``,
beside the verdict, and never changes it (someone who controls the database, or a few clients who scan a
code from far-apart places, could otherwise turn a genuine package's verdict).

Only public data is used, and nothing outside ``tracer.ledger``: no database, no network, no Flask.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import unquote, urlsplit

from cryptography.exceptions import InvalidSignature

from tracer.ledger.checkpoint import Checkpoint, verify_checkpoint
from tracer.ledger.dsse import PAYLOAD_TYPE, Envelope, pae
from tracer.ledger.encoding import b64decode
from tracer.ledger.errors import LedgerError, MapVerificationError, VerificationError
from tracer.ledger.keyevents import KEY_REGISTER, KEY_REVOKE
from tracer.ledger.keys import key_id, load_public_key
from tracer.ledger.merkle import leaf_hash, verify_inclusion
from tracer.ledger.vmap import parse_map_extension
from tracer.ledger.vmap_proof import proof_from_json, verify_entries
from tracer.platform import clock

BUNDLE_VERSION = 2
SERIAL = re.compile(r"[0-9A-HJKMNP-TV-Z]{12}")
ORG_EVENTS = frozenset({"zone.register", "zone.diary", "harvest", "receive", "process", "package", "ship"})
ORG_REGISTER, PRODUCT_REGISTER = "org.register", "product.register"  # tracer.events.registrations
PRODUCT_PROFILE = "product.profile"  # a product's photo and shops: tracer.events.profiles
ZONE_PROFILE = "zone.profile"  # a zone's photo, signed by its organisation: tracer.events.profiles
BY_PRODUCER_OR_AUTHORITY = ("recall", PRODUCT_REGISTER, PRODUCT_PROFILE)
HEX64 = re.compile(r"[0-9a-f]{64}")
PRODUCT_FACTS = ("id", "organisation_id", "name", "gtin", "unit", "ocop_group")
PRODUCER_FACTS = ("id", "name", "kind", "address", "commune", "district", "province")

GENUINE = "genuine"
RECALLED = "recalled"
EXPIRED = "expired"


class PackageProofError(VerificationError):
    """A package bundle failed to verify; ``code`` names the step (the JavaScript verifier uses the same)."""

    def __init__(self, code: str, message: str, index: int | None = None) -> None:
        super().__init__(f"{code}: {message}", index=index)
        self.code = code
        self.reason = message


@dataclass(frozen=True, slots=True)
class PackageVerdict:
    """What the signed data says about the package, once every check passed."""

    status: str  # genuine | recalled | expired: from signed entries only
    serial: str
    lot_id: str
    product_id: int
    checkpoint: Checkpoint
    entries: int
    facts: dict[str, Any] = field(default_factory=dict)
    reasons: tuple[str, ...] = ()
    advice: tuple[str, ...] = ()  # unsigned: the server's copy warning, if any (not part of the verdict)


@dataclass(slots=True)
class _Key:
    keyid: str
    owner: str
    role: str
    public_key: bytes
    registered_index: int
    revoked_index: int | None = None


@dataclass(frozen=True, slots=True)
class _Entry:
    index: int
    envelope: Envelope
    body: dict[str, Any]
    leaf: bytes


def _fail(code: str, message: str, index: int | None = None) -> PackageProofError:
    return PackageProofError(code, message, index)


def _b64(text: Any, what: str, code: str) -> bytes:
    try:
        return b64decode(text, what=what)
    except VerificationError as exc:
        raise _fail(code, str(exc)) from None


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _fail("malformed", f"{what} must be a whole number >= 0")
    return value


def _check_shape(bundle: Any) -> None:
    if not isinstance(bundle, Mapping):
        raise _fail("malformed", "the bundle is not a JSON object")
    if bundle.get("version") != BUNDLE_VERSION:
        raise _fail("malformed", f"unsupported bundle version {bundle.get('version')!r}")
    for name, kind in (
        ("serial", str),
        ("uri", str),
        ("checkpoint", str),
        ("log_key", str),
        ("entries", list),
        ("keys", list),
        ("serial_proof", Mapping),
        ("package", Mapping),
        ("map", list),
    ):
        if not isinstance(bundle.get(name), kind):
            raise _fail("malformed", f"{name} is missing or of the wrong type")
    if not SERIAL.fullmatch(bundle["serial"]):
        raise _fail("malformed", "serial is not 12 Crockford Base32 characters")


def _entries(bundle: Mapping[str, Any], cp: Checkpoint) -> dict[int, _Entry]:
    entries: dict[int, _Entry] = {}
    for item in bundle["entries"]:
        if not isinstance(item, Mapping) or not isinstance(item.get("proof"), list):
            raise _fail("malformed", "each entry needs index, envelope and proof")
        index = _int(item.get("index"), "entry index")
        if index in entries:
            raise _fail("malformed", f"entry {index} appears twice", index)
        raw = _b64(item.get("envelope"), f"entry {index} envelope", "malformed")
        proof = [_b64(h, f"entry {index} proof hash", "inclusion") for h in item["proof"]]
        leaf = leaf_hash(raw)
        try:
            verify_inclusion(index, cp.size, leaf, proof, cp.root_hash)
        except VerificationError as exc:
            raise _fail(
                "inclusion", f"entry {index} is not in the log at size {cp.size}: {exc}", index
            ) from None
        try:
            envelope = Envelope.from_json(raw)
        except VerificationError as exc:
            raise _fail("envelope", f"entry {index}: {exc}", index) from None
        if envelope.payload_type != PAYLOAD_TYPE:
            raise _fail("envelope", f"entry {index} is not an OCOP Tracer event", index)
        try:
            body = json.loads(envelope.payload)
        except (ValueError, UnicodeDecodeError):
            raise _fail("envelope", f"entry {index}: payload is not JSON", index) from None
        if not isinstance(body, dict) or not isinstance(body.get("type"), str):
            raise _fail("envelope", f"entry {index}: payload has no type", index)
        entries[index] = _Entry(index, envelope, body, leaf)
    return entries


def _keys(bundle: Mapping[str, Any], entries: Mapping[int, _Entry]) -> dict[str, _Key]:
    """Key validity from the key.register / key.revoke entries alone; the ``keys`` list must agree."""
    keys: dict[str, _Key] = {}
    for entry in sorted(entries.values(), key=lambda e: e.index):
        body = entry.body
        if body["type"] == KEY_REGISTER:
            public_key = _b64(body.get("public_key"), f"entry {entry.index} public_key", "key")
            if len(public_key) != 32 or key_id(public_key) != body.get("keyid") or body["keyid"] in keys:
                raise _fail("key", f"entry {entry.index}: malformed key registration", entry.index)
            keys[body["keyid"]] = _Key(
                body["keyid"], str(body.get("owner")), str(body.get("role")), public_key, entry.index
            )
        elif body["type"] == KEY_REVOKE:
            known = keys.get(str(body.get("keyid")))
            if known is None or known.revoked_index is not None:
                raise _fail(
                    "key", f"entry {entry.index} revokes a key the bundle never registered", entry.index
                )
            known.revoked_index = entry.index
    for item in bundle["keys"]:
        if not isinstance(item, Mapping) or not isinstance(item.get("keyid"), str):
            raise _fail("malformed", "each key needs a keyid")
        known = keys.get(item["keyid"])
        if known is None:
            raise _fail("key-unknown", f"key {item['keyid']} has no key.register entry in the bundle")
        if (
            item.get("registered_index") != known.registered_index
            or item.get("revoked_index") != known.revoked_index
        ):
            raise _fail("key", f"key {known.keyid}: the key list disagrees with the log's key entries")
    return keys


def _check_signature(entry: _Entry, keys: Mapping[str, _Key]) -> _Key:
    env, body, index = entry.envelope, entry.body, entry.index
    key_event = body["type"] in (KEY_REGISTER, KEY_REVOKE)
    bootstrap = index == 0 and body["type"] == KEY_REGISTER and body.get("role") == "authority"
    signer = next((keys[s.keyid] for s in env.signatures if s.keyid in keys), None)
    if signer is None:
        raise _fail("key-unknown", f"entry {index} is signed by a key the bundle does not register", index)
    signature = next(s for s in env.signatures if s.keyid == signer.keyid)
    if signer.registered_index > index or (signer.registered_index == index and not bootstrap):
        raise _fail("key-not-valid", f"entry {index}: key {signer.keyid} was not registered yet", index)
    if signer.revoked_index is not None and index >= signer.revoked_index:
        raise _fail(
            "key-revoked",
            f"entry {index}: key {signer.keyid} was revoked at index {signer.revoked_index}",
            index,
        )
    if key_event and signer.role != "authority":
        raise _fail("signer", f"entry {index}: a key event must be signed by an authority key", index)
    try:
        load_public_key(signer.public_key).verify(signature.sig, pae(env.payload_type, env.payload))
    except (InvalidSignature, LedgerError):
        raise _fail(
            "signature", f"entry {index}: the signature by key {signer.keyid} does not verify", index
        ) from None
    expected = _expected_owner(body)
    if (
        expected is not None
        and signer.owner != expected
        and not (body["type"] in BY_PRODUCER_OR_AUTHORITY and signer.role == "authority")
    ):
        raise _fail("signer", f"entry {index}: signed by {signer.owner}, expected {expected}", index)
    return signer


def _expected_owner(body: Mapping[str, Any]) -> str | None:
    kind = body["type"]
    if kind in ORG_EVENTS or kind in ("recall", ZONE_PROFILE):
        return f"org:{body.get('org')}"
    if kind == ORG_REGISTER:
        return "authority"
    if kind in (PRODUCT_REGISTER, PRODUCT_PROFILE):  # its producer, or the programme office (allowed above)
        product = body.get("product")
        return f"org:{product.get('organisation_id')}" if isinstance(product, Mapping) else "authority"
    if kind == "certify":
        return "authority"
    if kind in ("inspect", "review"):
        return str(body.get("by"))
    return None


def _package_entry(bundle: Mapping[str, Any], entries: Mapping[int, _Entry]) -> _Entry:
    sp = bundle["serial_proof"]
    packaging_index = _int(sp.get("packaging_index"), "serial_proof.packaging_index")
    position = _int(sp.get("position"), "serial_proof.position")
    count = _int(sp.get("count"), "serial_proof.count")
    if not isinstance(sp.get("proof"), list):
        raise _fail("malformed", "serial_proof.proof must be a list")
    entry = entries.get(packaging_index)
    if entry is None or entry.body["type"] != "package":
        raise _fail("lineage", f"the packaging event {packaging_index} is not in the bundle")
    body = entry.body
    if body.get("count") != count:
        raise _fail("serial", f"the packaging event covers {body.get('count')} packages, not {count}")
    root = _b64(body.get("serials_root"), "serials_root", "serial")
    proof = [_b64(h, "serial proof hash", "serial") for h in sp["proof"]]
    try:
        verify_inclusion(position, count, leaf_hash(bundle["serial"].encode("ascii")), proof, root)
    except VerificationError as exc:
        raise _fail(
            "serial",
            f"serial {bundle['serial']} is not in packaging event {packaging_index}: {exc}",
            packaging_index,
        ) from None
    return entry


def _lineage(package: _Entry, entries: Mapping[int, _Entry]) -> tuple[list[str], list[_Entry], list[_Entry]]:
    """The lots from the package's lot back to harvests, and the entries that made them and the zones."""
    creators: dict[str, _Entry] = {}
    zones: dict[str, _Entry] = {}
    for entry in entries.values():
        body = entry.body
        if body["type"] == "harvest" and isinstance(body.get("lot"), Mapping):
            creators[str(body["lot"].get("id"))] = entry
        elif body["type"] == "process" and isinstance(body.get("outputs"), list):
            for out in body["outputs"]:
                if isinstance(out, Mapping):
                    creators[str(out.get("id"))] = entry
        elif body["type"] == "zone.register" and isinstance(body.get("zone"), Mapping):
            zones[str(body["zone"].get("id"))] = entry
    lots: list[str] = []
    made: list[_Entry] = []
    used_zones: list[_Entry] = []
    pending = [(str(package.body.get("lot_id")), package.index)]
    while pending:
        lot, before = pending.pop()
        if lot in lots:
            continue
        creator = creators.get(lot)
        if creator is None or creator.index >= before:
            raise _fail("lineage", f"lot {lot} is not created by any earlier entry in the bundle")
        lots.append(lot)
        made.append(creator)
        if creator.body["type"] == "harvest":
            zone = zones.get(str(creator.body.get("zone_id")))
            if zone is None or zone.index >= creator.index:
                raise _fail(
                    "lineage",
                    f"lot {lot} comes from zone {creator.body.get('zone_id')}, "
                    "which no earlier entry registers",
                )
            used_zones.append(zone)
        else:
            inputs = creator.body.get("inputs")
            if not isinstance(inputs, list) or not inputs:
                raise _fail("lineage", f"processing entry {creator.index} has no inputs")
            pending.extend((str(i.get("lot_id")), creator.index) for i in inputs if isinstance(i, Mapping))
    return lots, made, used_zones


def _required_subjects(
    package: _Entry, lots: list[str], zones: list[_Entry], keys: Mapping[str, _Key]
) -> list[str]:
    """The map keys whose every entry the verdict must see (``tracer.events.subjects``): the lineage's lots,
    the product, the producer, the harvests' zones and every key that signed an entry of the bundle."""
    body = package.body
    return [
        *(f"lot:{lot}" for lot in lots),
        f"product:{body.get('product_id')}",
        f"org:{body.get('org')}",
        *sorted({f"zone:{z.body['zone'].get('id')}" for z in zones}),
        *sorted(f"key:{keyid}" for keyid in keys),
    ]


def _check_complete(
    bundle: Mapping[str, Any], cp: Checkpoint, entries: Mapping[int, _Entry], required: list[str]
) -> None:
    """Each required subject's entries, as the bundle lists them, are all in the bundle and are the whole
    list the checkpoint's map commits to: an entry left out (a recall, a revocation) fails here."""
    try:
        root = parse_map_extension(cp.extensions)
    except MapVerificationError as exc:
        raise _fail("completeness", f"the checkpoint commits to no verifiable map: {exc}") from None
    listed: dict[str, Mapping[str, Any]] = {}
    for item in bundle["map"]:
        if (
            not isinstance(item, Mapping)
            or not isinstance(item.get("key"), str)
            or not isinstance(item.get("indexes"), list)
        ):
            raise _fail("malformed", "each map item needs key, indexes and proof")
        if item["key"] in listed:
            raise _fail("malformed", f"map key {item['key']} appears twice")
        listed[item["key"]] = item
    for subject in required:
        item = listed.get(subject)
        if item is None:
            raise _fail("completeness", f"{subject}: the bundle gives no map proof of its entries")
        given = []
        for index in item["indexes"]:
            entry = entries.get(_int(index, f"{subject} index"))
            if entry is None:
                raise _fail(
                    "completeness", f"{subject}: entry {index} is about it but not in the bundle", index
                )
            given.append((entry.index, entry.leaf))
        try:
            verify_entries(root, subject, given, proof_from_json(item.get("proof")))
        except MapVerificationError as exc:
            raise _fail("completeness", f"{subject}: {exc}") from None


Registration = Mapping[str, Any]


def _registrations(package: _Entry, entries: Mapping[int, _Entry]) -> tuple[Registration, Registration]:
    """The signed registrations of the package's product and of its producer, made before the packaging, and
    bound: the organisation that signed the packaging is the one the product's registration names."""
    products: dict[object, _Entry] = {}
    orgs: dict[object, _Entry] = {}
    for entry in sorted(entries.values(), key=lambda e: e.index):
        kind, body = entry.body["type"], entry.body
        if kind == PRODUCT_REGISTER and isinstance(body.get("product"), Mapping):
            products.setdefault(body["product"].get("id"), entry)
        elif kind == ORG_REGISTER and isinstance(body.get("organisation"), Mapping):
            orgs.setdefault(body["organisation"].get("id"), entry)
    product_id, org_id = package.body.get("product_id"), package.body.get("org")
    registered = products.get(product_id)
    if registered is None or registered.index >= package.index:
        raise _fail("registration", f"product {product_id} has no signed registration before the packaging")
    product = registered.body["product"]
    if product.get("organisation_id") != org_id:
        raise _fail(
            "binding",
            f"the packaging is signed by org:{org_id}, but product {product_id} is registered to "
            f"org:{product.get('organisation_id')}",
            package.index,
        )
    producer = orgs.get(org_id)
    if producer is None or producer.index >= package.index:
        raise _fail("registration", f"organisation {org_id} has no signed registration before the packaging")
    return product, producer.body["organisation"]


def _signed_photo(photo: Any) -> dict[str, Any] | None:
    """A signed photo's SHA-256s and sizes, as both verifiers give them; None if it is absent or malformed."""
    if not isinstance(photo, Mapping) or not isinstance(photo.get("sha256"), str):
        return None
    if not HEX64.fullmatch(photo["sha256"]):
        return None
    variants = [
        {k: v.get(k) for k in ("width", "height", "type", "sha256")}
        for v in photo.get("variants") or ()
        if isinstance(v, Mapping)
        and isinstance(v.get("sha256"), str)
        and HEX64.fullmatch(v["sha256"])
        and v.get("type") in ("image/webp", "image/jpeg")
    ]
    return {"sha256": photo["sha256"], "width": photo.get("width"), "height": photo.get("height"),
            "variants": variants}  # fmt: skip


def _zone_photo(zone: _Entry, entries: Mapping[int, _Entry]) -> dict[str, Any] | None:
    """The photo of the zone ``zone`` registers, from its newest ``zone.profile`` in the bundle signed by the
    zone's own organisation (the signature check holds every entry to its ``org``)."""
    newest: _Entry | None = None
    for entry in entries.values():
        signed = entry.body.get("zone")
        if entry.body["type"] == ZONE_PROFILE and isinstance(signed, Mapping):
            same_org = entry.body.get("org") == zone.body.get("org")
            if (
                same_org
                and signed.get("id") == zone.body["zone"].get("id")
                and (newest is None or entry.index > newest.index)
            ):
                newest = entry
    return _signed_photo(newest.body["zone"].get("photo")) if newest is not None else None


def _profile(product: Registration, entries: Mapping[int, _Entry]) -> dict[str, Any]:
    """The product's photo and shops from its newest ``product.profile`` in the bundle (signed by its
    producer or the authority, checked with every signature), for the registered organisation: a photo is
    its signed SHA-256s (a page shows it only if the bytes hash to them), a shop an https link."""
    newest: _Entry | None = None
    for entry in entries.values():
        signed = entry.body.get("product")
        if entry.body["type"] == PRODUCT_PROFILE and isinstance(signed, Mapping):
            ours = signed.get("id") == product.get("id")
            if ours and signed.get("organisation_id") == product.get("organisation_id"):
                newest = entry if newest is None or entry.index > newest.index else newest
    if newest is None:
        return {"photo": None, "shops": [], "profile_index": None}
    signed = newest.body["product"]
    photo = _signed_photo(signed.get("photo"))
    shops = [
        {"label": s["label"], "url": s["url"]}
        for s in signed.get("shops") or ()
        if isinstance(s, Mapping)
        and isinstance(s.get("label"), str)
        and isinstance(s.get("url"), str)
        and s["url"].startswith("https://")
        and len(s["url"]) <= 300
        and not any(ord(c) < 33 for c in s["url"])
    ]
    return {"photo": photo, "shops": shops, "profile_index": newest.index}


def uri_gtin(uri: str) -> str | None:
    """The GTIN of a Digital Link URI ``.../01/{gtin}/...``; None for ``.../p/{serial}``."""
    segments = [unquote(s) for s in urlsplit(uri).path.split("/") if s]
    return next((segments[i + 1] for i, s in enumerate(segments[:-1]) if s == "01"), None)


def uri_parts(uri: str) -> tuple[str | None, str | None]:
    """(lot, serial) of a Digital Link URI ``.../01/{gtin}[/10/{lot}]/21/{serial}`` or ``.../p/{serial}``."""
    segments = [unquote(s) for s in urlsplit(uri).path.split("/") if s]
    for start, segment in enumerate(segments):
        if segment == "p" and len(segments) == start + 2:
            return None, segments[start + 1]
        if segment == "01":
            pairs = dict(zip(segments[start + 2 :: 2], segments[start + 3 :: 2], strict=False))
            return pairs.get("10"), pairs.get("21")
    return None, None


def _check_uri_and_summary(
    bundle: Mapping[str, Any], package: _Entry, product: Registration, producer: Registration
) -> None:
    lot, serial = uri_parts(bundle["uri"])
    if serial != bundle["serial"] or (lot is not None and lot != package.body.get("lot_id")):
        raise _fail("uri", "the package URI does not name this serial and its signed lot")
    gtin = uri_gtin(bundle["uri"])
    if gtin is not None and gtin != product.get("gtin"):
        raise _fail("uri", f"the package URI names GTIN {gtin}, the signed product {product.get('gtin')}")
    summary = bundle["package"]
    shown = summary.get("product")
    if summary.get("lot_id") != package.body.get("lot_id") or (
        isinstance(shown, Mapping) and shown.get("id") != package.body.get("product_id")
    ):
        raise _fail("summary", "the display summary names another lot or product than the signed packaging")
    for what, signed in (("product", product), ("producer", producer)):
        shown = summary.get(what)
        if isinstance(shown, Mapping) and shown.get("name") != signed.get("name"):
            raise _fail("summary", f"the display summary's {what} name differs from its signed registration")


def _facts(
    package: _Entry,
    lots: list[str],
    made: list[_Entry],
    zones: list[_Entry],
    entries: Mapping[int, _Entry],
    today: date,
) -> tuple[dict[str, Any], list[str], str]:
    body = package.body
    facts: dict[str, Any] = {
        "lot_id": body.get("lot_id"),
        "product_id": body.get("product_id"),
        "packed_on": body.get("packed_on"),
        "expires_on": body.get("expires_on"),
        "net_content": body.get("net_content"),
        "packaging_index": package.index,
        "lots": lots,
        "harvests": [
            {
                "lot_id": e.body["lot"].get("id"),
                "name": e.body["lot"].get("name"),
                "harvested_on": e.body.get("harvested_on"),
                "zone_id": e.body.get("zone_id"),
            }
            for e in sorted(made, key=lambda e: e.index)
            if e.body["type"] == "harvest"
        ],
        "steps": [
            {"step": e.body.get("step"), "processed_on": e.body.get("processed_on")}
            for e in sorted(made, key=lambda e: e.index)
            if e.body["type"] == "process"
        ],
        "zones": [
            {k: z.body["zone"].get(k) for k in ("id", "name", "commune", "district", "province", "crop")}
            | {"photo": _zone_photo(z, entries)}
            for z in sorted(zones, key=lambda e: e.index)
        ],
    }
    reasons: list[str] = []
    status = GENUINE
    lineage = set(lots)
    ordered = sorted(entries.values(), key=lambda e: e.index)
    shipped = [e for e in ordered if e.body["type"] == "ship" and e.body.get("lot_id") in lineage]
    facts["shipments"] = [
        {"shipped_on": e.body.get("shipped_on"), "sale_point": e.body.get("sale_point")} for e in shipped
    ]
    certs = [
        e
        for e in ordered
        if e.body["type"] == "certify"
        and isinstance(e.body.get("certificate"), Mapping)
        and e.body["certificate"].get("product_id") == body.get("product_id")
    ]
    if certs:
        cert = certs[-1].body["certificate"]
        facts["certificate"] = {
            k: cert.get(k)
            for k in ("id", "stars", "decision_no", "issuing_level", "issued_on", "valid_until")
        }
        if isinstance(cert.get("valid_until"), str) and cert["valid_until"] < today.isoformat():
            status = EXPIRED
            reasons.append(f"the OCOP certificate {cert.get('decision_no')} expired on {cert['valid_until']}")
    recalls = [
        e
        for e in ordered
        if e.body["type"] == "recall"
        and isinstance(e.body.get("lot_ids"), list)
        and lineage.intersection(map(str, e.body["lot_ids"]))
    ]
    if recalls:
        status = RECALLED
        facts["recall"] = {
            "index": recalls[-1].index,
            "reason": recalls[-1].body.get("reason"),
            "recorded_at": recalls[-1].body.get("recorded_at"),
        }
        reasons.insert(0, f"recalled: {recalls[-1].body.get('reason')}")
    return facts, reasons, status


def verify_package_bundle(bundle: Any, log_key: str, *, today: date | None = None) -> PackageVerdict:
    """Verify a package bundle against the pinned log verifier key; raise PackageProofError saying why."""
    _check_shape(bundle)
    if bundle["log_key"] != log_key:
        raise _fail("log-key", "the bundle names a different log key than the one pinned")
    try:
        cp = verify_checkpoint(bundle["checkpoint"], log_key)
    except VerificationError as exc:
        raise _fail("checkpoint", str(exc)) from None
    entries = _entries(bundle, cp)
    keys = _keys(bundle, entries)
    for entry in sorted(entries.values(), key=lambda e: e.index):
        _check_signature(entry, keys)
    package = _package_entry(bundle, entries)
    lots, made, zones = _lineage(package, entries)
    product, producer = _registrations(package, entries)
    _check_complete(bundle, cp, entries, _required_subjects(package, lots, zones, keys))
    _check_uri_and_summary(bundle, package, product, producer)
    facts, reasons, status = _facts(package, lots, made, zones, entries, today or clock.today())
    facts["product"] = {k: product.get(k) for k in PRODUCT_FACTS} | _profile(product, entries)
    facts["producer"] = {k: producer.get(k) for k in PRODUCER_FACTS}
    return PackageVerdict(
        status=status,
        serial=bundle["serial"],
        lot_id=str(package.body.get("lot_id")),
        product_id=int(package.body.get("product_id") or 0),
        checkpoint=cp,
        entries=len(entries),
        facts=facts,
        reasons=tuple(reasons),
        advice=unsigned_advice(bundle.get("scans")),
    )


def unsigned_advice(scans: object) -> tuple[str, ...]:
    """The server's unsigned copy warning, as lines to show beside the verdict (empty when there is none)."""
    if not isinstance(scans, Mapping) or scans.get("copy_warning") is not True:
        return ()
    reasons = scans.get("reasons")
    said = [r for r in reasons if isinstance(r, str)] if isinstance(reasons, list) else []
    return tuple(f"unsigned copy warning: {r}" for r in said) or ("unsigned copy warning",)
