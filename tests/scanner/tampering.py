"""Ways to break a package bundle, each with the verification step (``code``) that must catch it.

Both verifiers, Python (``tracer.proofs.verdict``) and JavaScript (``scanner_page/verify.js``), get the
same broken bundles and must fail at the same step.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable
from typing import Any

Bundle = dict[str, Any]


def _flip_b64(text: str, byte: int = 0) -> str:
    data = bytearray(base64.b64decode(text))
    data[byte] ^= 0x01
    return base64.b64encode(bytes(data)).decode("ascii")


def _entry_of(bundle: Bundle, kind: str) -> dict[str, Any]:
    for entry in bundle["entries"]:
        envelope = json.loads(base64.b64decode(entry["envelope"]))
        if json.loads(base64.b64decode(envelope["payload"]))["type"] == kind:
            return entry  # type: ignore[no-any-return]
    raise LookupError(kind)


def _body(entry: dict[str, Any]) -> dict[str, Any]:
    envelope = json.loads(base64.b64decode(entry["envelope"]))
    return json.loads(base64.b64decode(envelope["payload"]))  # type: ignore[no-any-return]


def signature_byte(b: Bundle) -> None:
    entry = _entry_of(b, "package")
    envelope = json.loads(base64.b64decode(entry["envelope"]))
    envelope["signatures"][0]["sig"] = _flip_b64(envelope["signatures"][0]["sig"], 5)
    raw = json.dumps(envelope, sort_keys=True, separators=(",", ":")).encode()
    entry["envelope"] = base64.b64encode(raw).decode("ascii")


def proof_hash(b: Bundle) -> None:
    entry = next(e for e in b["entries"] if e["proof"])
    entry["proof"][0] = _flip_b64(entry["proof"][0], 31)


def checkpoint_root(b: Bundle) -> None:
    lines = b["checkpoint"].split("\n")
    lines[2] = _flip_b64(lines[2], 0)
    b["checkpoint"] = "\n".join(lines)


def checkpoint_size(b: Bundle) -> None:
    lines = b["checkpoint"].split("\n")
    lines[1] = str(int(lines[1]) + 1)
    b["checkpoint"] = "\n".join(lines)


def serial_proof_hash(b: Bundle) -> None:
    b["serial_proof"]["proof"][0] = _flip_b64(b["serial_proof"]["proof"][0], 7)


def serial_position(b: Bundle) -> None:
    b["serial_proof"]["position"] = (b["serial_proof"]["position"] + 1) % b["serial_proof"]["count"]


def another_serial(b: Bundle) -> None:
    b["serial"] = "ZZZZZZZZZZZZ"
    b["uri"] = b["uri"].rsplit("/", 1)[0] + "/ZZZZZZZZZZZZ"


def entry_index(b: Bundle) -> None:
    b["entries"][-1]["index"] += 1


def drop_key_registration(b: Bundle) -> None:
    signer = json.loads(base64.b64decode(_entry_of(b, "package")["envelope"]))["signatures"][0]["keyid"]
    b["entries"] = [
        e for e in b["entries"] if not (_body(e)["type"] == "key.register" and _body(e)["keyid"] == signer)
    ]


def claim_revoked(b: Bundle) -> None:
    b["keys"][-1]["revoked_index"] = b["keys"][-1]["registered_index"] + 1


def drop_harvest(b: Bundle) -> None:
    harvest = _entry_of(b, "harvest")
    b["entries"] = [e for e in b["entries"] if e is not harvest]


def drop_packaging(b: Bundle) -> None:
    packaging = _entry_of(b, "package")
    b["entries"] = [e for e in b["entries"] if e is not packaging]


def summary_lot(b: Bundle) -> None:
    b["package"]["lot_id"] = "L0000000000"


def summary_producer_renamed(b: Bundle) -> None:
    """What a changed ``organisations.name`` would show: the summary no longer matches the signed name."""
    b["package"]["producer"]["name"] = "HTX Giả Mạo"


def summary_product_renamed(b: Bundle) -> None:
    b["package"]["product"]["name"] = "Dầu gấc nhái"


def dropped_product_registration(b: Bundle) -> None:
    registration = _entry_of(b, "product.register")
    b["entries"] = [e for e in b["entries"] if e is not registration]


def dropped_producer_registration(b: Bundle) -> None:
    registration = _entry_of(b, "org.register")
    b["entries"] = [e for e in b["entries"] if e is not registration]


def unsupported_version(b: Bundle) -> None:
    b["version"] = 1  # the bundle before the verifiable map


def _map_item(b: Bundle, prefix: str) -> dict[str, Any]:
    return next(item for item in b["map"] if item["key"].startswith(prefix))  # type: ignore[no-any-return]


def dropped_certificate(b: Bundle) -> None:
    """A server hiding the product's newest certificate (a lower rating, say): its entry and its index."""
    certificate = _entry_of(b, "certify")
    b["entries"] = [e for e in b["entries"] if e is not certificate]
    item = _map_item(b, "product:")
    item["indexes"] = [i for i in item["indexes"] if i != certificate["index"]]


