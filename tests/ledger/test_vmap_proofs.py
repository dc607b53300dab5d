"""Every way a map proof, value, entry list, key or update can be refused, with its message and code."""

from __future__ import annotations

import hashlib

import pytest

from tests.ledger.vmap_vectors import entry_leaf, sixty, three
from tracer.ledger.errors import InvalidRequestError, LedgerError, MapVerificationError, VerificationError
from tracer.ledger.vmap import (
    EMPTY,
    EMPTY_ROOT,
    MAX_INDEX,
    check_map_key,
    key_hash,
    map_extension,
    map_value,
    parse_map_extension,
    verify_value,
)
from tracer.ledger.vmap_memory import MemoryMap, map_from_entries
from tracer.ledger.vmap_proof import (
    MapProof,
    Terminal,
    proof_from_base64,
    proof_from_bytes,
    proof_from_json,
    verify_absence,
    verify_entries,
    verify_inclusion,
)
from tracer.ledger.vmap_tree import MapUpdate

MEMORY = map_from_entries(three())
ROOT = MEMORY.root
L1 = three()["lot:L1"]
L1_VALUE = map_value(L1)
L1_PROOF = MEMORY.prove("lot:L1").proof


def refused(code: str, match: str):
    class Check:
        def __enter__(self):
            self.raises = pytest.raises(MapVerificationError, match=match)
            self.info = self.raises.__enter__()
            return self.info

        def __exit__(self, *exc):
            result = self.raises.__exit__(*exc)
            assert self.info.value.code == code
            assert isinstance(self.info.value, VerificationError)
            return result

    return Check()


def test_a_wrong_value_wrong_root_or_other_key_does_not_lead_to_the_root():
    with refused("root", "map: lot:L1: this value and proof do not lead to the committed root"):
        verify_inclusion(ROOT, "lot:L1", map_value(L1[:1]), L1_PROOF)
    with refused("root", "do not lead to the committed root"):
        verify_inclusion(hashlib.sha256(ROOT).digest(), "lot:L1", L1_VALUE, L1_PROOF)
    with refused("root", "key:abc: this value and proof"):
        verify_inclusion(ROOT, "key:abc", L1_VALUE, L1_PROOF)


def test_an_entry_left_out_says_so():
    with refused(
        "root", r"lot:L1: the 1 entries given do not lead to the committed root \(an entry left out"
    ):
        verify_entries(ROOT, "lot:L1", L1[:1], L1_PROOF)
    with refused("malformed", "lot:L1: entry list: map entry index 0 does not follow index 3"):
        verify_entries(ROOT, "lot:L1", [L1[1], L1[0]], L1_PROOF)
    with refused("kind", "lot:L1: the proof shows the key's value, not its absence"):
        verify_entries(ROOT, "lot:L1", [], L1_PROOF)


def test_kinds_are_not_interchangeable():
    absent = MEMORY.prove("lot:L2").proof
    with refused("kind", "lot:L2: the proof shows the key absent, not its value"):
        verify_inclusion(ROOT, "lot:L2", L1_VALUE, absent)
    with refused("kind", "the proof shows the key's value, not its absence"):
        verify_absence(ROOT, "lot:L1", L1_PROOF)


def test_absence_at_another_leaf_checks_the_other_key():
    other = MEMORY.prove("lot:L2").proof
    assert other.terminal == Terminal.OTHER
    verify_absence(ROOT, "lot:L2", other)
    itself = MapProof(Terminal.OTHER, L1_PROOF.siblings, key_hash("lot:L1"), L1_VALUE)
    with refused("key", "lot:L1: the other leaf of the absence proof is the key itself"):
        verify_absence(ROOT, "lot:L1", itself)
    off = bytearray(other.other_key or b"")
    off[0] ^= 0x80
    moved = MapProof(Terminal.OTHER, other.siblings, bytes(off), other.other_value)  # type: ignore[arg-type]
    with refused("key", "lot:L2: the other leaf of the absence proof is off the key's path"):
        verify_absence(ROOT, "lot:L2", moved)
    with refused("root", "lot:L2: the absence proof does not lead to the committed root"):
        verify_absence(ROOT, "lot:L2", MapProof(Terminal.EMPTY, other.siblings))


