"""Known answers for the verifiable map, and the shared vectors (tests/vectors/vmap/vectors.json).

The three-key map's root and two proofs are frozen below as hex (computed once). They are recomputed here by
a second implementation written from docs/verifiable-map.md alone, sharing no code with tracer.ledger.vmap*
(hashlib and the page's formulas, recursion taken literally), and by the library. Every case in the
vectors file then gets its expected verdict from the Python verifiers; tests/scanner/vmap.test.mjs holds
scanner_page/vmap.js to the same file.
"""

from __future__ import annotations

import base64
import hashlib
import json

import pytest

from tests.ledger import vmap_vectors
from tracer.ledger.errors import MapVerificationError
from tracer.ledger.vmap import EMPTY, key_hash, map_value, parse_map_extension, root_of
from tracer.ledger.vmap_memory import map_from_entries
from tracer.ledger.vmap_proof import (
    proof_from_base64,
    proof_from_bytes,
    proof_from_json,
    verify_absence,
    verify_entries,
    verify_inclusion,
)

THREE_ROOT = "382a926f0c78f1697db8e7b934f497857ba0fe8f5f9fe2a1d273fde59ec28afe"
L1_VALUE = "c54d7c0e168277d071f36d2cb3543557add324cb5c32741814ecbccdf1d43a31"
L1_PROOF = (  # included, depth 5, bitmap 0x88: siblings at depths 1 and 5
    "00000588aab8971ce46b3ba14c8c6ab7af816bc086d6518c9fa6cee3567d821bc89ec0fb496e2bca0ff535b0d32984e8e32ff7b3"
    "b817a14616d3d5150ee9378dc585b3a3"
)
L2_ABSENT = (  # other: lot:L2 ends at key:abc's leaf
    "02000588aab8971ce46b3ba14c8c6ab7af816bc086d6518c9fa6cee3567d821bc89ec0fb9eda9b37afc4ec012f932e4f2ad8b3"
    "e9eb16dc4818c617292e2afa22a83d763b09309b29285f2554ee45a02d29fa5de0303c8a12d78dd50b3295e8443a56ae6cfb2a"
    "8aec87b14e442f4d9fe7b65283c74c61422bc7c110cb66904615836d4705"
)


# --- the second implementation, from docs/verifiable-map.md -------------------------------------------------


def h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def doc_key(map_key: str) -> bytes:
    return h(map_key.encode("ascii"))


