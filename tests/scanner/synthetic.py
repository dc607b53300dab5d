"""A package bundle built from a small in-memory log, for the failures a real log refuses to produce
(a key revoked before it signs, a bad signature that is nevertheless in the tree, a key of another owner)."""

from __future__ import annotations

import base64
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tracer.codes.serials import serial_proof, serials_root
from tracer.events.subjects import subjects_of
from tracer.ledger.canonical import canonical_json
from tracer.ledger.checkpoint import Checkpoint, sign_checkpoint
from tracer.ledger.dsse import Envelope, Signature, sign_envelope
from tracer.ledger.keyevents import register_payload, revoke_payload
from tracer.ledger.keys import key_id, public_key_raw
from tracer.ledger.merkle import inclusion_proof_from_leaves, leaf_hash, root_hash
from tracer.ledger.note import format_verifier_key
from tracer.ledger.vmap import map_extension
from tracer.ledger.vmap_feed import subject_lists
from tracer.ledger.vmap_memory import map_from_entries

ORIGIN = "synthetic.example.vn/ocop-log"
SERIALS = ["0123456789AB", "ABCDEFGHJKMN", "PQRSTVWXYZ01", "23456789ABCD", "EFGHJKMNPQRS"]
SERIAL = SERIALS[2]


def _seed(n: int) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(bytes([n]) * 32)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def build(
    *,
    revoke_before_packaging: bool = False,
    bad_signature_on: str | None = None,
    org_owner: str = "org:1",
    valid_until: str = "2099-01-01",
    recall: bool = False,
    product_registered_to: int | None = 1,
    producer_registered: bool = True,
    hide_recall: bool = False,
) -> tuple[dict[str, Any], str]:
    """(bundle, log verifier key) of a package in a freshly made log. ``product_registered_to``: the
    organisation the product's signed registration names (None: no registration). ``hide_recall``: the
    recall is in the log (and its map) but left out of the bundle, with its index, as a server hiding it
    would."""
    log_key, authority, org = _seed(1), _seed(2), _seed(3)
    auth_id, org_id = key_id(public_key_raw(authority)), key_id(public_key_raw(org))
    envelopes: list[Envelope] = []
    keys: dict[str, dict[str, Any]] = {}

    def append(payload: bytes, signer: Ed25519PrivateKey, keyid: str, kind: str = "") -> int:
        env = sign_envelope(payload, signer, keyid)
        if kind and kind == bad_signature_on:
            bad = bytes([env.signatures[0].sig[0] ^ 1]) + env.signatures[0].sig[1:]
            env = Envelope(env.payload, env.payload_type, (Signature(keyid, bad),))
        envelopes.append(env)
        return len(envelopes) - 1

    def event(kind: str, **fields: Any) -> bytes:
        body = {"type": kind, "v": 1, "org": 1, "by": "user:2", "recorded_at": "2025-01-02T03:04:05.000000Z"}
        body.update(fields)
        return canonical_json(body)

    for keyid, owner, role, private in (
        (auth_id, "authority", "authority", authority),
        (org_id, org_owner, "signer", org),
    ):
        index = append(register_payload(keyid, owner, public_key_raw(private), role), authority, auth_id)
        keys[keyid] = {
            "keyid": keyid,
            "owner": owner,
            "role": role,
            "public_key": _b64(public_key_raw(private)),
            "registered_index": index,
            "revoked_index": None,
        }
    if producer_registered:
        place = {"commune": "Xã Mỹ Cẩm", "district": "Huyện Càng Long", "province": "Trà Vinh"}
        organisation = {"id": 1, "name": "Hợp tác xã Nông nghiệp Mỹ Cẩm", "kind": "htx", **place}
        append(event("org.register", organisation=organisation), authority, auth_id, "org.register")
    if product_registered_to is not None:
        product = {"id": 1, "organisation_id": product_registered_to, "name": "Dầu gấc Mỹ Cẩm",
                   "unit": "chai", "ocop_group": "thuc_pham"}  # fmt: skip
        signer, signer_id = (org, org_id) if product_registered_to == 1 else (authority, auth_id)
        append(event("product.register", product=product), signer, signer_id, "product.register")
    zone = {
        "id": "ZSYNTHETIC",
        "name": "Vườn gấc ấp số 2",
        "commune": "Xã Mỹ Cẩm",
        "district": "Huyện Càng Long",
        "province": "Trà Vinh",
        "crop": "Gấc",
    }
    append(event("zone.register", zone=zone), org, org_id, "zone.register")
    lot = {"id": "LSYNRAW001", "name": "Quả gấc chín", "quantity": "1200", "unit": "kg"}
    append(event("harvest", zone_id=zone["id"], harvested_on="2025-01-01", lot=lot), org, org_id, "harvest")
    append(
        event(
            "process",
            step="Ép dầu gấc",
            processed_on="2025-01-02",
            inputs=[{"lot_id": lot["id"], "quantity": "1200"}],
            outputs=[
                {"id": "LSYNOIL001", "name": "Dầu gấc", "quantity": "60", "unit": "lít", "product_id": 1}
            ],
        ),
        org,
        org_id,
        "process",
    )
    certificate = {
        "id": "CSYNTHETIC",
        "product_id": 1,
        "stars": 4,
        "decision_no": "1868/QĐ-UBND",
        "issuing_level": "tinh",
        "issued_on": "2024-01-01",
        "valid_until": valid_until,
    }
    append(event("certify", certificate=certificate), authority, auth_id, "certify")
    if revoke_before_packaging:
        keys[org_id]["revoked_index"] = append(revoke_payload(org_id), authority, auth_id)
    packaging = append(
        event(
            "package",
            lot_id="LSYNOIL001",
            product_id=1,
            count=len(SERIALS),
            net_content="100 ml",
            quantity_used="20",
            packed_on="2025-01-03",
            expires_on="2026-06-27",
            serials_root=_b64(serials_root(SERIALS)),
        ),
        org,
        org_id,
        "package",
    )
    if recall:
        append(event("recall", lot_ids=[lot["id"]], reason="Kiểm nghiệm không đạt"), org, org_id, "recall")
    entries = [env.to_json() for env in envelopes]
    leaves = [leaf_hash(e) for e in entries]
    lists = subject_lists(
        ((i, e, leaf) for i, (e, leaf) in enumerate(zip(entries, leaves, strict=True))), subjects_of
    )
    vmap = map_from_entries(lists)
    extension = (map_extension(vmap.root),)
    note = sign_checkpoint(Checkpoint(ORIGIN, len(entries), root_hash(leaves), extension), log_key)
    hidden = {len(entries) - 1} if recall and hide_recall else set()
    position = SERIALS.index(SERIAL)
    bundle = {
        "version": 2,
        "serial": SERIAL,
        "uri": f"https://{ORIGIN.split('/')[0]}/p/{SERIAL}",
        "package": {
            "serial": SERIAL,
            "lot_id": "LSYNOIL001",
            "product": {"id": 1, "name": "Dầu gấc Mỹ Cẩm"},
            "producer": {"id": 1, "name": "Hợp tác xã Nông nghiệp Mỹ Cẩm", "province": "Trà Vinh"},
            "status": "active",
        },
        "entries": [
            {
                "index": i,
                "envelope": _b64(e),
                "proof": [_b64(h) for h in inclusion_proof_from_leaves(leaves, i)],
            }
            for i, e in enumerate(entries)
            if i not in hidden
        ],
        "checkpoint": note,
        "map": [
            {
                "key": key,
                "indexes": [i for i, _ in listed if i not in hidden],
                "proof": vmap.prove(key).proof.to_json(),
            }
            for key, listed in sorted(lists.items())
        ],
        "serial_proof": {
            "packaging_index": packaging,
            "position": position,
            "count": len(SERIALS),
            "proof": [_b64(h) for h in serial_proof(SERIALS, position)],
        },
        "keys": list(keys.values()),
        "log_key": "",
        "scans": {
            "signed": False,
            "count": 0,
            "first_scan": None,
            "copy_warning": False,
            "reasons": [],
            "reviewed_at": None,
        },
    }
    verifier = format_verifier_key(ORIGIN, public_key_raw(log_key))
    bundle["log_key"] = verifier
    return bundle, verifier