def test_the_empty_map():
    memory = MemoryMap()
    assert memory.root == EMPTY_ROOT == EMPTY
    proof = memory.prove("lot:L1").proof
    assert proof.to_bytes() == bytes([1, 0, 0])
    verify_absence(EMPTY_ROOT, "lot:L1", proof)
    with refused("root", "absence proof does not lead"):
        verify_absence(ROOT, "lot:L1", proof)


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"", "no terminal and depth header"),
        (b"\x00\x00", "no terminal and depth header"),
        (b"\x03\x00\x00", "unknown terminal 3"),
        (b"\x01\x01\x01", "depth 257 is more than 256"),
        (b"\x01\x00\x00\x00", "4 bytes do not match its depth 0 and bitmap"),
        (b"\x01\x00\x01", "3 bytes do not match its depth 1"),
        (b"\x01\x00\x01\x00", "the sibling at depth 1, next to the terminal, is empty"),
        (b"\x01\x00\x01\x40", "bitmap bits past the depth are set"),
        (b"\x01\x00\x01\x80" + EMPTY, "the sibling at depth 1 is listed although empty"),
        (b"\x02\x00\x00" + bytes(63), "66 bytes do not match its depth 0"),
    ],
)
def test_malformed_binary_proofs(data, match):
    with refused("malformed", match):
        proof_from_bytes(data)


def test_malformed_base64_and_json_proofs():
    with refused("malformed", "map proof: not canonical base64"):
        proof_from_base64("AQAA=")
    with refused("malformed", "not base64"):
        proof_from_base64("AQAAé")
    good = L1_PROOF.to_json()
    with refused("malformed", "fields are"):
        proof_from_json({**good, "extra": True})
    with refused("malformed", "depth is an integer in 0..256"):
        proof_from_json({**good, "depth": 2**63})
    with refused("malformed", "siblings are \\[depth, hash\\] pairs"):
        proof_from_json({**good, "siblings": [[0, good["siblings"][0][1]]]})
    with refused("malformed", "sibling at depth 1 is 31 bytes"):
        proof_from_json({**good, "siblings": [[1, "AA" * 0 + "A" * 40 + "AA=="], *good["siblings"][1:]]})
    with refused("malformed", "not an object with a terminal"):
        proof_from_json(None)
    with refused("malformed", "other is an object with key_hash and value"):
        proof_from_json({"terminal": "other", "depth": 0, "siblings": [], "other": []})


def test_hand_made_proof_objects_are_checked_too():
    with refused("malformed", "a sibling hash is not 32 bytes"):
        verify_inclusion(ROOT, "lot:L1", L1_VALUE, MapProof(Terminal.INCLUDED, (b"x",)))
    with refused("malformed", "only a proof ending at another key's leaf names another key"):
        verify_inclusion(ROOT, "lot:L1", L1_VALUE, MapProof(Terminal.INCLUDED, (), key_hash("x:1"), L1_VALUE))
    with refused("malformed", "the other key's hash and value are 32 bytes each"):
        verify_absence(ROOT, "lot:L2", MapProof(Terminal.OTHER, ()))
    with refused("malformed", "depth 257 is more than 256"):
        MapProof(Terminal.INCLUDED, (ROOT,) * 257).to_bytes()
    with refused("malformed", "a value is 32 bytes"):
        verify_inclusion(ROOT, "lot:L1", L1_VALUE[:31], L1_PROOF)
    with refused("malformed", "the root is 32 bytes"):
        verify_inclusion(ROOT + b"\x00", "lot:L1", L1_VALUE, L1_PROOF)