def dropped_map_proof(b: Bundle) -> None:
    b["map"] = [item for item in b["map"] if not item["key"].startswith("lot:")]


def map_index_left_out(b: Bundle) -> None:
    """The entry stays in the bundle, its index is left out of its lot's list: the value no longer matches."""
    item = _map_item(b, "lot:")
    item["indexes"] = item["indexes"][:-1]


def map_proof_sibling(b: Bundle) -> None:
    item = _map_item(b, "product:")
    depth, sibling = item["proof"]["siblings"][0]
    item["proof"]["siblings"][0] = [depth, _flip_b64(sibling, 3)]


def log_key_replaced(b: Bundle) -> None:
    b["log_key"] = "attacker.example/log+12345678+AXv3pWbqnUyV0lbTgLXDi9CkFr8TPYqBmUjMYBOKdDnr"


TAMPERING: dict[str, tuple[Callable[[Bundle], None], str]] = {
    "signature byte": (signature_byte, "inclusion"),
    "proof hash": (proof_hash, "inclusion"),
    "checkpoint root": (checkpoint_root, "checkpoint"),
    "checkpoint size": (checkpoint_size, "checkpoint"),
    "serial proof hash": (serial_proof_hash, "serial"),
    "serial position": (serial_position, "serial"),
    "another serial": (another_serial, "serial"),
    "entry index": (entry_index, "inclusion"),
    "dropped key registration": (drop_key_registration, "key-unknown"),
    "revocation claimed": (claim_revoked, "key"),
    "dropped harvest": (drop_harvest, "lineage"),
    "dropped packaging": (drop_packaging, "lineage"),
    "summary lot": (summary_lot, "summary"),
    "summary producer renamed": (summary_producer_renamed, "summary"),
    "summary product renamed": (summary_product_renamed, "summary"),
    "dropped product registration": (dropped_product_registration, "registration"),
    "dropped producer registration": (dropped_producer_registration, "registration"),
    "unsupported version": (unsupported_version, "malformed"),
    "dropped certificate": (dropped_certificate, "completeness"),
    "dropped map proof": (dropped_map_proof, "completeness"),
    "map index left out": (map_index_left_out, "completeness"),
    "map proof sibling": (map_proof_sibling, "completeness"),
    "log key replaced": (log_key_replaced, "log-key"),
}


def recall_hidden(bundle: Bundle) -> Bundle:
    """What a server hiding a recall would send: the recall entry left out of the bundle, and its index
    out of every subject's list (the map proofs are the honest ones: nobody without the log key can sign
    a checkpoint committing to another map)."""
    broken = copy.deepcopy(bundle)
    recall = _entry_of(broken, "recall")
    broken["entries"] = [e for e in broken["entries"] if e is not recall]
    for item in broken["map"]:
        item["indexes"] = [i for i in item["indexes"] if i != recall["index"]]
    broken["package"]["status"] = "active"
    return broken


def tampered(bundle: Bundle, name: str) -> Bundle:
    broken = copy.deepcopy(bundle)
    TAMPERING[name][0](broken)
    return broken