def doc_bit(k: bytes, i: int) -> int:
    return (k[i // 8] >> (7 - i % 8)) & 1


def doc_value(entries: list[tuple[int, bytes]]) -> bytes:
    v = bytes(32)
    for x, leaf in entries:
        v = h(b"\x10" + v + x.to_bytes(8, "big") + leaf)
    return v


DOC_E = h(b"\x13")


def doc_tree(pairs: list[tuple[bytes, bytes]], d: int) -> bytes:
    """T(S, d) taken literally."""
    if not pairs:
        return DOC_E
    if len(pairs) == 1:
        k, v = pairs[0]
        return h(b"\x11" + k + v)
    s0 = [(k, v) for k, v in pairs if doc_bit(k, d) == 0]
    s1 = [(k, v) for k, v in pairs if doc_bit(k, d) == 1]
    return h(b"\x12" + doc_tree(s0, d + 1) + doc_tree(s1, d + 1))


def doc_proof(pairs: list[tuple[bytes, bytes]], k: bytes) -> bytes:
    """The binary proof for ``k``: walk down, collecting siblings, until at most one key is left."""
    siblings, d = [], 0
    here = pairs
    while len(here) > 1:
        mine = [(x, v) for x, v in here if doc_bit(x, d) == doc_bit(k, d)]
        other = [(x, v) for x, v in here if doc_bit(x, d) != doc_bit(k, d)]
        siblings.append(doc_tree(other, d + 1))
        here, d = mine, d + 1
    if not here:
        terminal, tail = 1, b""
    elif here[0][0] == k:
        terminal, tail = 0, b""
    else:
        terminal, tail = 2, here[0][0] + here[0][1]
    bitmap = bytearray((d + 7) // 8)
    listed = b""
    for i, s in enumerate(siblings):
        if s != DOC_E:
            bitmap[i // 8] |= 1 << (7 - i % 8)
            listed += s
    return bytes([terminal]) + d.to_bytes(2, "big") + bytes(bitmap) + listed + tail


def doc_verify(root: bytes, map_key: str, value: bytes | None, proof: bytes) -> bool:
    """Section 4's steps 2 to 4 (for proofs known to be well formed)."""
    k = doc_key(map_key)
    terminal, d = proof[0], int.from_bytes(proof[1:3], "big")
    at = 3 + (d + 7) // 8
    bitmap, siblings = proof[3:at], []
    for i in range(d):
        if bitmap[i // 8] & (1 << (7 - i % 8)):
            siblings.append(proof[at : at + 32])
            at += 32
        else:
            siblings.append(DOC_E)
    if terminal == 0:
        r = h(b"\x11" + k + (value or b""))
    elif terminal == 1:
        r = DOC_E
    else:
        other, v = proof[at : at + 32], proof[at + 32 : at + 64]
        if other == k or any(doc_bit(other, i) != doc_bit(k, i) for i in range(d)):
            return False
        r = h(b"\x11" + other + v)
    for depth in range(d, 0, -1):
        s = siblings[depth - 1]
        r = h(b"\x12" + r + s) if doc_bit(k, depth - 1) == 0 else h(b"\x12" + s + r)
    return r == root


def doc_pairs(entries: dict[str, list[tuple[int, bytes]]]) -> list[tuple[bytes, bytes]]:
    return [(doc_key(m), doc_value(e)) for m, e in entries.items() if e]


# --- known answers ---------------------------------------------------------------------------------------


def test_the_empty_hash_is_sha256_of_0x13():
    assert EMPTY.hex() == "ab897fbdedfa502b2d839b6a56100887dccdc507555c282e59589e06300a62e2" == DOC_E.hex()


def test_three_key_map_root_and_proofs_are_the_frozen_answers():
    entries = vmap_vectors.three()
    pairs = doc_pairs(entries)
    assert doc_tree(pairs, 0).hex() == THREE_ROOT
    assert doc_value(entries["lot:L1"]).hex() == L1_VALUE
    assert doc_proof(pairs, doc_key("lot:L1")).hex() == L1_PROOF
    assert doc_proof(pairs, doc_key("lot:L2")).hex() == L2_ABSENT
    assert doc_verify(bytes.fromhex(THREE_ROOT), "lot:L1", bytes.fromhex(L1_VALUE), bytes.fromhex(L1_PROOF))
    assert doc_verify(bytes.fromhex(THREE_ROOT), "lot:L2", None, bytes.fromhex(L2_ABSENT))

    memory = map_from_entries(entries)
    assert memory.root.hex() == THREE_ROOT
    assert root_of({key_hash(k): map_value(e) for k, e in entries.items()}).hex() == THREE_ROOT
    assert map_value(entries["lot:L1"]).hex() == L1_VALUE
    assert memory.prove("lot:L1").proof.to_bytes().hex() == L1_PROOF
    assert memory.prove("lot:L2").proof.to_bytes().hex() == L2_ABSENT
    verify_inclusion(
        memory.root, "lot:L1", bytes.fromhex(L1_VALUE), proof_from_bytes(bytes.fromhex(L1_PROOF))
    )
    verify_absence(memory.root, "lot:L2", proof_from_bytes(bytes.fromhex(L2_ABSENT)))


@pytest.mark.parametrize("name", sorted(vmap_vectors.MAPS))
def test_every_vector_map_agrees_with_the_second_implementation(name):
    entries = vmap_vectors.MAPS[name]()
    pairs = doc_pairs(entries)
    memory = map_from_entries(entries)
    assert memory.root == doc_tree(pairs, 0)
    for map_key in [*entries, "lot:L2", "lot:X1", "org:999"]:
        assert memory.prove(map_key).proof.to_bytes() == doc_proof(pairs, doc_key(map_key)), map_key


# --- the shared vectors file -----------------------------------------------------------------------------

DOCUMENT = json.loads(vmap_vectors.PATH.read_text(encoding="utf-8"))


def test_the_vectors_file_is_what_the_generator_makes():
    """Regenerate with ``python -m tests.ledger.vmap_vectors`` after a deliberate change."""
    assert vmap_vectors.PATH.read_text(encoding="utf-8") == vmap_vectors.render()


def test_vector_maps_roots_match_the_second_implementation():
    for name, spec in DOCUMENT["maps"].items():
        entries = {k: [(x, bytes.fromhex(leaf)) for x, leaf in v] for k, v in spec["entries"].items()}
        assert doc_tree(doc_pairs(entries), 0).hex() == spec["root"], name


def test_vector_keys_and_values():
    for item in DOCUMENT["keys"]:
        assert key_hash(item["map_key"]).hex() == item["key_hash"] == doc_key(item["map_key"]).hex()
    for item in DOCUMENT["values"]:
        entries = [(x, bytes.fromhex(leaf)) for x, leaf in item["entries"]]
        assert map_value(entries).hex() == item["value"] == doc_value(entries).hex()


@pytest.mark.parametrize("bad", DOCUMENT["bad_keys"])
def test_vector_bad_keys_are_refused(bad):
    proof = proof_from_bytes(bytes([1, 0, 0]))
    with pytest.raises(MapVerificationError, match="not kind:id in printable ASCII") as caught:
        verify_absence(EMPTY, bad, proof)
    assert caught.value.code == "malformed"


@pytest.mark.parametrize("item", DOCUMENT["extensions"], ids=lambda item: repr(item["lines"])[:40])
def test_vector_checkpoint_extensions(item):
    if item["root"] is None:
        with pytest.raises(MapVerificationError) as caught:
            parse_map_extension(item["lines"])
        assert caught.value.code == "malformed"
    else:
        assert parse_map_extension(item["lines"]).hex() == item["root"]


def python_verdict(case: dict) -> tuple[bool, str | None]:
    """What the Python verifiers say about a case: (valid, failing check)."""
    root = bytes.fromhex(case.get("root") or DOCUMENT["maps"][case["map"]]["root"])
    try:
        proof = proof_from_base64(case["proof"]) if "proof" in case else proof_from_json(case["proof_json"])
        if case["check"] == "inclusion":
            verify_inclusion(root, case["key"], bytes.fromhex(case["value"]), proof)
        elif case["check"] == "absence":
            verify_absence(root, case["key"], proof)
        else:
            entries = [(x, bytes.fromhex(leaf)) for x, leaf in case["entries"]]
            verify_entries(root, case["key"], entries, proof)
    except MapVerificationError as exc:
        return False, exc.code
    return True, None


@pytest.mark.parametrize("case", DOCUMENT["cases"], ids=lambda case: case["name"])
def test_vector_case_verdict(case):
    assert python_verdict(case) == (case["valid"], case["code"])


def test_vectors_cover_every_failure_code_and_both_forms():
    codes = {case["code"] for case in DOCUMENT["cases"]}
    assert codes == {None, "malformed", "kind", "key", "root"}
    assert any("proof_json" in c and c["valid"] for c in DOCUMENT["cases"])
    assert any("proof_json" in c and not c["valid"] for c in DOCUMENT["cases"])
    assert sum(not c["valid"] for c in DOCUMENT["cases"]) >= 40


def test_binary_and_json_forms_round_trip_on_every_valid_case():
    for case in DOCUMENT["cases"]:
        if case["valid"] and "proof" in case:
            proof = proof_from_base64(case["proof"])
            assert proof.to_base64() == case["proof"]
            assert proof_from_json(json.loads(json.dumps(proof.to_json()))) == proof
            assert base64.b64decode(case["proof"]) == proof.to_bytes()