@pytest.mark.parametrize(
    "bad",
    [
        "lot:L\u00ea",
        "lot:L1\x00",
        "lot:1 000",
        "Lot:1",
        "lot:",
        "lot",
        "x" * 17 + ":1",
        "lot:" + "9" * 197,
        7,
        None,
    ],
)
def test_map_keys_are_one_spelling_of_printable_ascii(bad):
    with pytest.raises(InvalidRequestError, match="is not kind:id in printable ASCII"):
        check_map_key(bad)
    with refused("malformed", "is not kind:id"):
        verify_absence(EMPTY_ROOT, bad, proof_from_bytes(bytes([1, 0, 0])))


def test_distinct_spellings_are_distinct_keys():
    assert key_hash("lot:1.000") != key_hash("lot:1000") != key_hash("lot:01000")
    assert key_hash("lot:" + "9" * 196) == hashlib.sha256(b"lot:" + b"9" * 196).digest()


def test_values_need_increasing_indexes_in_range():
    leaf = entry_leaf(1)
    assert map_value([(MAX_INDEX, leaf)]) != map_value([(MAX_INDEX - 1, leaf)])
    for entries, match in [
        ([], "a key without entries has no value"),
        ([(2**63, leaf)], "is not an integer in 0..2\\^63-1"),
        ([(-1, leaf)], "is not an integer"),
        ([(True, leaf)], "is not an integer"),
        ([(1, leaf), (1, leaf)], "map entry index 1 does not follow index 1"),
        ([(1, leaf[:31])], "map entry 1: a leaf hash is 32 bytes"),
    ]:
        with pytest.raises(InvalidRequestError, match=match):
            map_value(entries)
    with refused("value", "the 1 entries given do not make the committed value"):
        verify_value(map_value([(1, leaf), (2, leaf)]), [(1, leaf)])
    with refused("malformed", "entry list: map entry index 1 does not follow index 1"):
        verify_value(map_value([(1, leaf)]), [(1, leaf), (1, leaf)])


def test_updates_are_refused_whole_and_nothing_changes():
    memory = map_from_entries(sixty())
    before = (memory.root, dict(memory.nodes), dict(memory.states))
    leaf = entry_leaf(9)
    last = memory.states[key_hash("lot:G000")].last_index
    for batch, error, match in [
        ([MapUpdate("lot:new", 5000, leaf), MapUpdate("lot:G000", last, leaf)], InvalidRequestError,
         f"lot:G000: entry {last} is not after its last entry {last}"),
        ([MapUpdate("lot:new", 5000, leaf), MapUpdate("lot:new", 5000, leaf)], InvalidRequestError,
         "lot:new: entry 5000 is not after its last entry 5000"),
        ([MapUpdate("lot:new", 2**63, leaf)], InvalidRequestError, "index 9223372036854775808 is not in"),
        ([MapUpdate("lot:new", 1, b"short")], InvalidRequestError, "a leaf hash is 32 bytes"),
        ([MapUpdate("lot:n\u00ea", 1, leaf)], InvalidRequestError, "not kind:id"),
    ]:  # fmt: skip
        with pytest.raises(error, match=match):
            memory.apply(batch)
        assert (memory.root, memory.nodes, memory.states) == before
    assert issubclass(InvalidRequestError, LedgerError)


def test_checkpoint_extension_line():
    line = map_extension(ROOT)
    assert line.startswith("map ") and parse_map_extension(["other thing", line]) == ROOT
    with refused("malformed", "a checkpoint has 0 map lines, not 1"):
        parse_map_extension(["mapx " + line[4:]])
    with refused("malformed", "a checkpoint has 2 map lines, not 1"):
        parse_map_extension([line, line])
    with refused("malformed", "map root: not canonical base64"):
        parse_map_extension([line[:-1]])
    with refused("malformed", "the map root is 0 bytes"):
        parse_map_extension(["map "])
    with pytest.raises(InvalidRequestError, match="a map root is 32 bytes"):
        map_extension(ROOT[:31])
